"""API for scanners: check-ins, the data to work offline, search by name, badge keys."""

import gzip
import hashlib
import re
import time
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from flask import current_app, g, jsonify, request, send_file

from conference.api.auth import Unauthorized, api_login_required, current_api_user
from conference.api.bodies import json_object
from conference.api.views import bp
from conference.auth.services import require_event_role
from conference.badges.services import public_keys_json
from conference.checkin.offline import current_snapshot, delta
from conference.checkin.services import (
    ScanRefused,
    check_in,
    registration_summary,
    search,
)
from conference.errors import ValidationError
from conference.events.services import get_event
from conference.extensions import db
from conference.sync import Cursor
from conference.web import PreparedJson, accepts_gzip, compressed_json


def _scanner_event(slug):
    event = get_event(slug)
    require_event_role(g.api_user, event, "checkin", "organiser")
    return event


@dataclass(frozen=True)
class ScannerEvent:
    """The little a scan needs to know about its event (cached, so not an ORM object)."""

    id: int
    slug: str
    timezone: str
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
        event = ScannerEvent(
            found.id, found.slug, found.timezone, found.tz, found.start_date, found.end_date
        )
        g.api_user_id = g.api_user.id
        if key:
            if len(cache) > 10_000:
                cache.clear()
            cache[key] = (time.monotonic(), g.api_user.id, event)
        return view(event=event, **kwargs)

    return wrapped


def _bad(message: str, status: int = 400):
    # "result" too: the scanner page tells a refused scan from an expired session by it.
    return jsonify({"result": "invalid", "code": "invalid_request", "message": message}), status


class _Malformed(Exception):
    pass


# RFC 3339, as the OpenAPI document's "date-time" says (fromisoformat alone takes more).
_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)", re.ASCII
)


def _whole(body: dict, name: str) -> int | None:
    """A whole number from the body (JSON's 3.0 is one too), None when absent or null."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Malformed(f"{name} must be a whole number.")
    return value


def _text(body: dict, name: str, what: str = "") -> str | None:
    """Text from the body, None when absent or null."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Malformed(f"{name} must be text{what}.")
    return value


def _scan_time(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    if not _RFC3339.fullmatch(raw):
        raise _Malformed(
            "scanned_at must be an RFC 3339 time with its zone, e.g. 2024-10-29T02:02:00Z."
        )
    try:
        return datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
    except ValueError:
        raise _Malformed(f"scanned_at is not a real time: {raw}.") from None


@bp.post("/events/<slug>/checkins")
@scanner_required
def create_checkin(event):
    body = json_object()
    if not isinstance(body, dict):
        return _bad("Send a JSON object (Content-Type: application/json).")
    try:
        token = _text(body, "token")
        registration_id = _whole(body, "registration_id")
        station = _text(body, "station", ", e.g. “Door A”")
        client_ref = _text(body, "client_ref", " (a UUID)")
        session_id = _whole(body, "session_id")
        scanned_at = _scan_time(_text(body, "scanned_at", " (RFC 3339)"))
    except _Malformed as exc:
        return _bad(str(exc))
    if station is None:
        return _bad("station is required: name the door or room, e.g. “Door A”.")
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
    except ScanRefused as exc:
        db.session.rollback()
        body = {"result": exc.code, "code": exc.code, "message": exc.message}
        return jsonify(body), exc.status_code
    except ValidationError as exc:
        db.session.rollback()
        return _bad(exc.message, exc.status_code)
    db.session.commit()
    body = {"result": result.result, "message": result.message}
    body["registration"] = result.person
    if result.status_code >= 400:
        body["code"] = result.result
    at = result.checked_in_at.isoformat() if result.checked_in_at else None
    if result.result == "ok":
        body["checked_in_at"] = at
        body["station"] = result.station
    elif result.result == "already_checked_in" and at:
        body["first_checked_in_at"] = at
        body["station"] = result.station
    return jsonify(body), result.status_code


@bp.get("/events/<slug>/checkin/offline")
@scanner_required  # ten phones reloading at once: their token and role checked once
def checkin_offline(event):
    """The whole list (a prebuilt file), or with ``since`` what changed since that cursor."""
    since = request.args.get("since")
    if since is not None:
        cursor = Cursor.parse(since)
        if cursor is None:
            raise ValidationError("since must be the cursor of an earlier answer.", field="since")
        changes = _changes_since(event, cursor)
        if changes is not None:
            return compressed_json(changes)
    return _send_snapshot(current_snapshot(event))


def _changes_since(event, cursor) -> PreparedJson | None:
    """The delta since ``cursor``, prepared once for OFFLINE_LISTS_SECONDS by each process:
    phones that took the same whole list ask the same question at the same moment.
    (An answer kept a moment is still right: it carries the cursor it was read at.)"""
    kept = current_app.extensions.setdefault("offline_deltas", {})
    key = (event.id, str(cursor))
    now = time.monotonic()
    found = kept.get(key)
    if found is None or now - found[0] >= current_app.config["OFFLINE_LISTS_SECONDS"]:
        changes = delta(event, cursor)
        found = (now, PreparedJson.of(changes) if changes is not None else None)
        if len(kept) > 1000:
            kept.clear()
        kept[key] = found
    return found[1]


def _send_snapshot(found):
    """The snapshot file as it is (gzip), or unpacked for a client that takes no gzip."""
    size_and_time = found.path.stat()
    etag = f"offline-{size_and_time.st_mtime_ns:x}-{size_and_time.st_size:x}"
    if accepts_gzip():
        response = send_file(found.path, mimetype="application/json", etag=etag, max_age=0)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_file(
            gzip.open(found.path, "rb"), mimetype="application/json", etag=etag, max_age=0
        )
    response.vary.add("Accept-Encoding")
    response.cache_control.private = True
    return response.make_conditional(request)


@bp.get("/events/<slug>/checkin/search")
@api_login_required
def checkin_search(slug):
    event = _scanner_event(slug)
    items = search(event, request.args.get("q", ""))
    return jsonify({"items": [registration_summary(r) for r in items]})


@bp.get("/events/<slug>/badge-keys")
def badge_keys(slug):
    """Public keys only: what a scanner needs to verify badges offline."""
    found = get_event(slug)
    return jsonify({"event": found.slug, "event_id": found.id, "keys": public_keys_json(found)})
