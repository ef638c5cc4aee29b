"""Sessions in the organisers' editor: create, change, move and delete them.

Plain functions over the models, no Flask: they validate, change, flush and never commit.
A session's talks keep their offsets from its start when it moves (talks.py lays them out).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.agenda.draft import WITHDRAWN, event_window
from conference.agenda.kinds import SESSION_KINDS
from conference.agenda.models import AgendaSession, Talk
from conference.agenda.notices import hold_cancellation
from conference.agenda.rooms import get_room, get_track
from conference.agenda.rows import found, get_by_id, of_event, required_line
from conference.errors import ValidationError
from conference.extensions import db
from conference.ids import is_id
from conference.localtime import to_local, to_utc, wall_clock
from conference.names import same_name
from conference.registration.models import SORT_NAME, Registration

STEP_MINUTES = 5  # sessions start on a 5-minute step


@dataclass
class SessionDetails:
    """What an organiser says about a session; times are local to the event (naive)."""

    kind: str
    title: str
    starts: datetime
    ends: datetime
    description: str = ""
    room_id: int | None = None
    track_id: int | None = None
    capacity: int | None = None
    chair_ids: tuple[int, ...] = ()


def get_session(event, session_id, *, with_talks: bool = False) -> AgendaSession | None:
    """A session of this event, or None (also for another event's session, or a bad id).
    ``with_talks`` loads its talks with their presenters, and its chairs, up front (not a
    query per talk)."""
    options = (
        [
            selectinload(AgendaSession.talks).selectinload(Talk.presenters),
            selectinload(AgendaSession.chairs),
        ]
        if with_talks
        else []
    )
    session = (
        db.session.get(AgendaSession, session_id, options=options) if is_id(session_id) else None
    )
    return of_event(event, session)


def find_session(event, session_id, *, with_talks: bool = False) -> AgendaSession:
    """A session of this event (as get_session), or NotFound."""
    return found(get_session(event, session_id, with_talks=with_talks), "session")


def session_day(event, session: AgendaSession) -> date:
    """The event-local day a session starts on."""
    return to_local(session.starts_at, event.tz).date()


def _refuse_other_day(event, day: date, field: str) -> None:
    if not event.start_date <= day <= event.end_date:
        raise ValidationError(
            f"{day:%d %b %Y} is not a day of the event "
            f"({event.start_date:%d %b} – {event.end_date:%d %b %Y}).",
            field=field,
        )


def save_session(event, session: AgendaSession | None, details: SessionDetails):
    """Create or change a session; the rules that need no conflict check are enforced here.
    It starts on a day of the event (or, when it is changed, on the day it is on already)."""
    if details.kind not in SESSION_KINDS:
        raise ValidationError("Choose a kind of session from the list.", field="kind")
    title = required_line(details.title, "session")
    starts_local = details.starts
    if starts_local.tzinfo is not None:
        starts_local = to_local(starts_local, event.tz)
    day = starts_local.date()
    if session is None or day != session_day(event, session):
        _refuse_other_day(event, day, "day")
    starts = to_utc(details.starts, event.tz, field="starts")
    ends = to_utc(details.ends, event.tz, field="ends")
    if ends <= starts:
        raise ValidationError("The session must end after it starts.", field="ends")
    if details.capacity is not None and details.capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    room = get_room(event, details.room_id)
    if details.room_id is not None and room is None:
        raise ValidationError("Choose a room of this event.", field="room_id")
    track = get_track(event, details.track_id)
    if details.track_id is not None and track is None:
        raise ValidationError("Choose a track of this event.", field="track_id")
    chairs = []
    for chair_id in details.chair_ids:
        chair = of_event(event, get_by_id(Registration, chair_id))
        if chair is None:
            raise ValidationError("Chairs must be registered for this event.", field="chair_ids")
        chairs.append(chair)
    if session is None:
        session = AgendaSession(event_id=event.id)
        db.session.add(session)
    session.kind, session.title = details.kind, title
    session.description = (details.description or "").strip()
    session.starts_at, session.ends_at = starts, ends
    session.room, session.track, session.capacity = room, track, details.capacity
    session.chairs = chairs
    db.session.flush()
    return session


def _shift_talks(session: AgendaSession, delta: timedelta) -> None:
    if delta:
        for talk in session.talks:
            if talk.starts_at is not None:
                talk.starts_at = talk.starts_at + delta


def update_session(
    event, session: AgendaSession | None, details: SessionDetails, signed_up_only: bool = False
) -> AgendaSession:
    """Create or change a session (rules in save_session); its talks keep their offsets
    from its start when it moves."""
    before = session.starts_at if session is not None else None
    session = save_session(event, session, details)
    session.signed_up_only = bool(signed_up_only)
    if before is not None:
        _shift_talks(session, session.starts_at - before)
    db.session.flush()
    return session


def move_session(event, session: AgendaSession, room_id: int | None, starts_local: datetime):
    """Move a session to a room and an event-local start, keeping its length and its talks'
    offsets; an impossible slot is refused and nothing changes."""
    room = None
    if room_id is not None:
        room = get_room(event, room_id)
        if room is None:
            raise ValidationError("Choose a room of this event.", field="room_id")
    if starts_local.tzinfo is not None:
        starts_local = wall_clock(starts_local, event.tz)
    if starts_local.second or starts_local.microsecond or starts_local.minute % STEP_MINUTES:
        raise ValidationError(
            f"Sessions start on a {STEP_MINUTES}-minute step (e.g. 10:00, 10:05).", field="starts"
        )
    _refuse_other_day(event, starts_local.date(), "starts")
    starts = to_utc(starts_local, event.tz, field="starts")
    ends = starts + (session.ends_at - session.starts_at)
    if ends > event_window(event)[1]:
        raise ValidationError(
            f"“{session.title}” would end after the last day of the event.", field="starts"
        )
    delta = starts - session.starts_at
    session.room = room
    session.starts_at, session.ends_at = starts, ends
    _shift_talks(session, delta)
    db.session.flush()
    return session


def delete_session(event, session: AgendaSession) -> int:
    """Delete a session; its talks go back to the unplaced ones, its sign-ups go with it
    (who had signed up is told once the agenda is published without it).
    Refused once delegates have checked in to it (no check-in is ever lost).
    Returns how many talks were unplaced."""
    from conference.checkin.models import CheckIn

    checked_in = db.session.scalar(
        select(func.count(CheckIn.id)).where(
            CheckIn.event_id == event.id, CheckIn.session_id == session.id
        )
    )
    if checked_in:
        raise ValidationError(
            f"{checked_in} delegate(s) have checked in to “{session.title}”: it cannot be "
            "deleted. Change its time or room instead."
        )
    talks = list(session.talks)
    for talk in talks:
        talk.session, talk.starts_at, talk.position = None, None, 0
    hold_cancellation(session)
    db.session.delete(session)
    db.session.flush()
    return len(talks)


# What the editor's forms offer ----------------------------------------------------------


def person_choices(event, keep=()) -> list[tuple[int, str]]:
    """Registrations that can chair or present (not cancelled or rejected, plus those
    already chosen), labelled for a searchable list: name, native name, organisation,
    country."""
    keep_ids = {r.id for r in keep}
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.given_name,
            Registration.family_name,
            Registration.native_name,
            Registration.organisation,
            Registration.country,
            Registration.status,
        )
        .where(Registration.event_id == event.id)
        .order_by(func.lower(SORT_NAME), func.lower(Registration.given_name))
    ).all()
    choices = []
    for rid, given, family, native, organisation, country, status in rows:
        if status in WITHDRAWN and rid not in keep_ids:
            continue
        label = f"{family.upper()} {given}".strip()
        if native and not same_name(native, label):
            label += f" ({native})"
        label += f" · {organisation} · {country}"
        if status in WITHDRAWN:
            label += f" [{status}]"
        choices.append((rid, label))
    return choices


def session_choices(event) -> list[tuple[int, str]]:
    """Every session of the event, in time order, labelled with its day, time and room."""
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.room))
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    return [
        (
            s.id,
            f"{to_local(s.starts_at, event.tz):%a %d %b %H:%M}–"
            f"{to_local(s.ends_at, event.tz):%H:%M} · {s.room.name if s.room else 'no room'} · "
            f"{s.title}",
        )
        for s in sessions
    ]
