"""API: events, one event with its categories and questions, its published agenda."""

from flask import jsonify

from conference.agenda.publishing import published
from conference.api.auth import current_api_user
from conference.api.serialisers import category_json, event_json, question_json
from conference.api.views import bp
from conference.auth.services import roles_of
from conference.events.services import get_event, list_events
from conference.registration.settings import categories_for, questions_for


@bp.get("/events")
def events():
    return jsonify({"events": [event_json(event) for event in list_events()]})


@bp.get("/events/<slug>")
def event(slug):
    found = get_event(slug)
    body = event_json(found)
    body["my_roles"] = sorted(roles_of(current_api_user(), found))
    body["categories"] = [category_json(c) for c in categories_for(found, public_only=True)]
    body["questions"] = [question_json(q) for q in questions_for(found)]
    return jsonify(body)


@bp.get("/events/<slug>/agenda")
def agenda(slug):
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
