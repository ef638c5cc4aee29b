from datetime import date, datetime, timedelta

from conference.agenda.draft import agenda_conflicts
from conference.agenda.models import AgendaSession, Room, Talk
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


def details(event, **overrides):
    from conference.agenda.sessions import SessionDetails

    day = event.start_date
    values = {
        "kind": "parallel",
        "title": "Parallel session A: inclusive learning cities",
        "starts": datetime(day.year, day.month, day.day, 10, 0),
        "ends": datetime(day.year, day.month, day.day, 11, 30),
    }
    values.update(overrides)
    return SessionDetails(**values)


def test_session_times_are_read_in_the_events_zone_and_stored_in_utc(db):
    from conference.agenda.sessions import save_session

    event = make_event(timezone="Asia/Bangkok")
    session = save_session(event, None, details(event))
    db.session.commit()
    db.session.expire_all()
    assert session.starts_at.hour == 3  # 10:00 in Bangkok is 03:00 UTC


def test_bad_sessions_are_refused_with_the_field_named(db):
    import pytest

    from conference.agenda.sessions import save_session
    from conference.errors import ValidationError

    event = make_event(
        timezone="Europe/Berlin", start_date=date(2026, 3, 29), end_date=date(2026, 3, 30)
    )
    other = make_event()
    foreign_room = Room(event_id=other.id, name="Elsewhere")
    stranger = make_registration(other, make_category(other))
    db.session.add(foreign_room)
    db.session.commit()
    cases = [
        ({"ends": datetime(2026, 3, 29, 9, 0)}, "ends"),
        ({"kind": "party"}, "kind"),
        ({"title": "  "}, "title"),
        ({"room_id": foreign_room.id}, "room_id"),
        ({"chair_ids": (stranger.id,)}, "chair_ids"),
        # 02:30 on 29 March 2026 does not exist in Berlin: clocks go from 02:00 to 03:00.
        ({"starts": datetime(2026, 3, 29, 2, 30)}, "starts"),
        # Ids the database cannot hold, or that are no ids at all: refused, never a crash.
        ({"room_id": 10**20}, "room_id"),
        ({"track_id": 2**31}, "track_id"),
        ({"chair_ids": (10**20,)}, "chair_ids"),
        ({"chair_ids": (True,)}, "chair_ids"),
        # Days outside the event (year 1 once crashed in to_utc; year 9999 was saved).
        ({"starts": datetime(1, 1, 1, 10), "ends": datetime(1, 1, 1, 11)}, "day"),
        ({"starts": datetime(9999, 12, 31, 10), "ends": datetime(9999, 12, 31, 11)}, "day"),
        ({"starts": datetime(2026, 3, 31, 10), "ends": datetime(2026, 3, 31, 11)}, "day"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as caught:
            save_session(event, None, details(event, **overrides))
        assert caught.value.field == field, overrides
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(AgendaSession.id))) == 0


def test_publishing_is_refused_while_hard_conflicts_remain(db):
    import pytest

    from conference.agenda.publishing import latest_publication, publish
    from conference.agenda.sessions import save_session
    from conference.errors import ValidationError

    event = make_event()
    room = Room(event_id=event.id, name="Room 2")
    db.session.add(room)
    db.session.flush()
    save_session(event, None, details(event, room_id=room.id))
    save_session(event, None, details(event, room_id=room.id, title="Clash"))
    db.session.commit()
    with pytest.raises(ValidationError, match="must be solved before publishing"):
        publish(event)
    db.session.rollback()
    assert latest_publication(event) is None


def test_republishing_lists_moved_talks_and_tells_their_presenters(db):
    from sqlalchemy import select

    from conference.agenda.publishing import publish
    from conference.agenda.sessions import save_session
    from conference.mail.models import OutboxMessage

    event = make_event()
    speaker = make_registration(event, make_category(event, "Speaker"))
    room_a, room_b = Room(event_id=event.id, name="Room A"), Room(event_id=event.id, name="Room B")
    db.session.add_all([room_a, room_b])
    db.session.flush()
    session = save_session(event, None, details(event, room_id=room_a.id))
    talk = Talk(
        event_id=event.id, session=session, title="Son La: no one left behind", duration_minutes=20
    )
    talk.presenters.append(speaker)
    db.session.add(talk)
    db.session.commit()

    first = publish(event)
    db.session.commit()
    assert (first.version, first.changes) == (1, [])
    assert first.snapshot["sessions"][0]["talks"][0]["presenters"][0]["native_name"] == (
        "Hà Trung Chiến"
    )

    session.room = room_b
    db.session.commit()
    second = publish(event)
    db.session.commit()
    assert second.version == 2
    [change] = second.changes
    assert (change["change"], change["room"], change["was_room"]) == ("moved", "Room B", "Room A")
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("Your talk has moved%"))
    ).all()
    assert [m.recipient for m in mail] == [speaker.email]
    assert "Room B" in mail[0].body_text


def test_publishing_again_without_a_change_is_refused_and_creates_nothing(db):
    import pytest

    from conference.agenda.models import AgendaPublication
    from conference.agenda.publishing import publish
    from conference.agenda.sessions import save_session
    from conference.errors import ValidationError

    event = make_event()
    session = save_session(event, None, details(event))
    db.session.commit()
    publish(event)
    db.session.commit()
    with pytest.raises(ValidationError, match="Nothing changed since version 1"):
        publish(event)
    db.session.rollback()
    session.title = "Parallel session A: inclusion"
    db.session.commit()
    assert publish(event).version == 2
    db.session.commit()
    count = db.session.scalar(db.select(db.func.count(AgendaPublication.id)))
    assert count == 2


def test_a_publish_that_loses_a_race_is_explained_and_changes_nothing(
    client, db, login, monkeypatch
):
    """Two organisers press Publish at once: the one whose version number is taken by
    the other is told so, instead of a server error."""
    from conference.agenda import publishing
    from conference.agenda.models import AgendaPublication
    from conference.agenda.sessions import save_session

    event = make_event()
    session = save_session(event, None, details(event))
    db.session.commit()
    publishing.publish(event)
    session.title = "Parallel session A: inclusion"
    db.session.commit()
    # This publish read the versions before the other one was committed: it makes version 1.
    monkeypatch.setattr(publishing, "latest_publication", lambda event: None)
    login(event.roles[0].user)
    page = client.post(f"/events/{event.slug}/agenda/publish", follow_redirects=True)
    assert page.status_code == 200
    assert "Someone else published the agenda at the same moment" in page.text
    versions = db.session.scalars(db.select(AgendaPublication.version)).all()
    assert versions == [1]


def test_simultaneous_publishes_make_one_version(make_app, database_url):
    import threading

    import pytest

    from conference.agenda.models import AgendaPublication
    from conference.agenda.publishing import publish
    from conference.agenda.sessions import save_session
    from conference.errors import ValidationError
    from conference.extensions import db as _db
    from conference.models import Event

    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers with row locks (SQLite serialises)")
    app = make_app(MAIL_DELIVER_AFTER_COMMIT=False)
    with app.app_context():
        event = make_event()
        save_session(event, None, details(event))
        _db.session.commit()
        event_id = event.id
    start = threading.Barrier(6, timeout=60)
    published, refusals, errors = [], [], []

    def attempt():
        with app.app_context():
            try:
                start.wait()
                published.append(publish(_db.session.get(Event, event_id)).version)
                _db.session.commit()
            except ValidationError as exc:
                refusals.append(exc.message)
                _db.session.rollback()
            except Exception as exc:  # every other failure is a test failure, reported below
                errors.append(repr(exc))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert published == [1]
    assert set(refusals) == {"Nothing changed since version 1: there is nothing new to publish."}
    with app.app_context():
        versions = _db.session.scalars(_db.select(AgendaPublication.version)).all()
        assert versions == [1]


def test_agenda_exports_come_from_the_published_version_only(client, db, login):
    from icalendar import Calendar

    from conference.agenda.sessions import save_session

    event = make_event()
    save_session(event, None, details(event, kind="plenary", title="Opening plenary"))
    db.session.commit()
    assert client.get(f"/events/{event.slug}/agenda.ics").status_code == 404
    assert client.get(f"/api/v1/events/{event.slug}/agenda").status_code == 404
    login(event.roles[0].user)
    client.post(f"/events/{event.slug}/agenda/publish")
    save_session(event, None, details(event, kind="cultural", title="Draft only"))
    db.session.commit()
    calendar = Calendar.from_ical(client.get(f"/events/{event.slug}/agenda.ics").data)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Opening plenary"]
    body = client.get(f"/api/v1/events/{event.slug}/agenda").get_json()
    assert body["version"] == 1 and [s["title"] for s in body["sessions"]] == ["Opening plenary"]


def test_schedule_exports_validate_against_the_c3voc_schemas(client, db, login):
    import json
    from pathlib import Path

    import jsonschema
    import xmlschema

    from conference.agenda.sessions import save_session

    schemas = Path(__file__).parent / "c3voc_schema"
    event = make_event(slug="asean3-2024", title="ASEAN+3 Regional Learning Cities Conference")
    speaker = make_registration(event, make_category(event, "Speaker"))
    room = Room(event_id=event.id, name="Lotus Room")
    db.session.add(room)
    db.session.flush()
    block = save_session(event, None, details(event, room_id=room.id))
    talk = Talk(
        event_id=event.id, session=block, title="Son La: no one left behind", duration_minutes=25
    )
    talk.presenters.append(speaker)
    db.session.add(talk)
    save_session(
        event,
        None,
        details(
            event,
            kind="plenary",
            title="Opening plenary",
            starts=details(event).starts.replace(hour=8),
            ends=details(event).starts.replace(hour=9),
        ),
    )
    db.session.commit()
    assert client.get(f"/events/{event.slug}/schedule.json").status_code == 404
    login(event.roles[0].user)
    client.post(f"/events/{event.slug}/agenda/publish")

    document = json.loads(client.get(f"/events/{event.slug}/schedule.json").data)
    jsonschema.validate(document, json.loads((schemas / "schema.json").read_text()))
    xml = client.get(f"/events/{event.slug}/schedule.xml").data
    xmlschema.XMLSchema(str(schemas / "schedule.xml.xsd")).validate(xml.decode("utf-8"))
    assert "Hà Trung Chiến" in xml.decode("utf-8")
