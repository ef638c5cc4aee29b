"""API for scanners: check-ins, the data to work offline, search by name."""

from datetime import datetime

from flask import g, jsonify, request

from conference.api import bp
from conference.api.auth import api_login_required
from conference.auth.services import require_event_role
from conference.checkin.services import (
    check_in,
    offline_data,
    registration_summary,
    search,
)
from conference.errors import ValidationError
from conference.events.services import get_event
from conference.extensions import db


def _scanner_event(slug):
    event = get_event(slug)
    require_event_role(g.api_user, event, "checkin", "organiser")
    return event


def _bad(message: str, status: int = 400):
    return jsonify({"result": "invalid", "message": message}), status


@bp.post("/events/<slug>/checkins")
@api_login_required
def create_checkin(slug):
    event = _scanner_event(slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad("Send a JSON object (Content-Type: application/json).")
    token, registration_id = body.get("token"), body.get("registration_id")
    station, client_ref = body.get("station"), body.get("client_ref")
    session_id, raw_time = body.get("session_id"), body.get("scanned_at")
    if token is not None and not isinstance(token, str):
        return _bad("token must be text.")
    if registration_id is not None and (
        not isinstance(registration_id, int) or isinstance(registration_id, bool)
    ):
        return _bad("registration_id must be a whole number.")
    if not isinstance(station, str):
        return _bad("station must be text, e.g. “Door A”.")
    if client_ref is not None and not isinstance(client_ref, str):
        return _bad("client_ref must be text (a UUID).")
    if session_id is not None and (not isinstance(session_id, int) or isinstance(session_id, bool)):
        return _bad("session_id must be a whole number.")
    scanned_at = None
    if raw_time is not None:
        try:
            scanned_at = datetime.fromisoformat(str(raw_time).replace("Z", "+00:00"))
        except ValueError:
            return _bad("scanned_at must be an ISO 8601 time, e.g. 2024-10-29T02:02:00Z.")
    try:
        result = check_in(
            event,
            station=station,
            user=g.api_user,
            token=token,
            registration_id=registration_id,
            client_ref=client_ref,
            scanned_at=scanned_at,
            session_id=session_id,
        )
    except ValidationError as exc:
        db.session.rollback()
        return _bad(exc.message, exc.status_code if exc.status_code != 400 else 400)
    db.session.commit()
    body = {"result": result.result, "message": result.message}
    body["registration"] = (
        registration_summary(result.registration) if result.registration else None
    )
    if result.result == "ok":
        body["checked_in_at"] = result.checked_in_at.isoformat()
        body["station"] = result.station
    elif result.result == "already_checked_in":
        body["first_checked_in_at"] = result.checked_in_at.isoformat()
        body["station"] = result.station
    return jsonify(body), result.status_code


@bp.get("/events/<slug>/checkin/offline")
@api_login_required
def checkin_offline(slug):
    event = _scanner_event(slug)
    data = offline_data(event)
    db.session.commit()  # the first signing key, if this made it
    return jsonify(data)


@bp.get("/events/<slug>/checkin/search")
@api_login_required
def checkin_search(slug):
    event = _scanner_event(slug)
    items = search(event, request.args.get("q", ""))
    return jsonify({"items": [registration_summary(r) for r in items]})
