"""Agenda conflicts, found without a database: plain data in, a list of conflicts out.

Hard conflicts (a room booked twice, a person in two places at once, a talk outside its
session, talks overlapping inside a session, a session outside the event's dates) block
publishing; soft ones (sign-ups above capacity, a presenter whose registration is cancelled
or missing) warn.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SessionSlot:
    id: int
    title: str
    start: datetime
    end: datetime
    room_id: int | None = None
    room_name: str = ""
    capacity: int | None = None
    signups: int = 0
    chairs: tuple[int, ...] = ()  # registration ids

    @property
    def over_capacity(self) -> bool:
        """More sign-ups than places: a soft conflict, shown on the editor's grid."""
        return over_capacity(self.capacity, self.signups)


@dataclass(frozen=True)
class TalkSlot:
    id: int
    title: str
    session_id: int | None
    start: datetime | None  # None: not placed in time yet
    end: datetime | None
    presenters: tuple[int, ...] = ()


@dataclass(frozen=True)
class Conflict:
    kind: str  # room_double_booked, person_overlap, talk_outside_session, talks_overlap, ...
    hard: bool
    message: str
    sessions: tuple[int, ...] = ()
    talks: tuple[int, ...] = ()
    people: tuple[int, ...] = ()


@dataclass
class Agenda:
    """Everything the check needs; ``people`` maps registration id -> (name, status)."""

    event_start: datetime
    event_end: datetime
    sessions: list[SessionSlot] = field(default_factory=list)
    talks: list[TalkSlot] = field(default_factory=list)
    people: dict[int, tuple[str, str]] = field(default_factory=dict)


def over_capacity(capacity: int | None, taken: int) -> bool:
    """Whether more places are taken than a session has (never when they are not limited)."""
    return capacity is not None and taken > capacity


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: one ending at 10:00 and one starting at 10:00 do not overlap."""
    return a_start < b_end and b_start < a_end


def _clock(moment: datetime) -> str:
    return moment.strftime("%d %b %H:%M")


def _pairs_overlapping(items):
    """Pairs of (start, end, payload) that overlap, by a sweep over the start times."""
    ordered = sorted(items, key=lambda item: (item[0], item[1]))
    active: list = []
    for item in ordered:
        active = [other for other in active if other[1] > item[0]]
        for other in active:
            yield other, item
        active.append(item)


def find_conflicts(agenda: Agenda) -> list[Conflict]:
    """Every conflict in the agenda, hard ones first."""
    found: list[Conflict] = []
    sessions = {s.id: s for s in agenda.sessions}

    for s in agenda.sessions:
        if s.start < agenda.event_start or s.end > agenda.event_end:
            found.append(
                Conflict(
                    "session_outside_event",
                    True,
                    f"“{s.title}” ({_clock(s.start)}–{_clock(s.end)}) is outside the "
                    "event's dates.",
                    sessions=(s.id,),
                )
            )
        if s.over_capacity:
            found.append(
                Conflict(
                    "over_capacity",
                    False,
                    f"“{s.title}” has {s.signups} sign-ups for {s.capacity} places"
                    f"{' in ' + s.room_name if s.room_name else ''}.",
                    sessions=(s.id,),
                )
            )

    by_room = defaultdict(list)
    for s in agenda.sessions:
        if s.room_id is not None:
            by_room[s.room_id].append((s.start, s.end, s))
    for items in by_room.values():
        for (_, _, a), (_, _, b) in _pairs_overlapping(items):
            found.append(
                Conflict(
                    "room_double_booked",
                    True,
                    f"{a.room_name or 'The room'} is booked twice: “{a.title}” "
                    f"({_clock(a.start)}–{a.end:%H:%M}) and “{b.title}” "
                    f"({_clock(b.start)}–{b.end:%H:%M}).",
                    sessions=(a.id, b.id),
                )
            )

    by_session = defaultdict(list)
    for t in agenda.talks:
        if t.session_id is None or t.start is None:
            continue
        session = sessions.get(t.session_id)
        if session is not None and (t.start < session.start or t.end > session.end):
            found.append(
                Conflict(
                    "talk_outside_session",
                    True,
                    f"“{t.title}” ({_clock(t.start)}–{t.end:%H:%M}) runs outside its session "
                    f"“{session.title}” ({_clock(session.start)}–{session.end:%H:%M}).",
                    sessions=(session.id,),
                    talks=(t.id,),
                )
            )
        by_session[t.session_id].append((t.start, t.end, t))
    for items in by_session.values():
        for (_, _, a), (_, _, b) in _pairs_overlapping(items):
            found.append(
                Conflict(
                    "talks_overlap",
                    True,
                    f"“{a.title}” and “{b.title}” overlap in the same session.",
                    sessions=(a.session_id,),
                    talks=(a.id, b.id),
                )
            )

    # Where each person has to be: chairing a session, presenting a talk.
    where = defaultdict(list)
    for s in agenda.sessions:
        for person in s.chairs:
            where[person].append((s.start, s.end, ("chairs", s.title, s.room_name, s.id, None)))
    for t in agenda.talks:
        session = sessions.get(t.session_id) if t.session_id else None
        start = t.start or (session.start if session else None)
        end = t.end or (session.end if session else None)
        if start is None:
            continue
        room = session.room_name if session else ""
        for person in t.presenters:
            where[person].append((start, end, ("presents", t.title, room, t.session_id, t.id)))
    for person, items in where.items():
        name = agenda.people.get(person, (f"Registration {person}", ""))[0]
        for (a_start, _, a), (b_start, _, b) in _pairs_overlapping(items):
            if a[3] == b[3] and "chairs" in (a[0], b[0]):
                continue  # chairing a session while presenting in it is one place
            found.append(
                Conflict(
                    "person_overlap",
                    True,
                    f"{name} is in two places: {a[0]} “{a[1]}”"
                    f"{' in ' + a[2] if a[2] else ''} at {_clock(a_start)} and {b[0]} “{b[1]}”"
                    f"{' in ' + b[2] if b[2] else ''} at {_clock(b_start)}.",
                    sessions=tuple(x for x in (a[3], b[3]) if x is not None),
                    talks=tuple(x for x in (a[4], b[4]) if x is not None),
                    people=(person,),
                )
            )

    for t in agenda.talks:
        for person in t.presenters:
            name, status = agenda.people.get(person, ("", "missing"))
            if status in ("cancelled", "rejected", "missing"):
                who = name or f"Registration {person}"
                state = "has no registration" if status == "missing" else f"is {status}"
                found.append(
                    Conflict(
                        "presenter_unavailable",
                        False,
                        f"{who}, presenting “{t.title}”, {state}.",
                        talks=(t.id,),
                        people=(person,),
                    )
                )

    return sorted(found, key=lambda c: (not c.hard, c.kind, c.message))
