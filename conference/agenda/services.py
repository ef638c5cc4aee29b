"""Agenda rules that need the database; the checks themselves are in conflicts.py."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.conflicts import Agenda, SessionSlot, TalkSlot, find_conflicts
from conference.agenda.ids import is_id
from conference.agenda.kinds import SESSION_KINDS
from conference.agenda.models import (
    AgendaPublication,
    AgendaSession,
    Room,
    Talk,
    Track,
    session_chair,
    talk_presenter,
)
from conference.errors import ValidationError
from conference.extensions import db
from conference.registration.models import Registration


def local_day(day: date, tz) -> tuple[datetime, datetime]:
    """One day of the event's zone as aware times: local midnight to the next midnight."""
    return datetime.combine(day, time.min, tz), datetime.combine(
        day + timedelta(days=1), time.min, tz
    )


def event_window(event) -> tuple[datetime, datetime]:
    """The event's first and last day as aware times: midnight to midnight, local."""
    return local_day(event.start_date, event.tz)[0], local_day(event.end_date, event.tz)[1]


def person_name(given: str, family: str, native: str | None) -> str:
    """A name as conflict messages show it: Latin, then the native script when it differs."""
    latin = f"{given} {family}".strip()
    return f"{latin} ({native})" if native and native != latin else latin


def load_agenda(event) -> Agenda:
    """The event's agenda as plain data, in a fixed number of queries (not one per talk)."""
    from conference.agenda.signups import taken_by_session  # signups.py imports this module

    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.room))
    ).all()
    signups = taken_by_session(event.id)
    chairs: dict[int, list[int]] = {}
    for session_id, registration_id in db.session.execute(
        select(session_chair.c.session_id, session_chair.c.registration_id)
        .join(AgendaSession, AgendaSession.id == session_chair.c.session_id)
        .where(AgendaSession.event_id == event.id)
    ):
        chairs.setdefault(session_id, []).append(registration_id)
    talks = db.session.scalars(select(Talk).where(Talk.event_id == event.id)).all()
    presenters: dict[int, list[int]] = {}
    for talk_id, registration_id in db.session.execute(
        select(talk_presenter.c.talk_id, talk_presenter.c.registration_id)
        .join(Talk, Talk.id == talk_presenter.c.talk_id)
        .where(Talk.event_id == event.id)
    ):
        presenters.setdefault(talk_id, []).append(registration_id)
    people_ids = {p for ids in (*chairs.values(), *presenters.values()) for p in ids}
    people = {
        rid: (person_name(given, family, native), status)
        for rid, given, family, native, status, event_id in db.session.execute(
            select(
                Registration.id,
                Registration.given_name,
                Registration.family_name,
                Registration.native_name,
                Registration.status,
                Registration.event_id,
            ).where(Registration.id.in_(people_ids))
        )
        if event_id == event.id  # a presenter of another event counts as missing here
    }
    start, end = event_window(event)
    return Agenda(
        event_start=start,
        event_end=end,
        sessions=[
            SessionSlot(
                s.id,
                s.title,
                s.starts_at.astimezone(event.tz),
                s.ends_at.astimezone(event.tz),
                s.room_id,
                s.room.name if s.room else "",
                s.effective_capacity,
                signups.get(s.id, 0),
                tuple(chairs.get(s.id, ())),
            )
            for s in sessions
        ],
        talks=[
            TalkSlot(
                t.id,
                t.title,
                t.session_id,
                t.starts_at.astimezone(event.tz) if t.starts_at else None,
                (t.starts_at + timedelta(minutes=t.duration_minutes)).astimezone(event.tz)
                if t.starts_at
                else None,
                tuple(presenters.get(t.id, ())),
            )
            for t in talks
        ],
        people=people,
    )


def agenda_conflicts(event):
    """Every conflict of the event's agenda, hard ones first."""
    return find_conflicts(load_agenda(event))


# Building the agenda -----------------------------------------------------------------


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


def to_utc(event, local: datetime, field: str) -> datetime:
    """An event-local wall-clock time as an aware time; refuses times that do not exist
    (the hour skipped when clocks go forward)."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=event.tz)
    if aware.astimezone(UTC).astimezone(event.tz).replace(tzinfo=None) != local:
        raise ValidationError(
            f"{local:%d %b %Y %H:%M} does not exist in {event.timezone} (the clocks jump "
            "forward then): choose another time.",
            field=field,
        )
    return aware.astimezone(UTC)


def get_by_id(model, row_id):
    """The row of ``model`` with this id, or None (also for a value that cannot be an id:
    10**20, a float, a bool, a string)."""
    return db.session.get(model, row_id) if is_id(row_id) else None


def save_session(event, session: AgendaSession | None, details: SessionDetails):
    """Create or change a session; the rules that need no conflict check are enforced here.
    It starts on a day of the event (or, when it is changed, on the day it is on already)."""
    if details.kind not in SESSION_KINDS:
        raise ValidationError("Choose a kind of session from the list.", field="kind")
    title = " ".join((details.title or "").split())
    if not title:
        raise ValidationError("Give the session a title.", field="title")
    if len(title) > 300:
        raise ValidationError("The title can be at most 300 characters.", field="title")
    starts_local = details.starts
    if starts_local.tzinfo is not None:
        starts_local = starts_local.astimezone(event.tz)
    day = starts_local.date()
    kept = session is not None and day == session.starts_at.astimezone(event.tz).date()
    if not (event.start_date <= day <= event.end_date or kept):
        raise ValidationError(
            f"{day:%d %b %Y} is not a day of the event "
            f"({event.start_date:%d %b} – {event.end_date:%d %b %Y}).",
            field="day",
        )
    starts = to_utc(event, details.starts, "starts")
    ends = to_utc(event, details.ends, "ends")
    if ends <= starts:
        raise ValidationError("The session must end after it starts.", field="ends")
    if details.capacity is not None and details.capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    room = get_by_id(Room, details.room_id)
    if details.room_id is not None and (room is None or room.event_id != event.id):
        raise ValidationError("Choose a room of this event.", field="room_id")
    track = get_by_id(Track, details.track_id)
    if details.track_id is not None and (track is None or track.event_id != event.id):
        raise ValidationError("Choose a track of this event.", field="track_id")
    chairs = []
    for chair_id in details.chair_ids:
        chair = get_by_id(Registration, chair_id)
        if chair is None or chair.event_id != event.id:
            raise ValidationError("Chairs must be registered for this event.", field="chairs")
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


# Publishing --------------------------------------------------------------------------


def snapshot(event) -> dict:
    """The agenda as the public sees it: plain JSON, times in ISO 8601 UTC."""
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(
            selectinload(AgendaSession.room),
            selectinload(AgendaSession.track),
            selectinload(AgendaSession.chairs),
            selectinload(AgendaSession.talks).selectinload(Talk.presenters),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()

    def person(r):
        return {
            "id": r.id,
            "name": r.display_name,
            "native_name": r.native_name,
            "organisation": r.organisation,
            "country": r.country,
        }

    return {
        "timezone": event.timezone,
        "sessions": [
            {
                "id": s.id,
                "kind": s.kind,
                "title": s.title,
                "description": s.description,
                "room": s.room.name if s.room else "",
                "room_id": s.room_id,
                "room_position": s.room.position if s.room else None,
                "track": s.track.name if s.track else "",
                "track_colour": s.track.colour if s.track else "",
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat(),
                "capacity": s.effective_capacity,
                "chairs": [person(c) for c in s.chairs],
                "talks": [
                    {
                        "id": t.id,
                        "title": t.title,
                        "abstract": t.abstract,
                        "starts_at": t.starts_at.isoformat() if t.starts_at else None,
                        "duration_minutes": t.duration_minutes,
                        "presenters": [person(p) for p in t.presenters],
                    }
                    for t in s.talks
                ],
            }
            for s in sessions
        ],
    }


def _talk_places(snap: dict) -> dict:
    places = {}
    for s in snap.get("sessions", []):
        for t in s["talks"]:
            places[t["id"]] = {
                "title": t["title"],
                "when": t["starts_at"] or s["starts_at"],
                "room": s["room"],
                "session": s["title"],
                "presenters": [p["id"] for p in t["presenters"]],
            }
    return places


def changelog(before: dict | None, after: dict) -> list[dict]:
    """Talks added, removed, or moved in time or room between two snapshots."""
    old, new = _talk_places(before or {}), _talk_places(after)
    changes = []
    for talk_id, place in new.items():
        previous = old.get(talk_id)
        if previous is None:
            if before is not None:
                changes.append({"talk": talk_id, "change": "added", **place})
        elif (previous["when"], previous["room"]) != (place["when"], place["room"]):
            changes.append(
                {
                    "talk": talk_id,
                    "change": "moved",
                    **place,
                    "was_when": previous["when"],
                    "was_room": previous["room"],
                }
            )
    for talk_id, place in old.items():
        if talk_id not in new:
            changes.append({"talk": talk_id, "change": "removed", **place})
    return changes


def latest_publication(event):
    """The agenda the public sees, or None before the first publication."""
    return db.session.scalar(
        select(AgendaPublication)
        .where(AgendaPublication.event_id == event.id)
        .order_by(AgendaPublication.version.desc())
        .limit(1)
    )


def publish(event, user=None) -> AgendaPublication:
    """Publish the draft; refused while hard conflicts remain, and when nothing changed
    since the latest version. Presenters of moved talks are told their new time and room
    by e-mail."""
    from conference.mail.services import queue_templated_mail

    # One publication at a time per event: on PostgreSQL a second organiser publishing at
    # the same moment waits here, then finds this version (SQLite serialises writers, and
    # the unique (event, version) refuses a duplicate; the route explains that).
    db.session.refresh(event, with_for_update=True)
    hard = [c for c in agenda_conflicts(event) if c.hard]
    if hard:
        raise ValidationError(
            f"{len(hard)} conflict(s) must be solved before publishing: {hard[0].message}"
        )
    previous = latest_publication(event)
    snap = snapshot(event)
    if previous is not None and snap == previous.snapshot:
        raise ValidationError(
            f"Nothing changed since version {previous.version}: there is nothing new to publish."
        )
    changes = changelog(previous.snapshot if previous else None, snap)
    publication = AgendaPublication(
        event_id=event.id,
        version=(previous.version + 1) if previous else 1,
        published_by=getattr(user, "id", None),
        snapshot=snap,
        changes=changes,
    )
    db.session.add(publication)
    db.session.flush()
    moved = [c for c in changes if c["change"] == "moved"]
    for change in moved:
        for presenter_id in change["presenters"]:
            presenter = db.session.get(Registration, presenter_id)
            if presenter is None or presenter.status in ("cancelled", "rejected"):
                continue
            when = datetime.fromisoformat(change["when"]).astimezone(event.tz)
            queue_templated_mail(
                presenter.email,
                f"Your talk has moved – {event.title}",
                "talk_moved",
                event=event,
                registration=presenter,
                change=change,
                when=when,
            )
    return publication
