"""Checking delegates in: one check-in per day (or session), idempotent, never lost."""

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from flask import current_app
from sqlalchemy import DateTime, Integer, bindparam, cast, delete, func, literal_column, or_, select
from sqlalchemy import insert as insert_statement
from sqlalchemy.orm import selectinload

from conference.agenda.draft import taken_by_session
from conference.agenda.models import (
    AgendaSession,
    AgendaSignup,
    Talk,
    session_chair,
    talk_presenter,
)
from conference.agenda.publishing import latest_publication
from conference.badges.services import refusal, verify_scan
from conference.badges.tokens import TokenError
from conference.checkin.hours import arrival_hours
from conference.checkin.models import CheckIn, ScanLog
from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.ids import is_id
from conference.localtime import day_bounds
from conference.names import formal_name
from conference.registration.history import Actor, Kind, record_by_id
from conference.registration.models import Category, Delegation, Registration, RegistrationStatus
from conference.sync import stamp

# The scan request's rules, also published as they are in the OpenAPI document (patterns in
# ECMA 262's reading: "$" is the very end, so the code matches them whole).
CLIENT_REF_PATTERN = r"^[A-Za-z0-9-]{8,64}$"
CLIENT_REF_RE = re.compile(CLIENT_REF_PATTERN[1:-1])
STATION_MAX_LENGTH = 100
# A station's name needs one character that is neither white space nor a control.
STATION_PATTERN = r"[^\s\x00-\x1f\x7f-\x9f\ufeff]"
_NOT_PRINTED = re.compile(r"[\x00-\x1f\x7f-\x9f\ufeff]")
# How far ahead of the server a scanner's clock may be before its scans are refused.
SCAN_CLOCK_SKEW = timedelta(minutes=5)
STATUS_CODES = {"ok": 201, "already_checked_in": 200}
# A scan recorded this much after it was made was made offline: its history says when it
# came in.
SYNC_LATE = timedelta(minutes=1)
# Nobody is counted into a coffee break: these kinds are not offered for room check-in, and
# a scan into one is refused as an unknown session.
NO_ROOM_CHECK_IN = {"break"}
UNKNOWN_SESSION = "This session is not in this event's agenda: choose the room again."


class ScanRefused(ValidationError):
    """A scan the server will not record, with a code the scanner can act on: 422 (its time
    cannot be believed) or 409 (its client_ref names another scan)."""

    def __init__(self, code: str, message: str, status_code: int = 422):
        super().__init__(message)
        self.code = code
        self.status_code = status_code


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
    name_order,
) -> dict:
    return {
        "id": registration_id,
        "name": formal_name(title, given, family, name_order),
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
        r.name_order,
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
        Registration.name_order,
        Registration.category_id,  # the check-in keeps it (and the country)
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
    """(summary, status, reissue, category id, country) of a registration of this event,
    or None."""
    row = db.session.execute(
        _PERSON_BY_ID, {"registration_id": registration_id, "event_id": event_id}
    ).first()
    if row is None:
        return None
    return _summary(*row[:11], row[12]), row[10], row[11], row[13], row[8]


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
    """((reason, message) when this person may not be checked into this session on this
    event-local day, else None; the session's title). A session belongs to the day it
    starts on."""
    if not is_id(session_id):
        return ("unknown_session", UNKNOWN_SESSION), None
    row = db.session.execute(
        _SESSION_ENTRY,
        {"session_id": session_id, "event_id": event.id, "registration_id": registration_id},
    ).first()
    if row is None:
        return ("unknown_session", UNKNOWN_SESSION), None
    title, signed_up_only, kind, starts_at, ends_at, signed_up = row
    if kind in NO_ROOM_CHECK_IN:
        return ("unknown_session", no_room_check_in_message(title)), title
    starts = starts_at.astimezone(event.tz)
    if starts.date() != day:
        ends = ends_at.astimezone(event.tz)
        zone = getattr(event.tz, "key", "") or starts.tzname()
        return ("session_not_today", session_not_today_message(title, starts, ends, zone)), title
    if signed_up_only and not signed_up:
        return ("not_signed_up", not_signed_up_message(title)), title
    return None, title


def clean_station(raw: str) -> str:
    """The station's name as recorded: controls and runs of white space made one space."""
    if len(raw) > STATION_MAX_LENGTH:
        raise ValidationError(f"station can be at most {STATION_MAX_LENGTH} characters.")
    station = " ".join(_NOT_PRINTED.sub(" ", raw).split())
    if not station:
        raise ValidationError("Name the station (e.g. “Door A”): station is empty.")
    return station


def _hours(span: timedelta) -> str:
    hours = span / timedelta(hours=1)
    number = f"{hours:g}"
    return f"{number} hour" if number == "1" else f"{number} hours"


def _local(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.day} {local:%B %H:%M}"


def _days(first: date, last: date) -> str:
    if first == last:
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def checked_scan_time(
    claimed: datetime | None,
    *,
    now: datetime,
    tz: tzinfo,
    first_day: date,
    last_day: date,
    max_age: timedelta,
) -> datetime:
    """The time a scan counts at: the scanner's own (an offline scan, synced later) or now.

    A scanner's clock is believed only so far: not ahead of ours beyond a little skew, not
    older than ``max_age`` (a device syncs within hours; an older claim could back-date a
    check-in at will), and, like every scan, on one of the event's days (event-local).
    Raises ScanRefused (422, with its code) or, for a time without a zone, ValidationError.
    """
    zone = getattr(tz, "key", None) or str(tz)
    at = now
    if claimed is not None:
        if claimed.tzinfo is None:
            raise ValidationError(
                "scanned_at needs a time zone (RFC 3339, e.g. 2024-10-29T02:02:00Z)."
            )
        if claimed > now + SCAN_CLOCK_SKEW:
            raise ScanRefused(
                "scan_in_future",
                f"The scan time ({_local(claimed, tz)}, {zone}) is in the future: check the "
                "scanner's clock.",
            )
        if claimed < now - max_age:
            raise ScanRefused(
                "scan_too_old",
                f"This scan was made at {_local(claimed, tz)} ({zone}), more than "
                f"{_hours(max_age)} ago: scans are accepted up to {_hours(max_age)} late. "
                "If the person is here, scan the badge again.",
            )
        at = claimed
    if not first_day <= at.astimezone(tz).date() <= last_day:
        raise ScanRefused(
            "scan_outside_event",
            f"{_local(at, tz)} ({zone}) is not during the event "
            f"({_days(first_day, last_day)}): nobody is checked in on other days. "
            "Check the scanner's date and clock.",
        )
    return at


def scan_digest(token: str | None, registration_id: int | None, session_id: int | None) -> str:
    """What a scan was (the badge or the person, and where): a replay must be the same."""
    what = f"token:{token}" if token is not None else f"registration:{registration_id}"
    return hashlib.sha256(f"{what}|session:{session_id}".encode()).hexdigest()


def _first_check_in(registration_id: int, scope: str):
    return db.session.execute(
        select(CheckIn.id, CheckIn.scanned_at, CheckIn.station, CheckIn.recorded_at).where(
            CheckIn.registration_id == registration_id, CheckIn.scope == scope
        )
    ).first()


def _already_message(event, scanned_at: datetime, station: str) -> str:
    local = scanned_at.astimezone(event.tz)
    return f"Already checked in at {local:%H:%M} at {station}."


CLIENT_REF_CONFLICT = (
    "This client_ref was already sent with another scan at this station: the scanner must "
    "give every scan a new client_ref (a UUID). Nothing was recorded."
)


def _replayed(event, station: str, client_ref: str, digest: str) -> ScanResult | None:
    """The answer already given to this scan (a retried or synced-again one), or None.

    Raises ScanRefused (409) when the client_ref was sent with something else scanned.
    """
    log = db.session.execute(
        select(
            ScanLog.action,
            ScanLog.result,
            ScanLog.message,
            ScanLog.registration_id,
            ScanLog.scope,
            ScanLog.scanned_at,
            ScanLog.station,
            ScanLog.scan_digest,
        ).where(
            ScanLog.event_id == event.id,
            ScanLog.station == station,
            ScanLog.client_ref == client_ref,
        )
    ).first()
    if log is None:
        return None
    # Rows from before digests were kept are taken to be the same scan, as they were then.
    if log.scan_digest is not None and log.scan_digest != digest:
        raise ScanRefused("client_ref_conflict", CLIENT_REF_CONFLICT, status_code=409)
    found = _person(event.id, log.registration_id) if log.registration_id else None
    person = found[0] if found else None
    if log.action == "checkin":
        # Check-ins are never rewritten: the answer is the log's, even after an undo.
        return ScanResult("ok", log.message or "Checked in.", person, log.scanned_at, log.station)
    if log.action == "duplicate":
        first = _first_check_in(log.registration_id, log.scope) if log.registration_id else None
        if first is None:  # undone since: the words of the first answer
            return ScanResult("already_checked_in", log.message, person)
        return ScanResult(
            "already_checked_in",
            _already_message(event, first.scanned_at, first.station),
            person,
            first.scanned_at,
            first.station,
        )
    return ScanResult(log.result, log.message or "Refused.", person)


_INSERTS_ONCE: dict[tuple, object] = {}


def _insert_once(table, unique: tuple[str, ...], values: dict, stamped: bool = False) -> int | None:
    """Insert a row unless one with the same ``unique`` columns exists; the new id, or None
    (a request sent at the same moment got there first). One statement, either database.

    ``stamped``: the row gets a change stamp, so scanners' next delta brings it."""
    dialect = db.session.get_bind().dialect.name
    key = (table.name, unique, dialect, stamped)
    change = stamp() if stamped else None  # the same expression each time; SQLite ticks
    statement = _INSERTS_ONCE.get(key)
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(table)
        if stamped:
            statement = statement.values(sync_stamp=change)
        statement = _INSERTS_ONCE[key] = statement.on_conflict_do_nothing(
            index_elements=list(unique)
        ).returning(table.c.id)
    return db.session.execute(statement, values).scalar()


def _insert_check_in(values: dict) -> int | None:
    """Insert unless (registration, scope) exists; the new id, or None."""
    return _insert_once(CheckIn.__table__, ("registration_id", "scope"), values, stamped=True)


def _insert_log_once(values: dict) -> int | None:
    """Log a scan that has a client_ref unless (event, station, client_ref) is taken."""
    return _insert_once(ScanLog.__table__, ("event_id", "station", "client_ref"), values)


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
    """Check a badge (or a person found by name) in; safe to repeat, safe to race.

    A scan sent again with its client_ref is answered as the first time and recorded once;
    a scan whose time cannot be believed raises ScanRefused, and records nothing.
    """
    station = clean_station(station or "")
    if client_ref is not None and not CLIENT_REF_RE.fullmatch(client_ref):
        raise ValidationError("client_ref must be 8 to 64 letters, digits or hyphens (a UUID).")
    if (token is None) == (registration_id is None):
        raise ValidationError("Send either a badge token or a registration id.")
    # A scan sent again with its client_ref is found when its log row cannot be written a
    # second time (answer() below): one statement fewer for every first scan at the door.
    digest = scan_digest(token, registration_id, session_id) if client_ref is not None else None
    try:
        scanned_at = checked_scan_time(
            scanned_at,
            now=utcnow(),
            tz=event.tz,
            first_day=event.start_date,
            last_day=event.end_date,
            max_age=timedelta(hours=current_app.config["SCAN_MAX_AGE_HOURS"]),
        )
    except ScanRefused:
        # A scan recorded yesterday and sent again today is a replay, not a stale scan.
        replay = _replayed(event, station, client_ref, digest) if client_ref else None
        if replay is None:
            raise
        return replay
    scope, day = scope_for(event, scanned_at, session_id)
    log = {
        "event_id": event.id,
        "station": station,
        "client_ref": client_ref,
        "scan_digest": digest,
        "scanned_at": scanned_at,
        "recorded_at": utcnow(),
        "user_id": user_id,
        "scope": scope,
        "registration_id": None,
    }

    def answer(action, result, message, person=None, at=None, where=None, new_check_in=None):
        values = {**log, "action": action, "result": result, "message": message[:300]}
        if client_ref is None:
            db.session.execute(_LOG, values)
        elif _insert_log_once(values) is None:
            # The same client_ref was recorded first (a scan sent again, or at the same
            # moment): this request answers as that one did, and keeps nothing of its own.
            if new_check_in is not None:
                db.session.execute(delete(CheckIn).where(CheckIn.id == new_check_in))
            return _replayed(event, station, client_ref, digest)
        if new_check_in is not None:  # a check-in recorded: the registration's history too
            _record_check_in(event, log, session_id, session_title)
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
            replay = _replayed(event, station, client_ref, digest) if client_ref else None
            if replay is not None:  # the registration was erased since
                return replay
            raise NotFound("There is no such registration.")
        return answer("refused", "invalid", "This badge's registration does not exist.")
    person, status, reissue, category_id, country = found
    log["registration_id"] = registration_id
    refused = refusal(status, reissue, claims, key_revoked)
    session_title = None
    if refused is None and session_id is not None:
        refused, session_title = _session_refusal(event, session_id, registration_id, day)
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
            "category_id": category_id,
            "country": country,
        }
    )
    if new_id is not None:
        return answer(
            "checkin", "ok", "Checked in.", person, scanned_at, station, new_check_in=new_id
        )
    # Already checked in. An offline scan made before that check-in and synced only now is
    # logged with its own time, but the check-in the door recorded stands: no scanner's
    # clock rewrites what was recorded.
    first = _first_check_in(registration_id, scope)
    message = _already_message(event, first.scanned_at, first.station)
    return answer(
        "duplicate", "already_checked_in", message, person, first.scanned_at, first.station
    )


def _record_check_in(event, log: dict, session_id, session_title) -> None:
    """The check-in in the registration's history, by the door (its staff and station)."""
    station = log["station"]
    if session_id is None:
        summary = f"Checked in at {station}"
    else:
        summary = f"Checked in to “{session_title}” at {station}"
    detail = {"scope": log["scope"], "station": station}
    if session_id is not None:
        detail["session_id"] = session_id
    if log["client_ref"] is not None and log["recorded_at"] - log["scanned_at"] > SYNC_LATE:
        detail["synced_at"] = log["recorded_at"].isoformat()  # scanned offline, synced later
    record_by_id(
        event.id,
        log["registration_id"],
        Kind.CHECKED_IN,
        summary,
        Actor.door(log["user_id"], station),
        detail,
        at=log["scanned_at"],
    )


def undo_check_in(event, check_in_id: int, *, user, station: str = "organiser") -> CheckIn:
    """Organisers remove a check-in (a mistaken scan); the log keeps both, and so does the
    registration's history."""
    found = db.session.get(CheckIn, check_in_id)
    if found is None or found.event_id != event.id:
        raise NotFound("There is no such check-in.")
    scanned = found.scanned_at.astimezone(event.tz)
    record_by_id(
        event.id,
        found.registration_id,
        Kind.CHECK_IN_UNDONE,
        f"Check-in of {scanned.day} {scanned:%B %H:%M} at {found.station} undone",
        Actor.of_user(user),
        {"scope": found.scope, "station": found.station, "check_in_id": found.id},
    )
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
            check_in_id=found.id,
            sync_stamp=stamp(),  # scanners' next delta takes the check-in away
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
    start, end = day_bounds(day, event.tz)
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


LOG_LENGTH = 300  # rows of each kind on the organisers' log page


def recent_scans(event, limit: int = LOG_LENGTH) -> tuple[list[ScanLog], list[CheckIn]]:
    """The organisers' log: the latest scans (newest first) and the latest check-ins (latest
    scan time first)."""
    logs = db.session.scalars(
        select(ScanLog).where(ScanLog.event_id == event.id).order_by(ScanLog.id.desc()).limit(limit)
    ).all()
    check_ins = db.session.scalars(
        select(CheckIn)
        .where(CheckIn.event_id == event.id)
        .options(selectinload(CheckIn.registration))  # the log names each person
        .order_by(CheckIn.scanned_at.desc())
        .limit(limit)
    ).all()
    return list(logs), list(check_ins)


def session_titles(event) -> dict[int, str]:
    """Session id -> title, to name the room check-ins in the organisers' log."""
    return dict(
        db.session.execute(
            select(AgendaSession.id, AgendaSession.title).where(AgendaSession.event_id == event.id)
        ).all()
    )


def session_item(event, s: AgendaSession) -> dict:
    """A session as scanners list it (times event-local)."""
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


def search(event, q: str, limit: int = 20) -> list[Registration]:
    """People whose names (any script, no diacritics) match, for a forgotten badge."""
    from conference.registration.search import Filters, filtered_query

    if not (q or "").strip():
        return []
    return list(db.session.scalars(filtered_query(event, Filters(q=q[:100])).limit(limit)))


QUARTER_HOUR = 900  # seconds: every time zone's offset is a whole number of them


def _quarter_hour(column):
    """The quarter hour a stored (naive UTC) time falls in, as its first moment (naive
    UTC), found by the database."""
    if db.session.get_bind().dialect.name == "sqlite":
        seconds = cast(func.strftime("%s", column), Integer) // QUARTER_HOUR * QUARTER_HOUR
        return func.datetime(seconds, "unixepoch", type_=DateTime)
    # date_bin works on the timestamp as it is stored: a third cheaper per check-in than
    # arithmetic on its epoch in double precision (and extract() is numeric, slower still).
    return func.date_bin(
        literal_column(f"interval '{QUARTER_HOUR} seconds'"),
        column,
        literal_column("timestamp '2000-01-01'"),
        type_=DateTime,
    )


def _door_check_ins(event):
    return (CheckIn.event_id == event.id, CheckIn.session_id.is_(None))


def arrivals(event) -> dict:
    """Live arrival counts: by day, by hour of each day (checkin/hours.py: times in the
    event's zone, shares of the day), by category, by country; who is still expected.

    Counted by the database in one pass over the door's check-ins, which carry the
    person's category and country (CheckIn), so a poll costs the same at 1,000
    registrations or 100,000 (and grows only with the check-ins). Hours are the event's:
    check-ins are counted per quarter hour in UTC, which lands in exactly one local hour in
    every time zone (Yangon is UTC+6:30)."""
    door = _door_check_ins(event)
    names = dict(
        db.session.execute(
            select(Category.id, Category.name).where(Category.event_id == event.id)
        ).all()
    )
    by_day: dict[str, int] = {}
    by_hour: dict[tuple[date, int], int] = {}  # (day, local hour): arrivals
    by_category: dict[str, int] = {}
    by_country: dict[str, int] = {}
    hours: dict[tuple, tuple[str, tuple]] = {}  # (day, quarter hour): (day, (day, local hour))
    groups = (CheckIn.day, _quarter_hour(CheckIn.scanned_at), CheckIn.category_id, CheckIn.country)
    for day, quarter, category_id, country, count in db.session.execute(
        select(*groups, func.count()).where(*door).group_by(*groups)
    ):
        named = hours.get((day, quarter))
        if named is None:  # a few quarter hours, each in many groups (category, country)
            local = quarter.replace(tzinfo=UTC).astimezone(event.tz)
            named = hours[day, quarter] = (day.isoformat(), (day, local.hour))
        for counts, key in (
            (by_day, named[0]),
            (by_hour, named[1]),
            (by_category, names.get(category_id, "")),
            (by_country, country),
        ):
            counts[key] = counts.get(key, 0) + count
    if len(by_day) <= 1:
        # A person is checked in at the door once a day (the unique (registration, scope)):
        # on one day, every check-in is someone else's.
        arrived = sum(by_day.values())
    else:
        arrived = db.session.scalar(
            select(func.count(func.distinct(CheckIn.registration_id))).where(*door)
        )
    # count(*), not count(id): the (event_id, status) index holds all it needs.
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return {
        "confirmed": confirmed,
        "arrived": arrived,
        "by_day": dict(sorted(by_day.items())),
        "by_hour": arrival_hours(by_hour),
        "time_zone": event.timezone,
        "by_category": dict(sorted(by_category.items(), key=lambda kv: -kv[1])),
        "by_country": {
            country_name(k): v for k, v in sorted(by_country.items(), key=lambda kv: -kv[1])
        },
        "not_arrived": _not_arrived(event, [i for i, n in names.items() if n.casefold() == "vip"]),
        "sessions": session_attendance(event, utcnow().astimezone(event.tz).date()),
    }


NOT_ARRIVED_SHOWN = 200


def _not_arrived(event, vip_categories: list[int]) -> list[dict]:
    """Confirmed people with no check-in at the door yet: VIPs first, then by family name,
    at most NOT_ARRIVED_SHOWN. Each part walks an index in family-name order (the VIPs'
    holds their category too) and stops once it has enough, however many are expected."""
    door_check_in = select(CheckIn.id).where(
        CheckIn.registration_id == Registration.id, CheckIn.session_id.is_(None)
    )
    expected = _PERSON.where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        ~door_check_in.exists(),
    ).order_by(Registration.family_name, Registration.id)
    vips = expected.where(Registration.category_id.in_(vip_categories))
    others = expected.where(Registration.category_id.not_in(vip_categories))
    found = list(db.session.execute(vips.limit(NOT_ARRIVED_SHOWN))) if vip_categories else []
    if len(found) < NOT_ARRIVED_SHOWN:
        found += db.session.execute(others.limit(NOT_ARRIVED_SHOWN - len(found)))
    return [_summary(*row[:11], row[12]) for row in found]


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
        item = session_item(event, s)
        count = checked_in.get(s.id, 0)
        item.update(
            checked_in=count,
            signed_up=signed_up.get(s.id, 0),
            over_capacity=item["capacity"] is not None and count > item["capacity"],
        )
        items.append(item)
    return items
