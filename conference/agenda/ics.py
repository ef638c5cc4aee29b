"""The agenda as iCalendar (RFC 5545), from a published snapshot: data in, bytes out."""

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from conference.names import name_and_native
from conference.text import strip_controls, strip_controls_deep

NAMESPACE = uuid.UUID("6f1e3c52-4a57-4b8e-9a44-5d0c6b1f2a90")


def _description(session: dict) -> str:
    lines = [session["description"]] if session["description"] else []
    for talk in session["talks"]:
        shown = (name_and_native(p["name"], p["native_name"]) for p in talk["presenters"])
        names = ", ".join(name + (f" ({native})" if native else "") for name, native in shown)
        lines.append(f"• {talk['title']}" + (f" — {names}" if names else ""))
    return "\n".join(lines)


def agenda_ics(
    event_info: dict,
    snapshot: dict,
    *,
    session_ids: set[int] | None = None,
    name: str | None = None,
    version: int | None = None,
    published_at: datetime | None = None,
) -> bytes:
    """One VEVENT per session (its talks in the description); optionally only some sessions.

    Each event links to the session's public page (never to a private address: calendars
    get shared). The published version is the events' SEQUENCE, so a calendar that
    imported an earlier version takes a moved session's new time. Control characters
    (from rows stored before input was cleaned) are left out: iCalendar text cannot
    carry them."""
    event_info, snapshot = strip_controls_deep(event_info), strip_controls_deep(snapshot)
    name = strip_controls(name) if name else name
    calendar = Calendar()
    calendar.add("prodid", "-//Conference//Agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name or event_info["title"])
    calendar.add("x-wr-timezone", event_info["timezone"])
    stamp = datetime.now(UTC)
    for session in snapshot.get("sessions", []):
        if session_ids is not None and session["id"] not in session_ids:
            continue
        item = Event()
        key = "{}/{}".format(event_info["slug"], session["id"])
        item.add("uid", f"{uuid.uuid5(NAMESPACE, key)}@conference")
        item.add("dtstamp", stamp)
        item.add("dtstart", datetime.fromisoformat(session["starts_at"]))
        item.add("dtend", datetime.fromisoformat(session["ends_at"]))
        item.add("summary", session["title"])
        location = ", ".join(
            p for p in (session["room"], event_info.get("venue"), event_info.get("city")) if p
        )
        if location:
            item.add("location", location)
        description = _description(session)
        if description:
            item.add("description", description)
        if session["track"]:
            item.add("categories", [session["track"]])
        if event_info.get("url"):
            item.add("url", "{}/sessions/{}".format(event_info["url"].rstrip("/"), session["id"]))
        if version is not None:
            item.add("sequence", version)
        if published_at is not None:
            item.add("last-modified", published_at)
        calendar.add_component(item)
    return calendar.to_ical()


def session_ics(event_info: dict, snapshot: dict, session_id: int, **publication) -> bytes:
    """One session of a published snapshot as a calendar of its own (its talks described)."""
    title = next(
        (s["title"] for s in snapshot.get("sessions", []) if s["id"] == session_id),
        event_info["title"],
    )
    return agenda_ics(event_info, snapshot, session_ids={session_id}, name=title, **publication)


def event_ics(event_info: dict, *, country: str = "") -> bytes:
    """The event itself as one all-day calendar entry over its days, at its venue (the
    calendar a confirmation e-mail carries). ``country``: the country's name."""
    event_info = strip_controls_deep(event_info)
    calendar = Calendar()
    calendar.add("prodid", "-//Conference//Event//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    item = Event()
    item.add("uid", f"{uuid.uuid5(NAMESPACE, event_info['slug'] + '/event')}@conference")
    item.add("dtstamp", datetime.now(UTC))
    item.add("dtstart", event_info["start_date"])
    item.add("dtend", event_info["end_date"] + timedelta(days=1))  # DTEND is exclusive
    item.add("summary", event_info["title"])
    location = ", ".join(
        p for p in (event_info.get("venue"), event_info.get("city"), strip_controls(country)) if p
    )
    if location:
        item.add("location", location)
    if event_info.get("url"):
        item.add("url", event_info["url"])
    item.add("transp", "TRANSPARENT")
    calendar.add_component(item)
    return calendar.to_ical()
