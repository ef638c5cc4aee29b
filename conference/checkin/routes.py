"""Check-in pages: the scanner, the scan log with undo, live arrivals."""

import io

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from conference.assets import worker_assets
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.badges.services import reissue_badge, render_badges_for
from conference.checkin.models import CheckIn, ScanLog
from conference.checkin.services import arrivals, search, session_titles, undo_check_in
from conference.checkin.views import bp
from conference.errors import ValidationError
from conference.extensions import db
from conference.registration.search import get_registration
from conference.web import CONTENT_SECURITY_POLICY, pdf_response


@bp.get("/events/<slug>/checkin")
@event_role_required("checkin", "organiser")
def scanner(event):
    api = {
        "checkins": url_for("api.create_checkin", slug=event.slug),
        "offline": url_for("api.checkin_offline", slug=event.slug),
        "badge_keys": url_for("api.badge_keys", slug=event.slug),
        "search": url_for("api.checkin_search", slug=event.slug),
    }
    page = render_template(
        "checkin/scanner.html",
        event=event,
        api=api,
        sw_url=url_for(".scanner_worker", slug=event.slug),
    )
    # The camera decoder is WebAssembly (this Chromium has no native BarcodeDetector):
    # compiling it needs 'wasm-unsafe-eval', which allows no JavaScript eval.
    policy = CONTENT_SECURITY_POLICY.replace(
        "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
    )
    return page, 200, {"Content-Security-Policy": policy}


@bp.get("/events/<slug>/checkin/sw.js")
def scanner_worker(slug):
    # Public on purpose: it is static code; the data it caches needs the staff session.
    return Response(
        render_template("checkin/scanner-sw.js", **worker_assets("checkin/scanner.html")),
        mimetype="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            # The page is /events/<slug>/checkin, one level above this script.
            "Service-Worker-Allowed": url_for(".scanner", slug=slug),
        },
    )


@bp.get("/events/<slug>/arrivals")
@event_role_required("organiser")
def live_arrivals(event):
    return render_template(
        "checkin/arrivals.html",
        event=event,
        data=arrivals(event),
        data_url=url_for(".arrivals_json", slug=event.slug),
    )


@bp.get("/events/<slug>/arrivals.json")
@event_role_required("organiser")
def arrivals_json(event):
    return jsonify(arrivals(event))


@bp.get("/events/<slug>/checkin/log")
@event_role_required("organiser")
def scan_log(event):
    logs = db.session.scalars(
        select(ScanLog).where(ScanLog.event_id == event.id).order_by(ScanLog.id.desc()).limit(300)
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.event_id == event.id)
        .order_by(CheckIn.scanned_at.desc())
        .limit(300)
    ).all()
    return render_template(
        "checkin/log.html",
        event=event,
        logs=logs,
        check_ins=check_ins,
        sessions=session_titles(event),
        form=ConfirmForm(),
    )


@bp.post("/events/<slug>/checkins/<int:check_in_id>/undo")
@event_role_required("organiser")
def undo(event, check_in_id):
    if ConfirmForm().validate_on_submit():
        found = undo_check_in(event, check_in_id, user=current_user)
        name = found.registration.display_name
        db.session.commit()
        flash(f"The check-in of {name} is undone.", "info")
    return redirect(url_for(".scan_log", slug=event.slug))


# The badge desk: find someone, print or reissue their badge ---------------------------


@bp.get("/events/<slug>/checkin/desk")
@event_role_required("checkin", "organiser")
def desk(event):
    q = (request.args.get("q") or "").strip()
    return render_template(
        "checkin/desk.html",
        event=event,
        q=q,
        people=search(event, q) if q else [],
        form=ConfirmForm(),
    )


@bp.post("/events/<slug>/checkin/desk/<int:rid>/<action>")
@event_role_required("checkin", "organiser")
def desk_badge(event, rid, action):
    registration = get_registration(event, rid)
    if action not in ("print", "reissue") or not ConfirmForm().validate_on_submit():
        return redirect(url_for(".desk", slug=event.slug))
    if action == "reissue":
        reissue_badge(registration)  # the lost badge stops opening doors
    out = io.BytesIO()
    try:
        render_badges_for(event, [registration], out)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for(".desk", slug=event.slug, q=registration.family_name))
    db.session.commit()
    return pdf_response(out.getvalue(), f"badge-{registration.id}.pdf")
