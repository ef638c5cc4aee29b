"""API for scanners: check-ins, the data to work offline, search by name."""

import hashlib
import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import current_app, g, jsonify, request

from conference.api import bp
from conference.api.auth import Unauthorized, api_login_required, current_api_user
from conference.api.bodies import json_object
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


@dataclass(frozen=True)
class ScannerEvent:
    """The little a scan needs to know about its event (cached, so not an ORM object)."""

    id: int
    slug: str
    tz: ZoneInfo
    start_date: date
    end_date: date


def scanner_required(view):
    """Bearer-token scanners: who they are and that they may scan, remembered a few seconds.

    A scanner sends hundreds of scans a second at the morning queue; checking its token, its
    role and the event once per SCANNER_AUTH_CACHE_SECONDS per process instead of on every
    scan is what keeps a scan fast. A revoked token or role stops working within that time.
    Browser sessions (the scanner page) are checked on every request, with CSRF.
    """

    @wraps(view)
    def wrapped(slug, **kwargs):
        header = request.headers.get("Authorization", "")
        cache = current_app.extensions.setdefault("scanner_auth", {})
        key = (hashlib.sha256(header.encode()).hexdigest(), slug) if header else None
        hit = cache.get(key) if key else None
        if (
            hit is not None
            and time.monotonic() - hit[0] < current_app.config["SCANNER_AUTH_CACHE_SECONDS"]
        ):
            g.api_user_id, event = hit[1], hit[2]
            return view(event=event, **kwargs)
        g.api_user = current_api_user()
        if g.api_user is None:
            raise Unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")
        found = _scanner_event(slug)
        event = ScannerEvent(found.id, found.slug, found.tz, found.start_date, found.end_date)
        g.api_user_id = g.api_user.id
        if key:
            if len(cache) > 10_000:
                cache.clear()
            cache[key] = (time.monotonic(), g.api_user.id, event)
        return view(event=event, **kwargs)

    return wrapped


def _bad(message: str, status: int = 400):
    return jsonify({"result": "invalid", "message": message}), status


@bp.post("/events/<slug>/checkins")
@scanner_required
def create_checkin(event):
    body = json_object()
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
            user_id=g.api_user_id,
            token=token,
            registration_id=registration_id,
            client_ref=client_ref,
            scanned_at=scanned_at,
            session_id=session_id,
        )
    except ValidationError as exc:
        db.session.rollback()
        return _bad(exc.message, exc.status_code)
    db.session.commit()
    body = {"result": result.result, "message": result.message}
    body["registration"] = result.person
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
