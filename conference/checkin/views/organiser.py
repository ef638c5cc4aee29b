"""Organisers only: live arrivals, the scan log and undoing a check-in."""

from flask import flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.checkin.services import arrivals, recent_scans, session_titles, undo_check_in
from conference.checkin.views import bp
from conference.extensions import db


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
    logs, check_ins = recent_scans(event)
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
