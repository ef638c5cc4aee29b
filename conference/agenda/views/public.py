"""The public agenda: a day's grid (a list on phones), sessions, talks, and the exports
(calendars, the c3voc schedule, the printed programme). Always the latest published
version, never the draft."""

from collections import OrderedDict
from threading import Lock

from flask import Response, render_template, request

from conference.agenda.ics import agenda_ics, session_ics
from conference.agenda.publishing import (
    event_info,
    publication_stamp,
    published,
    published_snapshot,
    published_version,
)
from conference.agenda.timetable import (
    Timetable,
    build_timetable,
    choose_day,
    day_grid,
    day_list,
    day_name,
    read_filters,
    short_day,
)
from conference.agenda.views import bp
from conference.errors import NotFound
from conference.events.services import get_event
from conference.localtime import today
from conference.web import external_url

# How the pages name days (templates hold no formatting logic of their own).
DAY_FORMATS = {"day_name": day_name, "short_day": short_day}


# Parsed timetables of recent publications. A publication never changes, so its timetable
# is built once per process instead of decoding and parsing the whole snapshot per page view
# (most of the page's cost for a large agenda).
_timetables: OrderedDict[tuple, Timetable] = OrderedDict()
_timetables_lock = Lock()
TIMETABLES_KEPT = 16


def published_timetable(slug: str):
    """(event, publication row, timetable) of the latest publication, or NotFound. The row has
    id, version and published_at; the snapshot is read only when not parsed already."""
    event = get_event(slug)
    publication = published_version(event)
    key = (*publication, event.timezone)
    with _timetables_lock:
        timetable = _timetables.get(key)
        if timetable is not None:
            _timetables.move_to_end(key)
    if timetable is None:
        timetable = build_timetable(published_snapshot(publication.id), event.timezone)
        with _timetables_lock:
            _timetables[key] = timetable
            while len(_timetables) > TIMETABLES_KEPT:
                _timetables.popitem(last=False)
    return event, publication, timetable


@bp.get("/events/<slug>/agenda")
def public_agenda(slug):
    event, publication, timetable = published_timetable(slug)
    day, day_message = choose_day(timetable, request.args.get("day"), today(event.tz))
    filters, messages = read_filters(timetable, request.args.get("room"), request.args.get("track"))
    return render_template(
        "agenda/public/agenda.html",
        event=event,
        publication=publication,
        timetable=timetable,
        day=day,
        grid=day_grid(timetable, day, filters) if day else None,
        sessions=day_list(timetable, day, filters) if day else [],
        filters=filters,
        messages=[m for m in (day_message, *messages) if m],
        feed_urls={
            fmt: external_url("agenda.schedule", slug=event.slug, fmt=fmt)
            for fmt in ("xml", "json")
        },
        **DAY_FORMATS,
    )


@bp.get("/events/<slug>/sessions/<int:session_id>")
def session_page(slug, session_id):
    event, publication, timetable = published_timetable(slug)
    session = timetable.sessions_by_id.get(session_id)
    if session is None:
        raise NotFound("There is no such session in the published agenda.")
    return render_template(
        "agenda/public/session.html",
        event=event,
        timetable=timetable,
        session=session,
        **DAY_FORMATS,
    )


@bp.get("/events/<slug>/talks/<int:talk_id>")
def talk_page(slug, talk_id):
    event, publication, timetable = published_timetable(slug)
    talk = timetable.talks_by_id.get(talk_id)
    if talk is None:
        raise NotFound("There is no such talk in the published agenda.")
    return render_template(
        "agenda/public/talk.html", event=event, timetable=timetable, talk=talk, **DAY_FORMATS
    )


@bp.get("/events/<slug>/sessions/<int:session_id>.ics")
def session_calendar(slug, session_id):
    event = get_event(slug)
    publication = published(event)
    if not any(s["id"] == session_id for s in publication.snapshot.get("sessions", [])):
        raise NotFound("There is no such session in the published agenda.")
    body = session_ics(
        event_info(event), publication.snapshot, session_id, **publication_stamp(publication)
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="{event.slug}-session-{session_id}.ics"'
        },
    )


@bp.get("/events/<slug>/programme.pdf")
def programme_pdf(slug):
    """The printed programme of the published agenda (public, like the agenda itself)."""
    from conference.agenda.programme import programme_pdf_bytes

    event = get_event(slug)
    publication = published(event)
    info = event_info(event) | publication_stamp(publication)
    return Response(
        programme_pdf_bytes(info, publication.snapshot),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'inline; filename="{event.slug}-programme-v{publication.version}.pdf"'
            )
        },
    )


@bp.get("/events/<slug>/agenda.ics")
def agenda_calendar(slug):
    event = get_event(slug)
    publication = published(event)
    body = agenda_ics(event_info(event), publication.snapshot, **publication_stamp(publication))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


@bp.get("/events/<slug>/schedule.<fmt>")
def schedule(slug, fmt):
    """The c3voc schedule formats that conference apps read (Giggity, EventFahrplan...)."""
    from conference.agenda.c3voc import dumps_json, schedule_json, schedule_xml

    if fmt not in ("xml", "json"):
        raise NotFound("The schedule is at schedule.xml and schedule.json.")
    event = get_event(slug)
    publication = published(event)
    info = event_info(event)
    options = {"version": str(publication.version), "base_url": info["url"].rstrip("/")}
    if fmt == "json":
        body = dumps_json(schedule_json(info, publication.snapshot, **options))
        return Response(body, mimetype="application/json")
    return Response(schedule_xml(info, publication.snapshot, **options), mimetype="application/xml")
