"""Anyone: the list of events and an event's page."""

from flask import render_template
from flask_login import current_user

from conference.auth.services import can_create_events, event_ids_with_role, roles_of
from conference.events.services import (
    get_event,
    list_events,
)
from conference.events.views import bp


@bp.get("/")
def index():
    return render_template(
        "events/list.html",
        events=list_events(),
        can_create=can_create_events(current_user),
        organised=event_ids_with_role(current_user, "organiser"),
        at_door=event_ids_with_role(current_user, "organiser", "checkin"),
    )


@bp.get("/events/<slug>/")
def show(slug):
    from conference.agenda.publishing import has_publication
    from conference.papers.calls import call_for

    event = get_event(slug)
    return render_template(
        "events/show.html",
        event=event,
        roles=roles_of(current_user, event),
        agenda_published=has_publication(event),
        call=call_for(event),
    )
