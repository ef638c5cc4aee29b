from datetime import date, datetime, timedelta

from conference.agenda.models import AgendaSession, Room, Talk
from conference.agenda.services import agenda_conflicts
from tests.factories import make_category, make_event, make_registration


def local(event, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=event.tz)


def test_conflicts_are_found_in_the_stored_agenda(db):
    event = make_event()
    speaker = make_registration(event, make_category(event, "Speaker"))
    room = Room(event_id=event.id, name="Room 2", capacity=40)
    db.session.add(room)
    day = event.start_date
    a = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Parallel A",
        room=room,
        starts_at=local(event, day, 10),
        ends_at=local(event, day, 11, 30),
    )
    b = AgendaSession(
        event_id=event.id,
        kind="cultural",
        title="Dances",
        room=room,
        starts_at=local(event, day, 11),
        ends_at=local(event, day, 12),
    )
    db.session.add_all([a, b])
    db.session.flush()
    talk = Talk(
        event_id=event.id,
        session=a,
        title="Son La: no one left behind",
        starts_at=local(event, day, 11, 15),
        duration_minutes=30,
    )
    talk.presenters.append(speaker)
    db.session.add(talk)
    db.session.commit()

    conflicts = agenda_conflicts(event)
    assert [(c.kind, c.hard) for c in conflicts] == [
        ("room_double_booked", True),
        ("talk_outside_session", True),
    ]
    assert "Room 2 is booked twice" in conflicts[0].message


def test_a_session_on_the_wrong_day_is_outside_the_event(db):
    event = make_event()
    day = event.end_date + timedelta(days=1)
    db.session.add(
        AgendaSession(
            event_id=event.id,
            kind="plenary",
            title="Closing",
            starts_at=local(event, day, 9),
            ends_at=local(event, day, 10),
        )
    )
    db.session.commit()
    [conflict] = agenda_conflicts(event)
    assert conflict.kind == "session_outside_event"
