from datetime import date

from icalendar import Calendar

from conference.agenda.ics import agenda_ics

EVENT = {
    "slug": "asean3-2024",
    "title": "ASEAN+3 Regional Learning Cities Conference",
    "timezone": "Asia/Bangkok",
    "venue": "Conference Centre",
    "city": "Bangkok",
    "start_date": date(2024, 10, 29),
    "end_date": date(2024, 10, 30),
}
SNAPSHOT = {
    "timezone": "Asia/Bangkok",
    "sessions": [
        {
            "id": 1,
            "kind": "plenary",
            "title": "Opening plenary",
            "description": "Welcome.",
            "room": "Grand Hall",
            "track": "",
            "starts_at": "2024-10-29T02:00:00+00:00",
            "ends_at": "2024-10-29T03:30:00+00:00",
            "talks": [],
        },
        {
            "id": 2,
            "kind": "parallel",
            "title": "Parallel session A",
            "description": "",
            "room": "Room 2",
            "track": "Inclusion",
            "starts_at": "2024-10-29T07:00:00+00:00",
            "ends_at": "2024-10-29T08:30:00+00:00",
            "talks": [
                {
                    "id": 10,
                    "title": "Building a learning city where no one is left behind",
                    "presenters": [{"name": "Mr Trung Chiến Hà", "native_name": "Hà Trung Chiến"}],
                }
            ],
        },
    ],
}


def test_the_agenda_is_a_valid_calendar_with_every_session():
    calendar = Calendar.from_ical(agenda_ics(EVENT, SNAPSHOT))
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Opening plenary", "Parallel session A"]
    assert events[0].decoded("dtstart").isoformat() == "2024-10-29T02:00:00+00:00"
    assert "Hà Trung Chiến" in str(events[1]["description"])
    assert str(events[1]["location"]) == "Room 2, Conference Centre, Bangkok"
    assert str(calendar["x-wr-timezone"]) == "Asia/Bangkok"


def test_uids_are_stable_and_a_selection_gives_a_personal_calendar():
    first = Calendar.from_ical(agenda_ics(EVENT, SNAPSHOT)).walk("VEVENT")
    again = Calendar.from_ical(agenda_ics(EVENT, SNAPSHOT)).walk("VEVENT")
    assert [str(e["uid"]) for e in first] == [str(e["uid"]) for e in again]
    mine = Calendar.from_ical(agenda_ics(EVENT, SNAPSHOT, session_ids={2}, name="My agenda"))
    assert [str(e["summary"]) for e in mine.walk("VEVENT")] == ["Parallel session A"]
    assert str(mine["x-wr-calname"]) == "My agenda"
