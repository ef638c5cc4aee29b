"""The public page of an event's call for papers."""

from flask import render_template

from conference.events.services import get_event
from conference.papers.calls import get_call
from conference.papers.models import FILE_KINDS
from conference.papers.views import bp


@bp.get("/events/<slug>/call-for-papers")
def call_page(slug):
    event = get_event(slug)
    call = get_call(event)
    return render_template(
        "papers/call.html",
        event=event,
        call=call,
        kinds=[FILE_KINDS[k] for k in call.allowed_kinds],
        registration_open=event.registration_is_open(),
    )
