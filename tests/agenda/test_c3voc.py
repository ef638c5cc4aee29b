"""The c3voc schedule.json / schedule.xml export, validated against the published schemas."""

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from conference.agenda.c3voc import dumps_json, person_name, schedule_json, schedule_xml

SCHEMAS = Path(__file__).parent / "c3voc_schema"
BASE_URL = "https://conf.example.org/events/apcs-2025/agenda"

EVENT_INFO = {
    "slug": "apcs-2025",
    "title": "Asia-Pacific Conference on Sustainability 2025",
    "start_date": date(2025, 11, 17),
    "end_date": date(2025, 11, 18),
    "timezone": "Asia/Bangkok",
    "city": "Bangkok",
    "venue": "Queen Sirikit National Convention Center",
    "url": "https://conf.example.org/events/apcs-2025",
}

LAN = {
    "id": 11,
    "name": "Nguyen Thi Lan",
    "native_name": "Nguyễn Thị Lan",
    "organisation": "Viện Khoa học",
    "country": "VN",
}
SOMCHAI = {
    "id": 12,
    "name": "Dr. Somchai Jaidee",
    "native_name": "สมชาย ใจดี",
    "organisation": "Chulalongkorn University",
    "country": "TH",
}
LI = {
    "id": 13,
    "name": "Li Wei",
    "native_name": "李伟",
    "organisation": "Tsinghua University",
    "country": "CN",
}
CHAIR = {
    "id": 14,
    "name": "Pranee Srisuk",
    "native_name": "ปราณี ศรีสุข",
    "organisation": "UNESCAP",
    "country": "TH",
}
PLAIN = {
    "id": 15,
    "name": "Anna Schmidt",
    "native_name": "",
    "organisation": "TU Berlin",
    "country": "DE",
}


def session(id, kind, title, room_id, room, starts_at, ends_at, talks=(), chairs=(), track=""):
    return {
        "id": id,
        "kind": kind,
        "title": title,
        "description": f"About {title}.",
        "room": room,
        "room_id": room_id,
        "track": track,
        "track_colour": "#1F4E79" if track else "",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": 100,
        "chairs": list(chairs),
        "talks": list(talks),
    }


def talk(id, title, starts_at, minutes, presenters):
    return {
        "id": id,
        "title": title,
        "abstract": f"Abstract of {title}",
        "starts_at": starts_at,
        "duration_minutes": minutes,
        "presenters": presenters,
    }


SNAPSHOT = {
    "timezone": "Asia/Bangkok",
    "sessions": [
        # Day 1, 09:00–10:00 Bangkok: a plenary without talks (its id equals a talk's id).
        session(
            1,
            "plenary",
            "Opening plenary",
            1,
            "Grand Ballroom",
            "2025-11-17T02:00:00+00:00",
            "2025-11-17T03:00:00+00:00",
            chairs=[CHAIR],
        ),
        # Day 1, 10:30–12:00: a parallel session, the second talk without its own time.
        session(
            2,
            "parallel",
            "Inclusive rural development",
            2,
            "Lotus Room",
            "2025-11-17T03:30:00+00:00",
            "2025-11-17T05:00:00+00:00",
            track="Livelihoods",
            chairs=[PLAIN],
            talks=[
                talk(
                    1, "Sơn La: không ai bị bỏ lại phía sau", "2025-11-17T03:30:00+00:00", 20, [LAN]
                ),
                talk(2, "การพัฒนาชนบทอย่างยั่งยืน", None, 25, [SOMCHAI]),
                talk(3, "乡村振兴与可持续发展", "2025-11-17T04:30:00+00:00", 30, [LI, PLAIN]),
            ],
        ),
        session(
            3,
            "meal",
            "Lunch",
            1,
            "Grand Ballroom",
            "2025-11-17T05:00:00+00:00",
            "2025-11-17T06:00:00+00:00",
        ),
        # Day 2: a keynote-less morning and an evening cultural programme in a Thai-named room.
        session(
            4,
            "parallel",
            "Water",
            2,
            "Lotus Room",
            "2025-11-18T02:00:00+00:00",
            "2025-11-18T03:00:00+00:00",
            track="Livelihoods",
            talks=[talk(4, "Mekong water governance", None, 45, [PLAIN])],
        ),
        session(
            5,
            "cultural",
            "ระบำไทย — Thai dance",
            3,
            "ห้องประชุม ๓",
            "2025-11-18T12:00:00+00:00",
            "2025-11-18T13:30:00+00:00",
        ),
    ],
}

NAMES = [
    "Nguyễn Thị Lan",
    "สมชาย ใจดี",
    "李伟",
    "ปราณี ศรีสุข",
    "Anna Schmidt",
    "Sơn La: không ai bị bỏ lại phía sau",
    "การพัฒนาชนบทอย่างยั่งยืน",
    "乡村振兴与可持续发展",
    "ระบำไทย — Thai dance",
    "ห้องประชุม ๓",
]


@pytest.fixture(scope="module")
def json_doc():
    return schedule_json(EVENT_INFO, SNAPSHOT, version="3", base_url=BASE_URL)


@pytest.fixture(scope="module")
def xml_doc():
    return schedule_xml(EVENT_INFO, SNAPSHOT, version="3", base_url=BASE_URL)


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 -- our own output, not untrusted input


def events_of(doc):
    return {
        e["title"]: e
        for day in doc["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for e in room
    }


def test_json_is_valid_against_schema(json_doc):
    schema = json.loads((SCHEMAS / "schema.json").read_text("utf-8"))
    validator = jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(json_doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    # and it survives a round trip through UTF-8 bytes
    assert json.loads(dumps_json(json_doc).decode("utf-8")) == json_doc


def test_xml_is_valid_against_xsd(xml_doc):
    schema = xmlschema.XMLSchema(SCHEMAS / "schedule.xml.xsd")  # no imports: works offline
    schema.validate(xml_doc.decode("utf-8"))
    assert xml_doc.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_times_are_in_the_event_zone(json_doc, xml_doc):
    events = events_of(json_doc)
    plenary = events["Opening plenary"]
    assert plenary["date"] == "2025-11-17T09:00:00+07:00"
    assert plenary["start"] == "09:00"
    assert plenary["duration"] == "01:00"
    assert plenary["end"] == "2025-11-17T10:00:00+07:00"
    assert plenary["type"] == "plenary"
    assert plenary["room"] == "Grand Ballroom"
    assert [p["name"] for p in plenary["persons"]] == ["Pranee Srisuk (ปราณี ศรีสุข)"]

    first = events["Sơn La: không ai bị bỏ lại phía sau"]
    assert (first["start"], first["duration"], first["type"]) == ("10:30", "00:20", "lecture")
    assert first["track"] == "Livelihoods"

    culture = events["ระบำไทย — Thai dance"]
    assert culture["date"] == "2025-11-18T19:00:00+07:00"
    assert culture["duration"] == "01:30"
    assert culture["track"] is None

    root = parse(xml_doc)
    xml_plenary = next(e for e in root.iter("event") if e.findtext("title") == "Opening plenary")
    assert xml_plenary.findtext("date") == "2025-11-17T09:00:00+07:00"
    assert xml_plenary.findtext("start") == "09:00"
    assert xml_plenary.findtext("duration") == "01:00"
    assert root.findtext("conference/time_zone_name") == "Asia/Bangkok"


def test_talk_without_time_follows_the_previous_one(json_doc):
    events = events_of(json_doc)
    untimed = events["การพัฒนาชนบทอย่างยั่งยืน"]
    assert untimed["date"] == "2025-11-17T10:50:00+07:00"  # 10:30 + 20 minutes
    assert (untimed["start"], untimed["duration"]) == ("10:50", "00:25")
    assert untimed["room"] == "Lotus Room"
    # the first talk of a session without a time starts with the session
    assert events["Mekong water governance"]["date"] == "2025-11-18T09:00:00+07:00"
    # a talk with its own time keeps it
    assert events["乡村振兴与可持续发展"]["start"] == "11:30"


def test_days_and_rooms(json_doc, xml_doc):
    conference = json_doc["schedule"]["conference"]
    assert conference["acronym"] == "apcs_2025"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2025-11-17",
        "2025-11-18",
        2,
    )
    days = conference["days"]
    assert [(d["index"], d["date"]) for d in days] == [(1, "2025-11-17"), (2, "2025-11-18")]
    assert days[0]["day_start"] == "2025-11-17T09:00:00+07:00"
    assert days[0]["day_end"] == "2025-11-17T13:00:00+07:00"
    names = ["Grand Ballroom", "Lotus Room", "ห้องประชุม ๓"]
    assert [r["name"] for r in conference["rooms"]] == names
    assert all(list(d["rooms"]) == names for d in days)
    assert [e["title"] for e in days[0]["rooms"]["Grand Ballroom"]] == ["Opening plenary", "Lunch"]
    assert [e["title"] for e in days[0]["rooms"]["Lotus Room"]] == [
        "Sơn La: không ai bị bỏ lại phía sau",
        "การพัฒนาชนบทอย่างยั่งยืน",
        "乡村振兴与可持续发展",
    ]

    root = parse(xml_doc)
    assert [d.get("index") for d in root.findall("day")] == ["1", "2"]
    assert [r.get("name") for r in root.findall("day/room")] == names * 2


def test_ids_guids_and_slugs(json_doc, xml_doc):
    events = list(events_of(json_doc).values())
    assert len(events) == 7
    guids = [e["guid"] for e in events]
    assert len(set(guids)) == len(guids)
    assert all(uuid.UUID(g).version == 5 for g in guids)
    assert len({e["id"] for e in events}) == len(events)  # talk 1 and session 1 both exist
    assert len({e["slug"] for e in events}) == len(events)
    assert all(e["url"].startswith(BASE_URL + "/") for e in events)

    again = schedule_json(EVENT_INFO, SNAPSHOT, version="4", base_url=BASE_URL)
    assert [e["guid"] for e in events_of(again).values()] == guids
    xml_again = schedule_xml(EVENT_INFO, SNAPSHOT, version="3", base_url=BASE_URL)
    assert xml_again == xml_doc
    xml_guids = {e.findtext("title"): e.get("guid") for e in parse(xml_doc).iter("event")}
    assert xml_guids == {e["title"]: e["guid"] for e in events}

    # another event with the same ids gets other GUIDs
    other = schedule_json(
        {**EVENT_INFO, "slug": "apcs-2026"}, SNAPSHOT, version="1", base_url=BASE_URL
    )
    assert not set(guids) & {e["guid"] for e in events_of(other).values()}


def test_every_script_survives(json_doc, xml_doc):
    text = dumps_json(json_doc).decode("utf-8")
    xml_text = xml_doc.decode("utf-8")
    for name in NAMES:
        assert name in text, name
        assert name in xml_text, name
    root = parse(xml_doc)
    people = {p.text for p in root.iter("person")}
    assert people == {
        "Nguyễn Thị Lan",
        "Dr. Somchai Jaidee (สมชาย ใจดี)",
        "Li Wei (李伟)",
        "Pranee Srisuk (ปราณี ศรีสุข)",
        "Anna Schmidt",
    }


@pytest.mark.parametrize(
    ("name", "native", "shown"),
    [
        ("Anna Schmidt", "", "Anna Schmidt"),
        ("Nguyen Thi Lan", "Nguyễn Thị Lan", "Nguyễn Thị Lan"),
        ("Dr. Tran Van Duc", "Trần Văn Đức", "Dr. Trần Văn Đức"),
        ("Li Wei", "李伟", "Li Wei (李伟)"),
        ("Somchai Jaidee", "สมชาย ใจดี", "Somchai Jaidee (สมชาย ใจดี)"),
        ("", "李伟", "李伟"),
    ],
)
def test_person_name(name, native, shown):
    assert person_name({"name": name, "native_name": native}) == shown
