"""Agenda data: tracks, sessions, whole published programmes, the editor's session form."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from conference.agenda.models import AgendaSession, AgendaSignup, Room, Talk, Track
from conference.agenda.publishing import publish
from conference.agenda.sessions import SessionDetails, update_session
from conference.extensions import db
from tests.factories.events import make_event
from tests.factories.registration import make_category, make_registration


def local_time(event, day_offset: int, hour: int, minute: int = 0) -> datetime:
    """An aware time in the event's zone on its first (0), second (1), … day."""
    day = event.start_date + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=event.tz)


def make_track(event, name="Inclusive learning cities"):
    """A track (a topic of the call for papers)."""
    track = Track(event_id=event.id, name=name)
    db.session.add(track)
    db.session.commit()
    return track


def make_session(
    event,
    room=None,
    start=(10, 0),
    end=(11, 30),
    *,
    title="Parallel session A",
    day: date | None = None,
    kind="parallel",
    signed_up_only=False,
    **details,
) -> AgendaSession:
    """A session through the editor's service, from ``start`` to ``end`` (hour, minute) in
    the event's time on ``day`` (its first unless given); ``details`` are more
    SessionDetails (capacity, track_id, chair_ids, description)."""
    day = day or event.start_date
    if room is not None and room.id is None:
        db.session.add(room)
        db.session.flush()
    session = update_session(
        event,
        None,
        SessionDetails(
            kind=kind,
            title=title,
            starts=datetime(day.year, day.month, day.day, *start),
            ends=datetime(day.year, day.month, day.day, *end),
            room_id=room.id if room else None,
            **details,
        ),
        signed_up_only=signed_up_only,
    )
    db.session.commit()
    return session


def session_form(event, room=None, **overrides):
    """The editor's session form as a browser posts it."""
    data = {
        "kind": "parallel",
        "title": "Parallel session B: resilient cities",
        "description": "",
        "day": event.start_date.isoformat(),
        "starts": "15:30",
        "ends": "17:00",
        "room_id": str(room.id) if room else "",
        "track_id": "",
        "capacity": "",
    }
    data.update(overrides)
    return data


def accepted_paper(event, talk, title="Son La: a learning city where no one is left behind"):
    """An accepted paper whose talk is ``talk`` (as papers.decisions.decide makes it)."""
    from conference.papers.models import Paper

    author = make_registration(event, make_category(event, "Speaker"))
    paper = Paper(
        event_id=event.id,
        submitter_id=author.id,
        title=title,
        abstract="How Son La reached every village.",
        status="accepted",
        talk_id=talk.id,
    )
    db.session.add(paper)
    db.session.commit()
    return paper


def published_programme(event, parallel_sessions=2, talks_per_session=2):
    """A plenary on day 1, parallel sessions side by side after it, a keynote on day 2;
    published."""
    speakers = make_category(event, "Speaker")
    chair = make_registration(
        event,
        speakers,
        title="Dr",
        given_name="Pranee",
        family_name="Srisuk",
        native_name="ปราณี ศรีสุข",
        country="TH",
        organisation="UNESCAP",
    )
    track = Track(event_id=event.id, name="Inclusion", colour="#7b2d8e")
    hall = Room(event_id=event.id, name="Grand Ballroom", capacity=600, position=0)
    db.session.add_all([track, hall])
    opening = AgendaSession(
        event_id=event.id,
        kind="plenary",
        title="Opening plenary",
        description="Welcome by UNESCO Bangkok.\n\nThe Minister speaks.",
        room=hall,
        starts_at=local_time(event, 0, 9),
        ends_at=local_time(event, 0, 10, 30),
    )
    opening.chairs.append(chair)
    db.session.add(opening)
    sessions = []
    for n in range(parallel_sessions):
        room = Room(event_id=event.id, name=f"Room {n + 1}", capacity=40, position=n + 1)
        presenter = make_registration(
            event,
            speakers,
            given_name="Trung Chiến",
            family_name=f"Hà {n}",
            native_name=f"Hà Trung Chiến {n}",
        )
        block = AgendaSession(
            event_id=event.id,
            kind="parallel",
            title=f"Parallel session {n + 1}",
            room=room,
            track=track if n % 2 == 0 else None,
            starts_at=local_time(event, 0, 11),
            ends_at=local_time(event, 0, 11) + timedelta(minutes=20 * talks_per_session),
        )
        db.session.add_all([room, block])
        for k in range(talks_per_session):
            item = Talk(
                event_id=event.id,
                session=block,
                position=k,
                title=f"Talk {k + 1} of session {n + 1}",
                abstract="Son La builds a learning city.\n\n<script>alert(1)</script> & more",
                starts_at=block.starts_at + timedelta(minutes=20 * k),
                duration_minutes=20,
            )
            item.presenters.append(presenter)
            db.session.add(item)
        sessions.append(block)
    keynote = AgendaSession(
        event_id=event.id,
        kind="keynote",
        title="Keynote on day two",
        room=hall,
        starts_at=local_time(event, 1, 9),
        ends_at=local_time(event, 1, 10),
    )
    db.session.add(keynote)
    db.session.commit()
    publish(event)
    db.session.commit()
    return {"opening": opening, "parallel": sessions, "keynote": keynote, "chair": chair}


def signup_agenda(lotus_capacity=2):
    """An event with a published agenda for sign-ups: a plenary, two parallel blocks side
    by side and one after them, a dinner for all; a speaker in one of the blocks."""
    event = make_event()
    category = make_category(event, "Delegate")
    grand = Room(event_id=event.id, name="Grand Ballroom", capacity=600, position=0)
    lotus = Room(event_id=event.id, name="Lotus Room", capacity=lotus_capacity, position=1)
    orchid = Room(event_id=event.id, name="Orchid Room", position=2)  # capacity unknown
    db.session.add_all([grand, lotus, orchid])
    db.session.flush()
    a = SimpleNamespace(event=event, category=category, grand=grand, lotus=lotus, orchid=orchid)
    a.opening = make_session(
        event, grand, (9, 0), (10, 30), kind="plenary", title="Opening plenary"
    )
    a.inclusion = make_session(
        event, lotus, (13, 30), (15, 0), title="Parallel A: no one left behind"
    )
    a.climate = make_session(
        event, orchid, (13, 30), (15, 0), title="Parallel B: climate resilience"
    )
    a.later = make_session(event, lotus, (15, 30), (17, 0), title="Parallel C: digital skills")
    a.dinner = make_session(event, grand, (19, 0), (21, 0), kind="cultural", title="Welcome dinner")
    a.speaker = make_registration(event, category, given_name="Kim", family_name="Lee")
    talk = Talk(event_id=event.id, session=a.climate, title="Suwon: climate", duration_minutes=20)
    talk.presenters.append(a.speaker)
    db.session.add(talk)
    db.session.commit()
    publish(event)
    db.session.commit()
    return a


def signups_of(registration) -> list[str]:
    """The titles of the sessions ``registration`` signed up for."""
    return sorted(
        db.session.scalars(
            select(AgendaSession.title)
            .join(AgendaSignup, AgendaSignup.session_id == AgendaSession.id)
            .where(AgendaSignup.registration_id == registration.id)
        )
    )
