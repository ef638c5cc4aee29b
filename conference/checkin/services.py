"""Checking delegates in: one check-in per day (or session), idempotent, never lost."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from conference.badges.services import check_badge
from conference.checkin.models import CheckIn, ScanLog
from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.registration.models import Registration

CLIENT_REF_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
STATUS_CODES = {"ok": 201, "already_checked_in": 200}
OFFLINE_GAP = timedelta(seconds=30)


@dataclass
class ScanResult:
    """What the scanner shows: green (ok), amber (already checked in) or red (refused)."""

    result: str
    message: str
    registration: Registration | None = None
    checked_in_at: datetime | None = None
    station: str | None = None

    @property
    def status_code(self) -> int:
        return STATUS_CODES.get(self.result, 422)


def registration_summary(registration: Registration) -> dict:
    """What the door needs to know about a person (no contact details)."""
    category = registration.category
    return {
        "id": registration.id,
        "name": registration.display_name,
        "native_name": registration.native_name,
        "category": category.name,
        "category_colour": category.badge_colour,
        "delegation": registration.delegation.name if registration.delegation else "",
        "country": registration.country,
        "country_name": country_name(registration.country),
        "organisation": registration.organisation,
        "status": registration.status,
        "warning": "VIP" if category.name.casefold() == "vip" else "",
    }


def scope_for(event, scanned_at: datetime, session_id: int | None) -> tuple[str, object]:
    """(scope, event-local day) of a scan."""
    day = scanned_at.astimezone(event.tz).date()
    if session_id is not None:
        return f"session:{session_id}", day
    return f"day:{day.isoformat()}", day


def _clean_scan_time(event, scanned_at: datetime | None) -> datetime:
    now = utcnow()
    if scanned_at is None:
        return now
    if scanned_at.tzinfo is None:
        raise ValidationError("The scan time needs a time zone (ISO 8601, e.g. ...Z).")
    earliest = datetime.combine(event.start_date, datetime.min.time(), event.tz) - timedelta(days=7)
    latest_day = datetime.combine(event.end_date, datetime.max.time(), event.tz)
    if scanned_at > now + timedelta(minutes=5):
        raise ValidationError("The scan time is in the future: check the scanner's clock.")
    if scanned_at < earliest or scanned_at > latest_day + timedelta(days=1):
        raise ValidationError("The scan time is not during the event: check the scanner's clock.")
    return scanned_at


def _replayed(client_ref: str) -> ScanResult | None:
    """The answer already given to this client_ref (a retried or synced-again scan)."""
    log = db.session.scalar(select(ScanLog).where(ScanLog.client_ref == client_ref))
    if log is None:
        return None
    registration = (
        db.session.get(Registration, log.registration_id) if log.registration_id else None
    )
    if log.action in ("checkin", "duplicate") and registration is not None:
        first = db.session.scalar(
            select(CheckIn).where(
                CheckIn.registration_id == registration.id, CheckIn.scope == log.scope
            )
        )
        if first is not None and log.action == "checkin" and first.scanned_at == log.scanned_at:
            return ScanResult("ok", "Checked in.", registration, first.scanned_at, first.station)
        if first is not None:
            return ScanResult(
                "already_checked_in",
                _already_message(registration.event, first),
                registration,
                first.scanned_at,
                first.station,
            )
    return ScanResult(log.result, log.message or "Refused.", registration)


def _already_message(event, first: CheckIn) -> str:
    local = first.scanned_at.astimezone(event.tz)
    return f"Already checked in at {local:%H:%M} at {first.station}."


def _insert_check_in(values: dict) -> int | None:
    """Insert unless (registration, scope) exists; the new id, or None. One statement."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (
        insert(CheckIn)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["registration_id", "scope"])
        .returning(CheckIn.id)
    )
    return db.session.execute(statement).scalar()


def check_in(
    event,
    *,
    station: str,
    user=None,
    token: str | None = None,
    registration_id: int | None = None,
    client_ref: str | None = None,
    scanned_at: datetime | None = None,
    session_id: int | None = None,
) -> ScanResult:
    """Check a badge (or a person found by name) in; safe to repeat, safe to race."""
    station = " ".join((station or "").split())[:100]
    if not station:
        raise ValidationError("Name the station (e.g. “Door A”).")
    if client_ref is not None and not CLIENT_REF_RE.match(client_ref):
        raise ValidationError("client_ref must be 8 to 64 letters, digits or hyphens.")
    if (token is None) == (registration_id is None):
        raise ValidationError("Send either a badge token or a registration id.")
    scanned_at = _clean_scan_time(event, scanned_at)
    if client_ref is not None:
        replay = _replayed(client_ref)
        if replay is not None:
            return replay
    user_id = getattr(user, "id", None)

    if token is not None:
        verdict = check_badge(event, token)
        registration, result, message = verdict.registration, verdict.result, verdict.message
    else:
        registration = db.session.get(Registration, registration_id)
        if registration is None or registration.event_id != event.id:
            raise NotFound("There is no such registration.")
        result, message = "ok", "Valid registration."
        if registration.status in ("cancelled", "rejected"):
            result, message = "revoked", f"This registration is {registration.status}."
        elif registration.status != "confirmed":
            label = registration.status_label.lower()
            result, message = "not_approved", f"This registration is not confirmed ({label})."

    scope, day = scope_for(event, scanned_at, session_id)
    log = ScanLog(
        event_id=event.id,
        registration_id=registration.id if registration else None,
        station=station,
        client_ref=client_ref,
        scanned_at=scanned_at,
        user_id=user_id,
        scope=scope,
    )
    if result != "ok":
        log.action, log.result, log.message = "refused", result, message[:300]
        db.session.add(log)
        return ScanResult(result, message, registration)

    new_id = _insert_check_in(
        {
            "event_id": event.id,
            "registration_id": registration.id,
            "scope": scope,
            "day": day,
            "session_id": session_id,
            "station": station,
            "scanned_at": scanned_at,
            "recorded_at": utcnow(),
            "user_id": user_id,
        }
    )
    if new_id is not None:
        log.action, log.result, log.message = "checkin", "ok", "Checked in."
        db.session.add(log)
        return ScanResult("ok", "Checked in.", registration, scanned_at, station)

    first = db.session.scalar(
        select(CheckIn).where(CheckIn.registration_id == registration.id, CheckIn.scope == scope)
    )
    if scanned_at < first.scanned_at and first.recorded_at - scanned_at > OFFLINE_GAP:
        # A scan made offline before the recorded one, synced only now: the earliest scan
        # wins and the other becomes the duplicate. (Two doors scanning at the same moment
        # are not this case: the one recorded first is the check-in, the other is amber.)
        db.session.execute(
            update(ScanLog)
            .where(
                ScanLog.registration_id == registration.id,
                ScanLog.scope == scope,
                ScanLog.action == "checkin",
            )
            .values(
                action="duplicate",
                result="already_checked_in",
                message="A scan made earlier elsewhere arrived later.",
            )
        )
        first.scanned_at, first.station, first.user_id = scanned_at, station, user_id
        log.action, log.result, log.message = "checkin", "ok", "Checked in (earliest scan)."
        db.session.add(log)
        return ScanResult("ok", "Checked in.", registration, scanned_at, station)
    message = _already_message(event, first)
    log.action, log.result, log.message = "duplicate", "already_checked_in", message
    db.session.add(log)
    return ScanResult("already_checked_in", message, registration, first.scanned_at, first.station)


def undo_check_in(event, check_in_id: int, *, user, station: str = "organiser") -> CheckIn:
    """Organisers remove a check-in (a mistaken scan); the log keeps both."""
    found = db.session.get(CheckIn, check_in_id)
    if found is None or found.event_id != event.id:
        raise NotFound("There is no such check-in.")
    db.session.add(
        ScanLog(
            event_id=event.id,
            registration_id=found.registration_id,
            action="undo",
            result="undone",
            scope=found.scope,
            station=station,
            scanned_at=utcnow(),
            user_id=user.id,
            message=f"Undid the check-in of {found.scanned_at.isoformat()} at {found.station}.",
        )
    )
    db.session.delete(found)
    db.session.flush()
    return found


def offline_data(event) -> dict:
    """What a scanner keeps to work offline: keys, every registration, today's arrivals."""
    from sqlalchemy.orm import selectinload

    from conference.badges.services import public_keys_json, signing_key

    signing_key(event)
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.category), selectinload(Registration.delegation))
        .order_by(Registration.id)
    ).all()
    today = utcnow().astimezone(event.tz).date()
    arrived = db.session.scalars(
        select(CheckIn.registration_id).where(
            CheckIn.event_id == event.id, CheckIn.scope == f"day:{today.isoformat()}"
        )
    ).all()
    return {
        "event_id": event.id,
        "event": event.slug,
        "timezone": event.timezone,
        "generated_at": utcnow().isoformat(),
        "keys": public_keys_json(event),
        "registrations": [
            {**registration_summary(r), "reissue": r.badge_reissue, "search": r.search_text}
            for r in registrations
        ],
        "checked_in_today": list(arrived),
    }


def search(event, q: str, limit: int = 20) -> list[Registration]:
    """People whose names (any script, no diacritics) match, for a forgotten badge."""
    from conference.registration.services import Filters, filtered_query

    if not (q or "").strip():
        return []
    return list(db.session.scalars(filtered_query(event, Filters(q=q[:100])).limit(limit)))


def arrivals(event) -> dict:
    """Live arrival counts: by day and hour, by category, by country; who is still expected."""
    from conference.registration.models import Category

    rows = db.session.execute(
        select(CheckIn.scanned_at, CheckIn.day, Category.name, Registration.country)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .join(Category, Category.id == Registration.category_id)
        .where(CheckIn.event_id == event.id, CheckIn.session_id.is_(None))
    ).all()
    by_day: dict[str, int] = {}
    by_hour: dict[str, int] = {}
    by_category: dict[str, int] = {}
    by_country: dict[str, int] = {}
    for scanned_at, day, category, country in rows:
        local = scanned_at.astimezone(event.tz)
        by_day[day.isoformat()] = by_day.get(day.isoformat(), 0) + 1
        hour = f"{day.isoformat()} {local:%H}:00"
        by_hour[hour] = by_hour.get(hour, 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
        by_country[country] = by_country.get(country, 0) + 1
    confirmed = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status == "confirmed"
        )
    )
    arrived_ever = select(CheckIn.registration_id).where(
        CheckIn.event_id == event.id, CheckIn.session_id.is_(None)
    )
    missing = db.session.scalars(
        select(Registration)
        .join(Category, Category.id == Registration.category_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == "confirmed",
            Registration.id.not_in(arrived_ever),
        )
        .order_by((func.lower(Category.name) != "vip"), Registration.family_name)
        .limit(200)
    ).all()
    return {
        "confirmed": confirmed,
        "arrived": db.session.scalar(
            select(func.count(func.distinct(CheckIn.registration_id))).where(
                CheckIn.event_id == event.id, CheckIn.session_id.is_(None)
            )
        ),
        "by_day": dict(sorted(by_day.items())),
        "by_hour": dict(sorted(by_hour.items())),
        "by_category": dict(sorted(by_category.items(), key=lambda kv: -kv[1])),
        "by_country": {
            country_name(k): v for k, v in sorted(by_country.items(), key=lambda kv: -kv[1])
        },
        "not_arrived": [registration_summary(r) for r in missing],
    }
