"""Checking delegates in: one check-in per day (or session), idempotent, never lost."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, union, update
from sqlalchemy import insert as insert_statement
from sqlalchemy.orm import selectinload

from conference.agenda.ids import is_id
from conference.agenda.models import (
    AgendaSession,
    AgendaSignup,
    Talk,
    session_chair,
    talk_presenter,
)
from conference.agenda.services import latest_publication, local_day
from conference.agenda.signups import taken_by_session
from conference.badges.services import refusal, verify_scan
from conference.badges.tokens import TokenError
from conference.checkin.models import CheckIn, ScanLog
from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.registration.models import Category, Delegation, Registration
from conference.registration.validation import fold

CLIENT_REF_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
STATUS_CODES = {"ok": 201, "already_checked_in": 200}
OFFLINE_GAP = timedelta(seconds=30)
# Nobody is counted into a coffee break: these kinds are not offered for room check-in, and
# a scan into one is refused as an unknown session.
NO_ROOM_CHECK_IN = {"break"}
UNKNOWN_SESSION = "This session is not in this event's agenda: choose the room again."


@dataclass
class ScanResult:
    """What the scanner shows: green (ok), amber (already checked in) or red (refused)."""

    result: str
    message: str
    person: dict | None = None  # registration_summary() of who the badge belongs to
    checked_in_at: datetime | None = None
    station: str | None = None

    @property
    def status_code(self) -> int:
        return STATUS_CODES.get(self.result, 422)


def _summary(
    registration_id,
    title,
    given,
    family,
    native,
    category,
    colour,
    delegation,
    country,
    organisation,
    status,
) -> dict:
    return {
        "id": registration_id,
        "name": " ".join(p for p in (title, given, family) if p),
        "native_name": native,
        "category": category,
        "category_colour": colour,
        "delegation": delegation or "",
        "country": country,
        "country_name": country_name(country),
        "organisation": organisation,
        "status": status,
        "warning": "VIP" if category.casefold() == "vip" else "",
    }


def registration_summary(r: Registration) -> dict:
    """What the door needs to know about a person (no contact details)."""
    return _summary(
        r.id,
        r.title,
        r.given_name,
        r.family_name,
        r.native_name,
        r.category.name,
        r.category.badge_colour,
        r.delegation.name if r.delegation else "",
        r.country,
        r.organisation,
        r.status,
    )


# The scan itself is on the hot path (hundreds a second at the morning queue): it reads and
# writes with a few Core statements rather than loading ORM objects.
_PERSON = (
    select(
        Registration.id,
        Registration.title,
        Registration.given_name,
        Registration.family_name,
        Registration.native_name,
        Category.name,
        Category.badge_colour,
        Delegation.name,
        Registration.country,
        Registration.organisation,
        Registration.status,
        Registration.badge_reissue,
    )
    .join(Category, Category.id == Registration.category_id)
    .outerjoin(Delegation, Delegation.id == Registration.delegation_id)
)


# Built once: a statement object keeps its compiled form and cache key between scans.
_PERSON_BY_ID = _PERSON.where(
    Registration.id == bindparam("registration_id"), Registration.event_id == bindparam("event_id")
)
# On the tables, not the mapped classes: Core inserts, without the ORM's bulk-insert path.
_LOG = insert_statement(ScanLog.__table__)
_CHECK_INS: dict[str, object] = {}
# A room scan adds this one statement: is the session this event's, of which kind and day,
# and is the person on its list: signed up, or its chair, or presenting in it (they never
# sign up for their own)?
_SESSION_ENTRY = select(
    AgendaSession.title,
    AgendaSession.signed_up_only,
    AgendaSession.kind,
    AgendaSession.starts_at,
    AgendaSession.ends_at,
    or_(
        select(AgendaSignup.id)
        .where(
            AgendaSignup.session_id == AgendaSession.id,
            AgendaSignup.registration_id == bindparam("registration_id"),
        )
        .exists(),
        select(session_chair.c.session_id)
        .where(
            session_chair.c.session_id == AgendaSession.id,
            session_chair.c.registration_id == bindparam("registration_id"),
        )
        .exists(),
        select(Talk.id)
        .join(talk_presenter, talk_presenter.c.talk_id == Talk.id)
        .where(
            Talk.session_id == AgendaSession.id,
            talk_presenter.c.registration_id == bindparam("registration_id"),
        )
        .exists(),
    ),
).where(
    AgendaSession.id == bindparam("session_id"), AgendaSession.event_id == bindparam("event_id")
)


def _person(event_id: int, registration_id: int):
    """(summary, status, reissue) of a registration of this event, or None."""
    row = db.session.execute(
        _PERSON_BY_ID, {"registration_id": registration_id, "event_id": event_id}
    ).first()
    if row is None:
        return None
    return _summary(*row[:11]), row[10], row[11]


def scope_for(event, scanned_at: datetime, session_id: int | None) -> tuple[str, object]:
    """(scope, event-local day) of a scan."""
    day = scanned_at.astimezone(event.tz).date()
    if session_id is not None:
        return f"session:{session_id}", day
    return f"day:{day.isoformat()}", day


def not_signed_up_message(title: str) -> str:
    """The refusal at the door of a session for signed-up delegates only (the scanner page
    words it the same offline)."""
    return f"Not signed up for “{title}”: this session admits only delegates who signed up."


def no_room_check_in_message(title: str) -> str:
    """The refusal of a scan into a break: nobody is counted into one."""
    return f"Nobody is checked into a break (“{title}”): choose a session again."


def session_not_today_message(title: str, starts: datetime, ends: datetime, zone: str) -> str:
    """The refusal of a scan into a session of another day; ``starts`` and ``ends`` are
    event-local (the scanner page words it the same offline)."""
    return (
        f"“{title}” is on {starts:%A} {starts.day} {starts:%B} "
        f"({starts:%H:%M}–{ends:%H:%M}, {zone}), not today: choose one of today's sessions."
    )


def _session_refusal(event, session_id: int, registration_id: int, day):
    """(reason, message) when this person may not be checked into this session on this
    event-local day, else None. A session belongs to the day it starts on."""
    if not is_id(session_id):
        return "unknown_session", UNKNOWN_SESSION
    row = db.session.execute(
        _SESSION_ENTRY,
        {"session_id": session_id, "event_id": event.id, "registration_id": registration_id},
    ).first()
    if row is None:
        return "unknown_session", UNKNOWN_SESSION
    title, signed_up_only, kind, starts_at, ends_at, signed_up = row
    if kind in NO_ROOM_CHECK_IN:
        return "unknown_session", no_room_check_in_message(title)
    starts = starts_at.astimezone(event.tz)
    if starts.date() != day:
        ends = ends_at.astimezone(event.tz)
        zone = getattr(event.tz, "key", "") or starts.tzname()
        return "session_not_today", session_not_today_message(title, starts, ends, zone)
    if signed_up_only and not signed_up:
        return "not_signed_up", not_signed_up_message(title)
    return None


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


def _first_check_in(registration_id: int, scope: str):
    return db.session.execute(
        select(CheckIn.id, CheckIn.scanned_at, CheckIn.station, CheckIn.recorded_at).where(
            CheckIn.registration_id == registration_id, CheckIn.scope == scope
        )
    ).first()


def _already_message(event, scanned_at: datetime, station: str) -> str:
    local = scanned_at.astimezone(event.tz)
    return f"Already checked in at {local:%H:%M} at {station}."


def _replayed(event, client_ref: str) -> ScanResult | None:
    """The answer already given to this client_ref (a retried or synced-again scan)."""
    log = db.session.execute(
        select(
            ScanLog.action,
            ScanLog.result,
            ScanLog.message,
            ScanLog.registration_id,
            ScanLog.scope,
            ScanLog.scanned_at,
        ).where(ScanLog.client_ref == client_ref)
    ).first()
    if log is None:
        return None
    action, result, message, registration_id, scope, scanned_at = log
    found = _person(event.id, registration_id) if registration_id else None
    person = found[0] if found else None
    if action in ("checkin", "duplicate") and person is not None:
        first = _first_check_in(registration_id, scope)
        if first is not None and action == "checkin" and first.scanned_at == scanned_at:
            return ScanResult("ok", "Checked in.", person, first.scanned_at, first.station)
        if first is not None:
            return ScanResult(
                "already_checked_in",
                _already_message(event, first.scanned_at, first.station),
                person,
                first.scanned_at,
                first.station,
            )
    return ScanResult(result, message or "Refused.", person)


def _insert_check_in(values: dict) -> int | None:
    """Insert unless (registration, scope) exists; the new id, or None. One statement."""
    dialect = db.session.get_bind().dialect.name
    statement = _CHECK_INS.get(dialect)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = _CHECK_INS[dialect] = (
            insert(CheckIn.__table__)
            .on_conflict_do_nothing(index_elements=["registration_id", "scope"])
            .returning(CheckIn.__table__.c.id)
        )
    return db.session.execute(statement, values).scalar()


def check_in(
    event,
    *,
    station: str,
    user_id: int | None = None,
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
        replay = _replayed(event, client_ref)
        if replay is not None:
            return replay
    scope, day = scope_for(event, scanned_at, session_id)
    log = {
        "event_id": event.id,
        "station": station,
        "client_ref": client_ref,
        "scanned_at": scanned_at,
        "recorded_at": utcnow(),
        "user_id": user_id,
        "scope": scope,
        "registration_id": None,
    }

    def answer(action, result, message, person=None, at=None, where=None) -> ScanResult:
        db.session.execute(
            _LOG, {**log, "action": action, "result": result, "message": message[:300]}
        )
        return ScanResult(result, message, person, at, where)

    claims, key_revoked = None, False
    if token is not None:
        try:
            claims, key_revoked = verify_scan(event, token)
        except TokenError as exc:
            return answer("refused", exc.reason, exc.message)
        registration_id = claims.registration_id
    # Beyond the database's integer no registration exists (and PostgreSQL would raise).
    found = _person(event.id, registration_id) if is_id(registration_id) else None
    if found is None:
        if token is None:
            raise NotFound("There is no such registration.")
        return answer("refused", "invalid", "This badge's registration does not exist.")
    person, status, reissue = found
    log["registration_id"] = registration_id
    refused = refusal(status, reissue, claims, key_revoked)
    if refused is None and session_id is not None:
        refused = _session_refusal(event, session_id, registration_id, day)
    if refused:
        return answer("refused", *refused, person)

    new_id = _insert_check_in(
        {
            "event_id": event.id,
            "registration_id": registration_id,
            "scope": scope,
            "day": day,
            "session_id": session_id,
            "station": station,
            "scanned_at": scanned_at,
            "recorded_at": log["recorded_at"],
            "user_id": user_id,
        }
    )
    if new_id is not None:
        return answer("checkin", "ok", "Checked in.", person, scanned_at, station)

    first = _first_check_in(registration_id, scope)
    if scanned_at < first.scanned_at and first.recorded_at - scanned_at > OFFLINE_GAP:
        # A scan made offline before the recorded one, synced only now: the earliest scan
        # wins and the other becomes the duplicate. (Two doors scanning at the same moment
        # are not this case: the one recorded first is the check-in, the other is amber.)
        db.session.execute(
            update(ScanLog)
            .where(
                ScanLog.registration_id == registration_id,
                ScanLog.scope == scope,
                ScanLog.action == "checkin",
            )
            .values(
                action="duplicate",
                result="already_checked_in",
                message="A scan made earlier elsewhere arrived later.",
            )
        )
        db.session.execute(
            update(CheckIn)
            .where(CheckIn.id == first.id)
            .values(scanned_at=scanned_at, station=station, user_id=user_id)
        )
        return answer("checkin", "ok", "Checked in (earliest scan).", person, scanned_at, station)
    message = _already_message(event, first.scanned_at, first.station)
    return answer(
        "duplicate", "already_checked_in", message, person, first.scanned_at, first.station
    )


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


def sessions_of_day(event, day) -> list[AgendaSession]:
    """The published sessions starting on an event-local day that take room check-ins: by
    time, room.

    Only sessions of the latest publication: delegates know the published agenda, and a
    draft session nobody has heard of should not be offered at the door (none before the
    first publication). Their time, room and rule are the live rows', the ones a scan is
    checked against.
    """
    publication = latest_publication(event)
    if publication is None:
        return []
    published = {s["id"] for s in publication.snapshot.get("sessions", [])}
    start, end = local_day(day, event.tz)
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(
            AgendaSession.event_id == event.id,
            AgendaSession.starts_at >= start,
            AgendaSession.starts_at < end,
            AgendaSession.kind.not_in(NO_ROOM_CHECK_IN),
        )
        .options(selectinload(AgendaSession.room))
    ).all()
    return sorted(
        (s for s in sessions if s.id in published),
        key=lambda s: (
            s.starts_at,
            s.room is None,
            s.room.position if s.room else 0,
            s.room.name if s.room else "",
            s.id,
        ),
    )


def session_titles(event) -> dict[int, str]:
    """Session id -> title, to name the room check-ins in the organisers' log."""
    return dict(
        db.session.execute(
            select(AgendaSession.id, AgendaSession.title).where(AgendaSession.event_id == event.id)
        ).all()
    )


def _session_item(event, s: AgendaSession) -> dict:
    starts, ends = s.starts_at.astimezone(event.tz), s.ends_at.astimezone(event.tz)
    return {
        "id": s.id,
        "title": s.title,
        "kind": s.kind,
        "room": s.room.name if s.room else "",
        "starts_at": s.starts_at.isoformat(),
        "ends_at": s.ends_at.isoformat(),
        "time": f"{starts:%H:%M}–{ends:%H:%M}",  # event-local
        "capacity": s.effective_capacity,
        "signed_up_only": s.signed_up_only,
    }


def _by_session(statement) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for session_id, value in db.session.execute(statement):
        grouped.setdefault(session_id, []).append(value)
    return grouped


def offline_data(event) -> dict:
    """What a scanner keeps to work offline: keys, every registration, today's arrivals and
    today's sessions (with who signed up where only sign-ups may enter)."""
    from conference.badges.services import public_keys_json, signing_key

    signing_key(event)
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.category), selectinload(Registration.delegation))
        .order_by(Registration.id)
    ).all()
    today = utcnow().astimezone(event.tz).date()
    arrived = db.session.execute(
        select(CheckIn.registration_id, CheckIn.scanned_at, CheckIn.station).where(
            CheckIn.event_id == event.id, CheckIn.scope == f"day:{today.isoformat()}"
        )
    ).all()
    sessions = sessions_of_day(event, today)
    ids = [s.id for s in sessions]
    listed = [s.id for s in sessions if s.signed_up_only]
    on_list = union(
        select(AgendaSignup.session_id, AgendaSignup.registration_id).where(
            AgendaSignup.session_id.in_(listed)
        ),
        select(session_chair.c.session_id, session_chair.c.registration_id).where(
            session_chair.c.session_id.in_(listed)
        ),
        select(Talk.session_id, talk_presenter.c.registration_id)
        .join(talk_presenter, talk_presenter.c.talk_id == Talk.id)
        .where(Talk.session_id.in_(listed)),
    ).subquery()
    # Confirmed registrations only, as the sign-up counts (the others are refused anyway).
    signed_up = _by_session(
        select(on_list.c.session_id, on_list.c.registration_id)
        .join(Registration, Registration.id == on_list.c.registration_id)
        .where(Registration.status == "confirmed")
    )
    signed_up = {session_id: sorted(ids) for session_id, ids in signed_up.items()}
    in_room = _by_session(
        select(CheckIn.session_id, CheckIn.registration_id).where(
            CheckIn.event_id == event.id, CheckIn.session_id.in_(ids)
        )
    )
    return {
        "event_id": event.id,
        "event": event.slug,
        "timezone": event.timezone,
        "generated_at": utcnow().isoformat(),
        "keys": public_keys_json(event),
        "registrations": [
            {
                **registration_summary(r),
                "reissue": r.badge_reissue,
                # Names only: scanners keep no contact details.
                "search": fold(
                    " ".join((r.given_name, r.family_name, r.native_name, r.badge_name))
                ),
            }
            for r in registrations
        ],
        "checked_in_today": [
            {"registration_id": rid, "checked_in_at": at.isoformat(), "station": station}
            for rid, at, station in arrived
        ],
        "sessions": [
            {
                **_session_item(event, s),
                **({"signed_up": signed_up.get(s.id, [])} if s.signed_up_only else {}),
                "checked_in": in_room.get(s.id, []),
            }
            for s in sessions
        ],
    }


def search(event, q: str, limit: int = 20) -> list[Registration]:
    """People whose names (any script, no diacritics) match, for a forgotten badge."""
    from conference.registration.services import Filters, filtered_query

    if not (q or "").strip():
        return []
    return list(db.session.scalars(filtered_query(event, Filters(q=q[:100])).limit(limit)))


def arrivals(event) -> dict:
    """Live arrival counts: by day and hour, by category, by country; who is still expected."""
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
        "sessions": session_attendance(event, utcnow().astimezone(event.tz).date()),
    }


def session_attendance(event, day) -> list[dict]:
    """Per session of a day: checked in against capacity (and sign-ups), over capacity or not."""
    sessions = sessions_of_day(event, day)
    ids = [s.id for s in sessions]
    checked_in = dict(
        db.session.execute(
            select(CheckIn.session_id, func.count(CheckIn.id))
            .where(CheckIn.event_id == event.id, CheckIn.session_id.in_(ids))
            .group_by(CheckIn.session_id)
        ).all()
    )
    signed_up = taken_by_session(event.id, ids)  # confirmed registrations only
    items = []
    for s in sessions:
        item = _session_item(event, s)
        count = checked_in.get(s.id, 0)
        item.update(
            checked_in=count,
            signed_up=signed_up.get(s.id, 0),
            over_capacity=item["capacity"] is not None and count > item["capacity"],
        )
        items.append(item)
    return items
