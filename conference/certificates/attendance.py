"""What a delegate attended, from their check-ins: the days they were present (at the door
or in any session that day) and the sessions they were checked into.

Decisions:
- A day counts once the delegate was checked in that day anywhere: at the door, or into a
  session (a room scanner may be the only one they passed).
- Sessions are those of room check-ins, in the order they took place, at event-local times.
- Check-ins that were undone are gone, and so is what they proved.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from conference.agenda.models import AgendaSession, Room
from conference.checkin.models import CheckIn
from conference.extensions import db
from conference.ids import in_chunks


@dataclass(frozen=True)
class SessionAttended:
    """A session someone was checked into; times in the event's own zone."""

    session_id: int
    title: str
    starts: datetime
    ends: datetime
    room: str = ""


@dataclass
class Attended:
    """One delegate's attendance: the days (sorted) and the sessions (in time order)."""

    days: list[date] = field(default_factory=list)
    sessions: list[SessionAttended] = field(default_factory=list)


def attendance(event, registration_ids) -> dict[int, Attended]:
    """The attendance of each of these registrations that was checked in at least once."""
    days: dict[int, set[date]] = defaultdict(set)
    sessions: dict[int, list[SessionAttended]] = defaultdict(list)
    for chunk in in_chunks(list(registration_ids)):
        rows = db.session.execute(
            select(
                CheckIn.registration_id,
                CheckIn.day,
                AgendaSession.id,
                AgendaSession.title,
                AgendaSession.starts_at,
                AgendaSession.ends_at,
                Room.name,
            )
            .outerjoin(AgendaSession, AgendaSession.id == CheckIn.session_id)
            .outerjoin(Room, Room.id == AgendaSession.room_id)
            .where(CheckIn.event_id == event.id, CheckIn.registration_id.in_(chunk))
        )
        for registration_id, day, session_id, title, starts, ends, room in rows:
            days[registration_id].add(day)
            if session_id is not None:
                sessions[registration_id].append(
                    SessionAttended(
                        session_id, title, event.local(starts), event.local(ends), room or ""
                    )
                )
    return {
        rid: Attended(
            sorted(present),
            sorted(sessions.get(rid, []), key=lambda s: (s.starts, s.title, s.session_id)),
        )
        for rid, present in days.items()
    }


def attendance_of(registration) -> Attended:
    """One registration's attendance (empty when never checked in)."""
    return attendance(registration.event, [registration.id]).get(registration.id, Attended())


def days_text(days: list[date]) -> str:
    """The days as a person writes them: "29 October 2024", "29 and 30 October 2024",
    "30, 31 October and 1 November 2024"."""
    days = sorted(days)
    words = []
    for n, day in enumerate(days):
        following = days[n + 1] if n + 1 < len(days) else None
        word = str(day.day)
        if following is None or (following.year, following.month) != (day.year, day.month):
            word += f" {day:%B}"
        if following is None or following.year != day.year:
            word += f" {day.year}"
        words.append(word)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def presence_text(days: list[date], event_days: int) -> str:
    """The certificate's line on presence: "Present on 29 and 30 October 2024 (2 of 2 days)"."""
    text = f"Present on {days_text(days)}"
    if event_days > 1 and len(days) <= event_days:
        text += f" ({len(days)} of {event_days} days)"
    return text
