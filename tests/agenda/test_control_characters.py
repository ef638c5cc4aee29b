"""Control characters never reach the agenda raw: stripped from what organisers type, and
kept out of schedule.xml, schedule.json and the calendars even for rows stored before."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from icalendar import Calendar
from sqlalchemy import select

from conference.agenda.models import AgendaSession, Room, Talk
from conference.agenda.publishing import publish
from tests.factories import (
    make_event,
    organiser_of,
    session_form,
)

# Every C0 control and DEL, NUL included (PostgreSQL cannot even store NUL in text).
ALL_CONTROLS = "".join(map(chr, range(0x20))) + "\x7f"
# What a row stored before the fix can hold on both databases (not NUL).
STORABLE_CONTROLS = ALL_CONTROLS[1:]
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_controls_in_a_session_typed_into_the_editor_are_stripped(client, db, login):
    event = make_event()
    room = Room(event_id=event.id, name="Lotus Room")
    db.session.add(room)
    db.session.commit()
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/agenda/edit/sessions/new",
        data=session_form(
            event,
            room,
            title="Resilient\x00 cities\x1b[31m\x07:\tpanel\r\nof mayors\x7f",
            description="First line\x00\x08\r\nSecond line\x0bThird\twith a tab\x1b",
        ),
    )
    assert response.status_code == 302
    created = db.session.scalar(select(AgendaSession))
    # Line breaks and tabs become spaces in a one-line title; the rest goes.
    assert created.title == "Resilient cities[31m: panel of mayors"
    # A multi-line description keeps its line breaks (CR LF and Word's VT become LF) and tabs.
    assert created.description == "First line\nSecond line\nThird\twith a tab"


def test_controls_in_a_talk_and_a_room_typed_into_the_editor_are_stripped(client, db, login):
    event = make_event()
    login(organiser_of(event))
    base = f"/events/{event.slug}/agenda/edit"
    rooms = client.post(f"{base}/rooms", data={"name": "Hall\x00 B\x1b", "position": "0"})
    assert rooms.status_code == 302
    assert db.session.scalar(select(Room.name)) == "Hall B"
    talks = client.post(
        f"{base}/talks/new",
        data={
            "title": "Parks\x00 and\x1f people",
            "abstract": "One\x00\r\nTwo\x1b\x07 three",
            "duration_minutes": "20",
            "session_id": "",
        },
    )
    assert talks.status_code == 302
    talk = db.session.scalar(select(Talk))
    assert talk.title == "Parks and people"
    assert talk.abstract == "One\nTwo three"


def _agenda_with_controls(db, event):
    """A published agenda whose rows hold controls, as if stored before they were stripped."""
    room = Room(event_id=event.id, name="Room\x01 2\x1b")
    db.session.add(room)
    db.session.flush()
    day = event.start_date
    session = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Inclusion\x0b\x0c panel" + STORABLE_CONTROLS,
        description="About\x02 inclusion\r\nand\x1f parks",
        room=room,
        starts_at=datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
        ends_at=datetime(day.year, day.month, day.day, 8, 30, tzinfo=UTC),
    )
    plenary = AgendaSession(
        event_id=event.id,
        kind="plenary",
        title="Opening\x08 plenary\x7f",
        description="Welcome" + STORABLE_CONTROLS,
        room=room,
        starts_at=datetime(day.year, day.month, day.day, 2, tzinfo=UTC),
        ends_at=datetime(day.year, day.month, day.day, 3, tzinfo=UTC),
    )
    db.session.add_all([session, plenary])
    db.session.flush()
    db.session.add(
        Talk(
            event_id=event.id,
            session=session,
            title="No one\x03 left behind\x1b",
            abstract="Abstract\x04 on\r\nparks" + STORABLE_CONTROLS,
            duration_minutes=20,
            starts_at=session.starts_at,
        )
    )
    db.session.commit()
    publish(event)
    db.session.commit()
    return session, plenary


def test_schedule_xml_stays_well_formed_with_controls_in_stored_titles(client, db):
    event = make_event()
    _agenda_with_controls(db, event)
    response = client.get(f"/events/{event.slug}/schedule.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)  # noqa: S314 -- our own output; ill-formed raises
    titles = [t.text for t in root.iter("title")]
    assert "Opening plenary" in titles and "No one left behind" in titles
    assert "Room 2" in {r.get("name") for r in root.iter("room")}
    abstracts = " ".join(a.text or "" for a in root.iter("abstract"))
    assert not RAW_CONTROL.search(abstracts) and "Abstract on\nparks" in abstracts


def test_schedule_json_has_no_controls_from_stored_titles(client, db):
    event = make_event()
    _agenda_with_controls(db, event)
    response = client.get(f"/events/{event.slug}/schedule.json")
    assert response.status_code == 200
    document = json.loads(response.data)
    texts = []

    def walk(value):
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    assert "No one left behind" in texts and "Room 2" in texts
    assert not [t for t in texts if RAW_CONTROL.search(t)]


def test_calendars_have_no_raw_controls_from_stored_titles(client, db):
    event = make_event()
    session, _ = _agenda_with_controls(db, event)
    for url in (
        f"/events/{event.slug}/agenda.ics",
        f"/events/{event.slug}/sessions/{session.id}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        lines = response.data.decode("utf-8").replace("\r\n", "")
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", lines), url
        summaries = {str(e["summary"]) for e in Calendar.from_ical(response.data).walk("VEVENT")}
        assert any(s.startswith("Inclusion") and "panel" in s for s in summaries), url
