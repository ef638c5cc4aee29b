"""Building the agenda in the organisers' editor: rooms, tracks, moves, talks and their order.

Plain functions over the models, no Flask: they validate, change, flush and never commit.

How talk times follow their order: talks run one after the other in their session, each
keeping the gap before it (a welcome, a changeover); a talk starts when the one before it
ends plus that gap. Reordering keeps the gaps by place in the running order; a longer talk
pushes the ones after it later; a talk placed into a session goes last. Two talks of one
session therefore never overlap; a talk typed to start before the previous one ends is
refused. A session too short for its talks is allowed while editing and reported as a hard
conflict (conflicts.py), so it blocks publishing until fixed.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.agenda.ids import is_id
from conference.agenda.models import AgendaSession, Room, Talk, Track
from conference.agenda.services import (
    SessionDetails,
    event_window,
    get_by_id,
    local_day,
    save_session,
    to_utc,
)
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.papers.models import Paper
from conference.registration.models import Registration

STEP_MINUTES = 5  # sessions start on a 5-minute step
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _local_clock(event, moment: datetime) -> str:
    return f"{moment.astimezone(event.tz):%H:%M}"


# Rooms and tracks --------------------------------------------------------------------


def rooms_of(event) -> list[Room]:
    """The event's rooms in their order on the grid."""
    return db.session.scalars(
        select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name, Room.id)
    ).all()


def tracks_of(event) -> list[Track]:
    """The event's tracks by name."""
    return db.session.scalars(
        select(Track).where(Track.event_id == event.id).order_by(Track.name, Track.id)
    ).all()


def save_room(
    event, room: Room | None, name: str, capacity: int | None, notes: str = "", position: int = 0
) -> Room:
    """Create or change a room; names are unique within the event."""
    name = _clean(name)
    if not name:
        raise ValidationError("Give the room a name.", field="name")
    if len(name) > 100:
        raise ValidationError("The name can be at most 100 characters.", field="name")
    if capacity is not None and capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    taken = db.session.scalar(
        select(Room.id).where(
            Room.event_id == event.id,
            func.lower(Room.name) == name.lower(),
            Room.id != (room.id if room else -1),
        )
    )
    if taken:
        raise ValidationError(f"There is already a room called “{name}”.", field="name")
    if room is None:
        room = Room(event_id=event.id)
        db.session.add(room)
    room.name, room.capacity, room.position = name, capacity, position or 0
    room.notes = (notes or "").strip()
    db.session.flush()
    return room


def delete_room(event, room: Room) -> None:
    """Delete a room; refused while sessions are in it, so none loses its place silently."""
    count = db.session.scalar(
        select(func.count(AgendaSession.id)).where(AgendaSession.room_id == room.id)
    )
    if count:
        raise ValidationError(
            f"“{room.name}” still holds {count} session(s): move them to another room or "
            "delete them first."
        )
    db.session.delete(room)
    db.session.flush()


def save_track(event, track: Track | None, name: str, colour: str) -> Track:
    """Create or change a track; names are unique within the event, colours are #rrggbb."""
    name = _clean(name)
    if not name:
        raise ValidationError("Give the track a name.", field="name")
    if len(name) > 100:
        raise ValidationError("The name can be at most 100 characters.", field="name")
    if not COLOUR.match(colour or ""):
        raise ValidationError("Give the colour as #rrggbb.", field="colour")
    taken = db.session.scalar(
        select(Track.id).where(
            Track.event_id == event.id,
            func.lower(Track.name) == name.lower(),
            Track.id != (track.id if track else -1),
        )
    )
    if taken:
        raise ValidationError(f"There is already a track called “{name}”.", field="name")
    if track is None:
        track = Track(event_id=event.id)
        db.session.add(track)
    track.name, track.colour = name, colour.lower()
    db.session.flush()
    return track


def delete_track(event, track: Track) -> int:
    """Delete a track; its sessions stay, without a track. Returns how many there were."""
    sessions = db.session.scalars(
        select(AgendaSession).where(AgendaSession.track_id == track.id)
    ).all()
    for session in sessions:
        session.track = None
    db.session.delete(track)
    db.session.flush()
    return len(sessions)


# Sessions ----------------------------------------------------------------------------


def _of_event(event, row):
    return row if row is not None and row.event_id == event.id else None


def get_room(event, room_id) -> Room | None:
    """A room of this event, or None (also for another event's room, or a bad id)."""
    return _of_event(event, get_by_id(Room, room_id))


def get_track(event, track_id) -> Track | None:
    """A track of this event, or None (also for another event's track, or a bad id)."""
    return _of_event(event, get_by_id(Track, track_id))


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
    return _of_event(event, session)


def get_talk(event, talk_id) -> Talk | None:
    """A talk of this event, or None (also for another event's talk, or a bad id)."""
    return _of_event(event, get_by_id(Talk, talk_id))


def find_session(event, session_id, *, with_talks: bool = False) -> AgendaSession:
    """A session of this event (as get_session), or NotFound."""
    session = get_session(event, session_id, with_talks=with_talks)
    if session is None:
        raise NotFound("There is no such session in this event.")
    return session


def find_talk(event, talk_id) -> Talk:
    """A talk of this event, or NotFound."""
    talk = get_talk(event, talk_id)
    if talk is None:
        raise NotFound("There is no such talk in this event.")
    return talk


def _shift_talks(session: AgendaSession, delta: timedelta) -> None:
    if delta:
        for talk in session.talks:
            if talk.starts_at is not None:
                talk.starts_at = talk.starts_at + delta


def update_session(
    event, session: AgendaSession | None, details: SessionDetails, signed_up_only: bool = False
) -> AgendaSession:
    """Create or change a session (rules in services.save_session); its talks keep their
    offsets from its start when it moves."""
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
        starts_local = starts_local.astimezone(event.tz).replace(tzinfo=None)
    if starts_local.second or starts_local.microsecond or starts_local.minute % STEP_MINUTES:
        raise ValidationError(
            f"Sessions start on a {STEP_MINUTES}-minute step (e.g. 10:00, 10:05).", field="starts"
        )
    if not event.start_date <= starts_local.date() <= event.end_date:
        raise ValidationError(
            f"{starts_local:%d %b %Y} is not a day of the event "
            f"({event.start_date:%d %b} – {event.end_date:%d %b %Y}).",
            field="starts",
        )
    starts = to_utc(event, starts_local, "starts")
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
    """Delete a session; its talks go back to the unplaced ones, its sign-ups go with it.
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
    db.session.delete(session)
    db.session.flush()
    return len(talks)


# Talks -------------------------------------------------------------------------------


@dataclass
class TalkDetails:
    """What an organiser says about a talk; ``starts`` is an event-local clock time."""

    title: str
    duration_minutes: int
    abstract: str = ""
    presenter_ids: tuple[int, ...] = ()
    session_id: int | None = None
    starts: time | None = None  # None: after the talk before it


def gaps_before(session_start: datetime, talks) -> list[timedelta]:
    """The gap before each talk (in order): after the session's start for the first, after
    the previous talk's end for the others; never negative."""
    cursor, gaps = session_start, []
    for talk in talks:
        start = talk.starts_at or cursor
        gaps.append(max(start - cursor, timedelta(0)))
        cursor = max(start, cursor) + timedelta(minutes=talk.duration_minutes)
    return gaps


def lay_out(session_start: datetime, durations, gaps) -> list[datetime]:
    """Start times for talks of these durations (minutes) run in order with these gaps."""
    starts, cursor = [], session_start
    for minutes, gap in zip(durations, gaps, strict=True):
        cursor += gap
        starts.append(cursor)
        cursor += timedelta(minutes=minutes)
    return starts


def _ordered(session: AgendaSession, without: Talk | None = None) -> list[Talk]:
    talks = db.session.scalars(
        select(Talk).where(Talk.session_id == session.id).order_by(Talk.position, Talk.id)
    ).all()
    return [t for t in talks if t is not without]


def _apply(session: AgendaSession, talks: list[Talk], gaps: list[timedelta]) -> None:
    starts = lay_out(session.starts_at, [t.duration_minutes for t in talks], gaps)
    for position, (talk, start) in enumerate(zip(talks, starts, strict=True)):
        talk.session, talk.position, talk.starts_at = session, position, start


def _remove(talk: Talk) -> None:
    """Take a talk out of its session; the talks after it move up (keeping their gaps)."""
    session = talk.session
    if session is None:
        return
    talks = _ordered(session)
    gaps = gaps_before(session.starts_at, talks)
    index = talks.index(talk)
    talks.pop(index)
    gaps.pop(index + 1 if index + 1 < len(gaps) else index)
    _apply(session, talks, gaps)
    talk.session, talk.starts_at, talk.position = None, None, 0


def place_talk(event, talk: Talk, session_id: int | None, position: int | None = None) -> Talk:
    """Put a talk into a session (last, or at ``position``), or back among the unplaced
    talks when ``session_id`` is None."""
    if session_id is None:
        _remove(talk)
        db.session.flush()
        return talk
    session = get_session(event, session_id)
    if session is None:
        raise ValidationError("Choose a session of this event.", field="session_id")
    if talk.session is session and position is None:
        return talk
    _remove(talk)
    talks = _ordered(session, without=talk)
    gaps = gaps_before(session.starts_at, talks)
    changeover = gaps[-1] if len(gaps) > 1 else timedelta(0)
    index = len(talks) if position is None else max(0, min(position, len(talks)))
    talks.insert(index, talk)
    gaps.insert(index, changeover if index else (gaps[0] if gaps else timedelta(0)))
    if index == 0 and len(gaps) > 1:
        gaps[1] = changeover  # the talk pushed to second place follows with a changeover
    _apply(session, talks, gaps)
    db.session.flush()
    return talk


def reorder_talk(event, talk: Talk, position: int) -> Talk:
    """Move a talk to another place in its session's running order; times follow."""
    session = talk.session
    if session is None:
        raise ValidationError("Place the talk in a session first.", field="position")
    talks = _ordered(session)
    gaps = gaps_before(session.starts_at, talks)
    talks.remove(talk)
    talks.insert(max(0, min(position, len(talks))), talk)
    _apply(session, talks, gaps)
    db.session.flush()
    return talk


def _presenters(event, ids) -> list[Registration]:
    people = []
    for registration_id in dict.fromkeys(ids):
        person = _of_event(event, get_by_id(Registration, registration_id))
        if person is None:
            raise ValidationError(
                "Presenters must be registered for this event.", field="presenter_ids"
            )
        people.append(person)
    return people


def save_talk(event, talk: Talk | None, details: TalkDetails) -> Talk:
    """Create or change a talk: its text, presenters, length, session and start; the talks
    after it follow. Overlapping another talk of the session is refused."""
    title = _clean(details.title)
    if not title:
        raise ValidationError("Give the talk a title.", field="title")
    if len(title) > 300:
        raise ValidationError("The title can be at most 300 characters.", field="title")
    minutes = details.duration_minutes
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise ValidationError(
            "The length is a number of minutes, from 1 to 600.", field="duration_minutes"
        )
    presenters = _presenters(event, details.presenter_ids)
    session = None
    if details.session_id is not None:
        session = get_session(event, details.session_id)
        if session is None:
            raise ValidationError("Choose a session of this event.", field="session_id")
    if details.starts is not None and session is None:
        raise ValidationError("Only a talk in a session has a start time.", field="starts")

    if talk is None:
        talk = Talk(event_id=event.id, duration_minutes=minutes)
        db.session.add(talk)
    talk.title, talk.abstract = title, (details.abstract or "").strip()
    talk.presenters = presenters
    if talk.session is not session:
        # Out of the old session at its old length; it goes last in the new one, so its
        # new length moves nobody.
        place_talk(event, talk, session.id if session else None)
        talk.duration_minutes = minutes
    elif session is not None and minutes != talk.duration_minutes:
        talks = _ordered(session)
        gaps = gaps_before(session.starts_at, talks)
        talk.duration_minutes = minutes
        _apply(session, talks, gaps)  # the talks after it follow
    else:
        talk.duration_minutes = minutes
    if details.starts is not None:
        _set_start(event, talk, details.starts)
    db.session.flush()
    return talk


def _set_start(event, talk: Talk, clock: time) -> None:
    """Start a placed talk at a clock time of its session's day; the talks after it follow."""
    session = talk.session
    day = session.starts_at.astimezone(event.tz).date()
    wanted = to_utc(event, datetime.combine(day, clock), "starts")
    if not session.starts_at <= wanted < session.ends_at:
        raise ValidationError(
            f"Start the talk within its session, {_local_clock(event, session.starts_at)}–"
            f"{_local_clock(event, session.ends_at)}.",
            field="starts",
        )
    talks = _ordered(session)
    gaps = gaps_before(session.starts_at, talks)
    index = talks.index(talk)
    if index:
        before = talks[index - 1]
        ends = before.starts_at + timedelta(minutes=before.duration_minutes)
        if wanted < ends:
            raise ValidationError(
                f"That overlaps “{before.title}” ({_local_clock(event, before.starts_at)}–"
                f"{_local_clock(event, ends)}): start at {_local_clock(event, ends)} or later, "
                "or change the order of the talks.",
                field="starts",
            )
        gaps[index] = wanted - ends
    else:
        gaps[index] = wanted - session.starts_at
    _apply(session, talks, gaps)


def delete_talk(event, talk: Talk) -> None:
    """Delete a talk; the talks after it in its session move up. Refused for the talk of an
    accepted paper, which would be left accepted without a talk."""
    paper = db.session.scalar(select(Paper).where(Paper.talk_id == talk.id))
    if paper is not None:
        raise ValidationError(
            f"This talk is the accepted paper “{paper.title}”: take it out of its session "
            "instead, or change the paper's decision."
        )
    _remove(talk)
    db.session.delete(talk)
    db.session.flush()


def unplaced_talks(event) -> list[Talk]:
    """Talks not in any session yet, for the editor's sidebar."""
    return db.session.scalars(
        select(Talk)
        .where(Talk.event_id == event.id, Talk.session_id.is_(None))
        .options(selectinload(Talk.presenters))
        .order_by(Talk.title, Talk.id)
    ).all()


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
        .order_by(func.lower(Registration.family_name), func.lower(Registration.given_name))
    ).all()
    choices = []
    for rid, given, family, native, organisation, country, status in rows:
        if status in ("cancelled", "rejected") and rid not in keep_ids:
            continue
        label = f"{family.upper()} {given}".strip()
        if native and native not in (f"{given} {family}".strip(), f"{family} {given}".strip()):
            label += f" ({native})"
        label += f" · {organisation} · {country}"
        if status in ("cancelled", "rejected"):
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
            f"{s.starts_at.astimezone(event.tz):%a %d %b %H:%M}–"
            f"{_local_clock(event, s.ends_at)} · {s.room.name if s.room else 'no room'} · "
            f"{s.title}",
        )
        for s in sessions
    ]


# The day grid ------------------------------------------------------------------------


@dataclass
class GridCell:
    """One cell of the grid: empty (a drop target) or holding one or more sessions."""

    room_id: int | None
    starts: str  # event-local "YYYY-MM-DDTHH:MM"
    rowspan: int = 1
    sessions: list = field(default_factory=list)


@dataclass
class GridRow:
    starts: str  # event-local "YYYY-MM-DDTHH:MM"
    label: str  # "09:00" on the hour and half hour, else ""
    cells: list[GridCell] = field(default_factory=list)


@dataclass
class Grid:
    day: date
    columns: list  # (room_id or None, name, capacity)
    rows: list[GridRow]
    step: int


def build_grid(day: date, tz, rooms, sessions, step: int = STEP_MINUTES) -> Grid:
    """One day as a table: rows every ``step`` minutes (at least 08:00–18:00, wider when a
    session needs it), a column per room (and one for sessions without a room), each
    session in a cell spanning its rows. Sessions overlapping in one room share a cell.

    ``rooms`` are (id, name, capacity); ``sessions`` have ``id``, ``room_id``,
    ``starts_at`` and ``ends_at`` (aware). Pure: no database."""
    day_start, day_end = (moment.astimezone(UTC) for moment in local_day(day, tz))
    todays = [s for s in sessions if s.starts_at < day_end and s.ends_at > day_start]
    first = datetime.combine(day, time(8), tz).astimezone(UTC)
    last = datetime.combine(day, time(18), tz).astimezone(UTC)
    for s in todays:
        first = min(first, max(s.starts_at, day_start))
        last = max(last, min(s.ends_at, day_end))
    # Whole hours of local time at both ends.
    local_first = first.astimezone(tz)
    first = first - timedelta(minutes=local_first.minute, seconds=local_first.second)
    local_last = last.astimezone(tz)
    if local_last.minute or local_last.second:
        last = last + timedelta(minutes=60 - local_last.minute, seconds=-local_last.second)
    first, last = max(first, day_start), min(last, day_end)
    minutes = int((last - first).total_seconds() // 60)
    count = -(-minutes // step)
    times = [first + timedelta(minutes=step * n) for n in range(count)]

    columns = [(r[0], r[1], r[2]) for r in rooms]
    known = {r[0] for r in rooms}
    if any(s.room_id not in known for s in todays):
        columns.append((None, "No room", None))

    def row_of(moment: datetime, up: bool) -> int:
        offset = (moment - first).total_seconds() / 60 / step
        whole = int(offset)
        if up and offset > whole:
            whole += 1
        return max(0, min(count, whole))

    # Sessions of each column, grouped where they overlap: (first row, end row, sessions).
    groups: dict = defaultdict(list)
    for s in sorted(todays, key=lambda s: (s.starts_at, s.ends_at, s.id)):
        room = s.room_id if s.room_id in known else None
        top, bottom = row_of(s.starts_at, False), row_of(s.ends_at, True)
        bottom = max(bottom, top + 1)
        column = groups[room]
        if column and top < column[-1][1]:
            column[-1][1] = max(column[-1][1], bottom)
            column[-1][2].append(s)
        else:
            column.append([top, bottom, [s]])

    def stamp(moment: datetime) -> str:
        return f"{moment.astimezone(tz):%Y-%m-%dT%H:%M}"

    rows = []
    starts_of = {room_id: {g[0]: g for g in groups[room_id]} for room_id, _, _ in columns}
    covered: dict = {room_id: 0 for room_id, _, _ in columns}  # rows still under a cell
    for n, moment in enumerate(times):
        local = moment.astimezone(tz)
        row = GridRow(stamp(moment), f"{local:%H:%M}" if local.minute % 30 == 0 else "")
        for room_id, _, _ in columns:
            group = starts_of[room_id].get(n)
            if group is not None:
                rowspan = group[1] - group[0]
                row.cells.append(GridCell(room_id, row.starts, rowspan, group[2]))
                covered[room_id] = rowspan - 1
            elif covered[room_id]:
                covered[room_id] -= 1
            else:
                row.cells.append(GridCell(room_id, row.starts))
        rows.append(row)
    return Grid(day, columns, rows, step)


def day_sessions(event, day: date) -> list[AgendaSession]:
    """The sessions of one event day (those overlapping it), with room, track, talks."""
    start, end = local_day(day, event.tz)
    return db.session.scalars(
        select(AgendaSession)
        .where(
            AgendaSession.event_id == event.id,
            AgendaSession.starts_at < end,
            AgendaSession.ends_at > start,
        )
        .options(
            selectinload(AgendaSession.room),
            selectinload(AgendaSession.track),
            selectinload(AgendaSession.talks),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()


def conflicts_by_session(conflicts, agenda) -> dict[int, list]:
    """Each session's conflicts, including those of the talks inside it."""
    talk_session = {t.id: t.session_id for t in agenda.talks}
    found: dict[int, list] = defaultdict(list)
    for conflict in conflicts:
        ids = set(conflict.sessions)
        ids.update(talk_session.get(t) for t in conflict.talks)
        for session_id in ids - {None}:
            found[session_id].append(conflict)
    return found
