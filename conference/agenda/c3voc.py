"""The agenda in the c3voc schedule formats (schedule.json / schedule.xml), from a snapshot.

These are the formats read by conference apps such as Giggity and EventFahrplan and
written by frab and pretalx (https://c3voc.de/wiki/schedule). Data in, data out: no Flask,
no database. The input is ``publishing.snapshot(event)`` plus the ``event_info`` dict the
agenda routes build.

Mapping:

* every talk becomes an event in its session's room; a session without talks (plenary,
  ceremony, break, cultural programme, ...) becomes one event itself;
* a talk without its own start time follows the previous talk of its session (or starts
  with the session when it is the first);
* times are given in the event's time zone, with its UTC offset;
* events belong to the day (in the event's zone) on which they start; there is one
  ``day`` per calendar day from the event's first to its last (and further, should a
  session lie outside those dates), and every room appears on every day, as frab and
  pretalx do, so apps keep the same columns from day to day;
* GUIDs are uuid5 of a fixed namespace and "<event slug>/talk/<id>" or
  "<event slug>/session/<id>", so they survive re-publication, retitling and moves.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conference.names import name_and_native
from conference.text import strip_controls_deep

# Never change this: every GUID in every published schedule derives from it.
NAMESPACE = uuid.UUID("3b0f2a7e-9d41-5c6e-8f1a-2c7d4e5b9a13")

SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
GENERATOR = "conference"

# The type of an event made from a talk, by the kind of its session (else "lecture").
TALK_TYPES = {"keynote": "keynote", "poster": "poster"}

_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# schema.json's time_zone_name pattern (as written, unanchored at the end of the first branch).
_TZ_NAME_RE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
# schema.json's acronym pattern.
_ACRONYM_RE = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")


# ---------------------------------------------------------------------------------------------
# Small helpers


def _ascii_slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII words joined by "-"; "" for text with no Latin letters or digits."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = folded.replace("đ", "d").replace("Đ", "D")  # Vietnamese đ has no decomposition
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:limit].rstrip("-")


def acronym(event_slug: str) -> str:
    """The event slug made acceptable to both schemas' acronym patterns.

    schema.json allows hyphens only in a trailing "-2YYY-word" part, so "apcs-2025" is
    invalid there while "apcs_2025" is fine; hyphens become underscores unless the slug
    already matches.
    """
    slug = (event_slug or "").lower()
    if _ACRONYM_RE.match(slug):
        return slug
    candidate = re.sub(r"[^a-z0-9_]", "_", slug)
    return candidate.ljust(4, "_")


def person_name(person: dict) -> str:
    """One display string for a person, keeping the native-script name.

    The apps show a person as one string (and search it), so: the Latin-script name first
    (readable and searchable by everyone, and what the rest of the programme uses), then the
    native-script name in parentheses when it is really different ("Somchai Jaidee
    (สมชาย ใจดี)", "Li Wei (李伟)"). When the native name is only the same name with its
    diacritics ("Nguyen Van An" / "Nguyễn Văn An", in whatever order) the native spelling
    replaces the Latin one, keeping any honorific in front (conference/names.py).
    """
    name, beside = name_and_native(person.get("name") or "", person.get("native_name") or "")
    return f"{name} ({beside})" if beside else name


def _parse_utc(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # the snapshot promises UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def _hhmm(minutes: int) -> str:
    minutes = max(0, int(minutes))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# The neutral model both formats are written from


def _events(event_info: dict, snapshot: dict, tz: ZoneInfo, base_url: str) -> list[dict]:
    slug = event_info["slug"]
    prefix = acronym(slug).replace("-", "_")
    fallback_room = event_info.get("venue") or "TBA"
    events = []

    def add(kind: str, item_id: int, title: str, start: datetime, minutes: int, **fields):
        numeric = 2 * item_id if kind == "talk" else 2 * item_id - 1
        title_slug = _ascii_slug(title)
        event_slug = f"{prefix}-{kind}-{item_id}" + (f"-{title_slug}" if title_slug else "")
        local = start.astimezone(tz)
        events.append(
            {
                "guid": str(uuid.uuid5(NAMESPACE, f"{slug}/{kind}/{item_id}")),
                "id": numeric,
                "title": title,
                "local": local,
                "end": (start + timedelta(minutes=minutes)).astimezone(tz),
                "minutes": minutes,
                "slug": event_slug,
                "url": f"{base_url.rstrip('/')}/{kind}s/{item_id}",
                **fields,
            }
        )

    for session in snapshot.get("sessions", []):
        room = session.get("room") or fallback_room
        room_key = (session.get("room_id"), room)
        common = {
            "room": room,
            "room_key": room_key,
            "track": session.get("track") or None,
        }
        session_start = _parse_utc(session["starts_at"])
        talks = session.get("talks") or []
        if not talks:
            session_end = _parse_utc(session["ends_at"])
            add(
                "session",
                session["id"],
                session["title"],
                session_start,
                int((session_end - session_start).total_seconds() // 60),
                type=session["kind"],
                abstract=session.get("description") or "",
                persons=session.get("chairs") or [],
                **common,
            )
            continue
        cursor = session_start
        for talk in talks:
            start = _parse_utc(talk["starts_at"]) if talk.get("starts_at") else cursor
            minutes = int(talk.get("duration_minutes") or 0)
            add(
                "talk",
                talk["id"],
                talk["title"],
                start,
                minutes,
                type=TALK_TYPES.get(session["kind"], "lecture"),
                abstract=talk.get("abstract") or "",
                persons=talk.get("presenters") or [],
                **common,
            )
            cursor = start + timedelta(minutes=minutes)
    events.sort(key=lambda e: (e["local"], e["id"]))
    return events


def _rooms(events: list[dict], slug: str) -> list[dict]:
    """Every room once, in room id order (rooms without an id last, by name)."""
    keys = sorted({e["room_key"] for e in events}, key=lambda k: (k[0] is None, k[0] or 0, k[1]))
    rooms, seen = [], set()
    for room_id, name in keys:
        if name in seen:  # the JSON keys rooms by name; two rooms named alike become one
            continue
        seen.add(name)
        ident = room_id if room_id is not None else _ascii_slug(name) or "none"
        rooms.append(
            {
                "name": name,
                "guid": str(uuid.uuid5(NAMESPACE, f"{slug}/room/{ident}")),
                "slug": room_slug if len(room_slug := _ascii_slug(name)) >= 2 else f"room-{ident}",
            }
        )
    return rooms


def _days(event_info: dict, events: list[dict], tz: ZoneInfo) -> list[dict]:
    first, last = event_info["start_date"], event_info["end_date"]
    if isinstance(first, str):
        first = date.fromisoformat(first)
    if isinstance(last, str):
        last = date.fromisoformat(last)
    if events:
        first = min(first, min(e["local"].date() for e in events))
        last = max(last, max(e["local"].date() for e in events))
    days = []
    for index in range((last - first).days + 1):
        day = first + timedelta(days=index)
        todays = [e for e in events if e["local"].date() == day]
        if todays:
            start = min(e["local"] for e in todays)
            end = max(e["end"] for e in todays)
        else:
            start = datetime.combine(day, time(), tz)
            end = datetime.combine(day + timedelta(days=1), time(), tz)
        days.append({"index": index + 1, "date": day, "start": start, "end": end, "events": todays})
    return days


def _tracks(snapshot: dict) -> list[dict]:
    tracks = {}
    for session in snapshot.get("sessions", []):
        name = session.get("track")
        if name and name not in tracks:
            track = {"name": name}
            track_slug = _ascii_slug(name)
            if len(track_slug) >= 2 and track_slug[0].isalpha():
                track["slug"] = track_slug
            colour = session.get("track_colour") or ""
            if _COLOUR_RE.match(colour):
                track["color"] = colour.lower()
            tracks[name] = track
    return list(tracks.values())


def _model(event_info: dict, snapshot: dict, base_url: str) -> dict:
    tz_name = event_info.get("timezone") or snapshot.get("timezone") or "UTC"
    tz = ZoneInfo(tz_name)
    events = _events(event_info, snapshot, tz, base_url)
    return {
        "tz_name": tz_name,
        "acronym": acronym(event_info["slug"]),
        "events": events,
        "rooms": _rooms(events, event_info["slug"]),
        "days": _days(event_info, events, tz),
        "tracks": _tracks(snapshot),
    }


def _person_guid(slug: str, person: dict) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{slug}/person/{person['id']}"))


# ---------------------------------------------------------------------------------------------
# schedule.json


def schedule_json(event_info: dict, snapshot: dict, *, version: str, base_url: str) -> dict:
    """The agenda as a c3voc schedule.json document (serialise with ``dumps_json``)."""
    event_info, snapshot = strip_controls_deep(event_info), strip_controls_deep(snapshot)
    model = _model(event_info, snapshot, base_url)
    slug = event_info["slug"]
    days = model["days"]
    conference = {
        "acronym": model["acronym"],
        "title": event_info["title"],
        "start": days[0]["date"].isoformat(),
        "end": days[-1]["date"].isoformat(),
        "daysCount": len(days),
        "timeslot_duration": "00:05",
    }
    if _TZ_NAME_RE.match(model["tz_name"]):
        conference["time_zone_name"] = model["tz_name"]
    if event_info.get("url"):
        conference["url"] = event_info["url"]
    if model["tracks"]:
        conference["tracks"] = model["tracks"]
    conference["rooms"] = model["rooms"]
    conference["days"] = [
        {
            "index": day["index"],
            "date": day["date"].isoformat(),
            "day_start": _iso(day["start"]),
            "day_end": _iso(day["end"]),
            "rooms": {
                room["name"]: [
                    _json_event(e, slug) for e in day["events"] if e["room"] == room["name"]
                ]
                for room in model["rooms"]
            },
        }
        for day in days
    ]
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": GENERATOR},
        "schedule": {
            "version": version,
            "base_url": base_url,
            "conference": conference,
        },
    }


def _json_event(event: dict, slug: str) -> dict:
    return {
        "guid": event["guid"],
        "id": event["id"],
        "date": _iso(event["local"]),
        "start": event["local"].strftime("%H:%M"),
        "end": _iso(event["end"]),
        "duration": _hhmm(event["minutes"]),
        "room": event["room"],
        "slug": event["slug"],
        "url": event["url"],
        "title": event["title"],
        "subtitle": None,
        "track": event["track"],
        "type": event["type"],
        "language": None,
        "abstract": event["abstract"],
        # Pretalx-style persons: schema.json wants each person to be *exactly one* of the frab
        # shape (id + public_name) and the pretalx shape (name), so no "id" here.
        "persons": [
            {"guid": _person_guid(slug, p), "name": person_name(p), "public_name": person_name(p)}
            for p in event["persons"]
        ],
        "links": [],
    }


def dumps_json(document: dict) -> bytes:
    """UTF-8 JSON with every script as itself (no \\u escapes)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# schedule.xml


def schedule_xml(event_info: dict, snapshot: dict, *, version: str, base_url: str) -> bytes:
    """The agenda as a c3voc (frab) schedule.xml document, UTF-8.

    Control characters (from rows stored before input was cleaned) are left out: XML 1.0
    cannot carry them, and one of them would make the whole document unreadable."""
    event_info, snapshot = strip_controls_deep(event_info), strip_controls_deep(snapshot)
    model = _model(event_info, snapshot, base_url)
    slug = event_info["slug"]
    days = model["days"]

    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    ET.SubElement(root, "version").text = version
    conference = ET.SubElement(root, "conference")
    fields = [
        ("acronym", model["acronym"]),
        ("title", event_info["title"]),
        ("start", days[0]["date"].isoformat()),
        ("end", days[-1]["date"].isoformat()),
        ("days", str(len(days))),
        ("timeslot_duration", "00:05"),
        ("time_zone_name", model["tz_name"]),
    ]
    if base_url.startswith(("http://", "https://")):
        fields.append(("base_url", base_url))
    if (event_info.get("url") or "").startswith(("http://", "https://")):
        fields.append(("url", event_info["url"]))
    for tag, text in fields:
        ET.SubElement(conference, tag).text = text
    for track in model["tracks"]:
        ET.SubElement(conference, "track", track).text = track["name"]

    for day in days:
        day_el = ET.SubElement(
            root,
            "day",
            index=str(day["index"]),
            date=day["date"].isoformat(),
            start=_iso(day["start"]),
            end=_iso(day["end"]),
        )
        for room in model["rooms"]:
            room_el = ET.SubElement(day_el, "room", name=room["name"], guid=room["guid"])
            for event in day["events"]:
                if event["room"] == room["name"]:
                    _xml_event(room_el, event, slug)

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _xml_event(parent: ET.Element, event: dict, slug: str) -> None:
    el = ET.SubElement(parent, "event", id=str(event["id"]), guid=event["guid"])
    for tag, text in (
        ("room", event["room"]),
        ("title", event["title"]),
        ("subtitle", ""),
        ("type", event["type"]),
        ("date", _iso(event["local"])),
        ("start", event["local"].strftime("%H:%M")),
        ("duration", _hhmm(event["minutes"])),
        ("abstract", event["abstract"]),
        ("slug", event["slug"]),
        ("track", event["track"] or ""),
    ):
        ET.SubElement(el, tag).text = text
    persons = ET.SubElement(el, "persons")
    for p in event["persons"]:
        ET.SubElement(
            persons, "person", id=str(p["id"]), guid=_person_guid(slug, p)
        ).text = person_name(p)
    ET.SubElement(el, "language").text = ""
    ET.SubElement(el, "links")
    ET.SubElement(el, "attachments")
    if event["url"].startswith(("http://", "https://")):
        ET.SubElement(el, "url").text = event["url"]
