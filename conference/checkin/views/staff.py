"""Door staff (and organisers): the scanner and its worker, the badge desk."""

import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from conference.assets import worker_assets
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.badges.selection import badge_selection
from conference.badges.services import reissue_badge, render_badges_for
from conference.checkin.services import search
from conference.checkin.views import bp
from conference.errors import ValidationError
from conference.extensions import db
from conference.registration.history import Actor
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
    actor = Actor.of_user(current_user)
    if action == "reissue":
        reissue_badge(registration, actor)  # the lost badge stops opening doors
    out = io.BytesIO()
    try:
        selection = badge_selection(event, ids=[registration.id])
        render_badges_for(event, selection, out, count_printed=True, actor=actor)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        found_by = registration.family_name or registration.given_name  # one name only
        return redirect(url_for(".desk", slug=event.slug, q=found_by))
    db.session.commit()
    return pdf_response(out.getvalue(), f"badge-{registration.id}.pdf")
