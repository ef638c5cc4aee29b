"""Agenda pages and exports (from the published version only)."""

from flask import Response, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from conference.agenda.ics import agenda_ics
from conference.agenda.services import latest_publication, publish
from conference.agenda.views import bp
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.errors import NotFound, ValidationError
from conference.events.services import get_event
from conference.extensions import db
from conference.web import external_url


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


def publication_stamp(publication) -> dict:
    """What calendars need to know of a publication to take its changes."""
    return {"version": publication.version, "published_at": publication.published_at}


def published(event):
    """The latest publication, or NotFound before the first."""
    publication = latest_publication(event)
    if publication is None:
        raise NotFound("The agenda of this event is not published yet.")
    return publication


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


@bp.post("/events/<slug>/agenda/publish")
@event_role_required("organiser")
def publish_agenda(event):
    if ConfirmForm().validate_on_submit():
        try:
            publication = publish(event, current_user)
            db.session.commit()
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        except IntegrityError:  # the same version number, published a moment before
            db.session.rollback()
            flash(
                "Someone else published the agenda at the same moment, so yours was not: "
                "see their version here, then publish again if your changes are not in it.",
                "danger",
            )
        else:
            moved = sum(1 for c in publication.changes if c["change"] == "moved")
            flash(
                f"Version {publication.version} of the agenda is published"
                + (f"; {moved} moved talk(s), their presenters are told." if moved else "."),
                "success",
            )
    return redirect(url_for("agenda.editor", slug=event.slug))
