"""Anyone: the list of events, an event's page, its stylesheet and its logo."""

from dataclasses import dataclass

from flask import Response, render_template, request, url_for
from flask_login import current_user

from conference.auth.services import can_create_events, event_ids_with_role, roles_of
from conference.errors import NotFound
from conference.events.brand import Palette, stylesheet
from conference.events.branding import brand_version, event_palette, logo_bytes
from conference.events.logos import EXTENSIONS
from conference.events.services import (
    get_event,
    list_events,
)
from conference.events.views import bp
from conference.web import external_url

FOR_GOOD = "public, max-age=31536000, immutable"  # the URL changes when the content does


@dataclass(frozen=True)
class Look:
    """How an event's pages and e-mails look: its palette and whether it chose one (then
    its pages load ``stylesheet`` and carry the ``branded`` class), and its logo's URL."""

    branded: bool
    palette: Palette
    stylesheet: str | None
    logo: str | None
    logo_width: int | None
    logo_height: int | None

    def width_at(self, height: int) -> int:
        """The logo's width in pixels when shown this tall (e-mails need both)."""
        if not self.logo_width or not self.logo_height:
            return height
        return max(1, round(self.logo_width * height / self.logo_height))


@bp.app_template_global()
def event_look(event, external: bool = False) -> Look | None:
    """The look of an event (None for none); ``external``: absolute URLs, for e-mails."""
    if event is None:
        return None
    build = external_url if external else url_for
    version = brand_version(event)
    logo = None
    if event.logo_key:
        logo = build(
            "events.logo",
            slug=event.slug,
            key=event.logo_key,
            ext=EXTENSIONS[event.logo_type][0],
        )
    return Look(
        branded=bool(event.brand_colour),
        palette=event_palette(event),
        stylesheet=(
            build("events.brand_stylesheet", slug=event.slug, v=version)
            if event.brand_colour
            else None
        ),
        logo=logo,
        logo_width=event.logo_width,
        logo_height=event.logo_height,
    )


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


@bp.get("/events/<slug>/brand.css")
def brand_stylesheet(slug):
    """The event's colours as CSS custom properties; kept for good under its version."""
    event = get_event(slug)
    if event.brand_colour:
        css = stylesheet(event_palette(event))
    else:
        css = "/* This event uses the site's own colours. */\n"
    response = Response(css, mimetype="text/css")
    if request.args.get("v") == brand_version(event):
        response.headers["Cache-Control"] = FOR_GOOD
        return response
    # An old page's link: the current colours, checked again each time.
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/events/<slug>/logo/<key>.<ext>")
def logo(slug, key, ext):
    """The event's logo; a replaced or removed one is gone (its URL was its key)."""
    event = get_event(slug)
    if (
        not event.logo_key
        or key != event.logo_key
        or ext not in EXTENSIONS.get(event.logo_type, ())
    ):
        raise NotFound("This event has no such logo (it may have been replaced).")
    data = logo_bytes(event)
    if data is None:
        raise NotFound("The logo's file is missing; please tell the organisers.")
    response = Response(data, mimetype=f"image/{event.logo_type}")
    response.headers["Cache-Control"] = FOR_GOOD
    response.headers["Content-Disposition"] = f'inline; filename="logo.{ext}"'
    return response
