"""Publishing the agenda: the snapshot the public sees, its changelog, the versions, and
what the exporters (calendars, schedules, the printed programme) need with them."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.draft import WITHDRAWN, agenda_conflicts
from conference.agenda.models import AgendaPublication, AgendaSession, Talk
from conference.agenda.notices import tell_signed_up
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.i18n import in_language
from conference.ids import in_chunks
from conference.localtime import to_local
from conference.mail.services import queue_templated_mail
from conference.registration.models import Registration
from conference.web import external_url


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


NOT_PUBLISHED = "The agenda of this event is not published yet."


def published_version(event):
    """The latest publication's id, version and published_at (its snapshot left unread),
    or NotFound before the first."""
    version = db.session.execute(
        select(AgendaPublication.id, AgendaPublication.version, AgendaPublication.published_at)
        .where(AgendaPublication.event_id == event.id)
        .order_by(AgendaPublication.version.desc())
        .limit(1)
    ).first()
    if version is None:
        raise NotFound(NOT_PUBLISHED)
    return version


def published_snapshot(publication_id: int) -> dict:
    """The snapshot of one publication."""
    return db.session.scalar(
        select(AgendaPublication.snapshot).where(AgendaPublication.id == publication_id)
    )


def published(event) -> AgendaPublication:
    """The latest publication, or NotFound before the first."""
    publication = latest_publication(event)
    if publication is None:
        raise NotFound(NOT_PUBLISHED)
    return publication


def event_info(event) -> dict:
    """What the exporters need to know about the event."""
    return {
        "slug": event.slug,
        "title": event.title,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "timezone": event.timezone,
        "city": event.city,
        "venue": event.venue,
        "url": external_url("events.show", slug=event.slug),
    }


def has_publication(event) -> bool:
    """Whether the event's agenda has been published (without reading any snapshot)."""
    query = select(AgendaPublication.id).where(AgendaPublication.event_id == event.id)
    return db.session.scalar(query.limit(1)) is not None


def publication_stamp(publication: AgendaPublication) -> dict:
    """What calendars need to know of a publication to take its changes."""
    return {"version": publication.version, "published_at": publication.published_at}


def publish(event, user=None) -> AgendaPublication:
    """Publish the draft; refused while hard conflicts remain, and when nothing changed
    since the latest version. Presenters of moved talks are told their new time and room
    by e-mail, and so are delegates signed up for a session that moved or was cancelled
    (agenda/notices.py)."""
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
    presenters = _registrations({p for change in moved for p in change["presenters"]})
    for change in moved:
        for presenter_id in change["presenters"]:
            presenter = presenters.get(presenter_id)
            if presenter is None or presenter.status in WITHDRAWN:
                continue
            when = to_local(datetime.fromisoformat(change["when"]), event.tz)
            with in_language(presenter.language):
                queue_templated_mail(
                    presenter.email,
                    f"Your talk has moved – {event.title}",
                    "talk_moved",
                    event=event,
                    registration=presenter,
                    change=change,
                    when=when,
                )
    tell_signed_up(event, previous.snapshot if previous else None, snap, publication)
    return publication


def _registrations(ids) -> dict:
    """Registration id -> registration, in one query per few thousand ids."""
    found = {}
    for chunk in in_chunks(ids):
        query = select(Registration).where(Registration.id.in_(chunk))
        found.update((r.id, r) for r in db.session.scalars(query))
    return found
