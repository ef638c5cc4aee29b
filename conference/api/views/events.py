"""API endpoints: who am I, events, jobs, and the OpenAPI document."""

from flask import g, jsonify

from conference.api.auth import api_login_required
from conference.api.openapi import openapi_document
from conference.api.views import bp
from conference.events.services import list_events
from conference.extensions import db
from conference.jobs.services import follow_job


def event_json(event) -> dict:
    """The public description of an event."""
    return {
        "slug": event.slug,
        "title": event.title,
        "venue": event.venue,
        "city": event.city,
        "country": event.country,
        "timezone": event.timezone,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "description": event.description,
        "registration_opens_at": _iso(event.registration_opens_at),
        "registration_closes_at": _iso(event.registration_closes_at),
        "registration_open": event.registration_is_open(),
    }


def _iso(moment):
    return moment.isoformat() if moment else None


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/me")
@api_login_required
def me():
    user = g.api_user
    return jsonify(
        {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "is_admin": user.is_admin,
            "roles": [
                {"event": grant.event.slug, "role": grant.role}
                for grant in sorted(user.roles, key=lambda r: (r.event.slug, r.role))
            ],
        }
    )


@bp.get("/events")
def events():
    return jsonify({"events": [event_json(event) for event in list_events()]})


@bp.get("/jobs/<job_id>")
@api_login_required
def job(job_id):
    record = follow_job(g.api_user, job_id)
    db.session.commit()
    return jsonify(record.as_dict())


@bp.get("/events/<slug>/agenda")
def agenda(slug):
    from conference.agenda.routes import published
    from conference.events.services import get_event

    found = get_event(slug)
    publication = published(found)
    return jsonify(
        {
            "event": found.slug,
            "version": publication.version,
            "published_at": publication.published_at.isoformat(),
            **publication.snapshot,
        }
    )
