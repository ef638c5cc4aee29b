"""Creating, changing and finding events."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from flask_babel import gettext
from sqlalchemy import select

from conference.auth.services import grant_role
from conference.badges.services import create_key
from conference.errors import NotFound, ValidationError
from conference.events.models import Event
from conference.extensions import db
from conference.localtime import to_utc, wall_clock

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Controls (C0, DEL, C1) and Unicode's line and paragraph separators: a title is one line of
# text, and it goes into e-mail subjects, badges and exports.
TITLE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
RESERVED_SLUGS = {"new", "edit", "manage", "api", "admin", "static"}


@dataclass
class EventDetails:
    """What an organiser says about an event; registration times are local to the event."""

    title: str
    slug: str
    country: str
    timezone: str
    start_date: date
    end_date: date
    venue: str = ""
    city: str = ""
    description: str = ""
    registration_opens: datetime | None = None  # naive, in the event's time zone
    registration_closes: datetime | None = None


def get_event(slug: str) -> Event:
    """The event with this slug, or NotFound."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(gettext("There is no such event."))
    return event


def list_events() -> list[Event]:
    """Every event, the soonest first, then past ones."""
    return list(db.session.scalars(select(Event).order_by(Event.start_date.desc(), Event.id)))


def _validated(details: EventDetails, event: Event | None) -> dict:
    title = details.title.strip()
    slug = details.slug.strip().lower()
    if not title:
        raise ValidationError("Give the event a title.", field="title")
    if len(title) > 200:
        raise ValidationError("The title can be at most 200 characters.", field="title")
    if TITLE_FORBIDDEN.search(title):
        raise ValidationError(
            "The title must be one line of text: no line breaks, tabs or other control characters.",
            field="title",
        )
    if not (3 <= len(slug) <= 64) or not SLUG_RE.match(slug):
        raise ValidationError(
            "Use 3 to 64 lower-case letters, digits and single hyphens, like asean3-2024.",
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError(f"“{slug}” is reserved; choose another.", field="slug")
    clash = db.session.scalar(select(Event.id).where(Event.slug == slug))
    if clash is not None and (event is None or clash != event.id):
        raise ValidationError("Another event uses this address already.", field="slug")
    if pycountry.countries.get(alpha_2=(details.country or "").upper()) is None:
        raise ValidationError("Choose a country from the list.", field="country")
    try:
        tz = ZoneInfo(details.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Choose a time zone from the list.", field="timezone") from None
    if details.end_date < details.start_date:
        raise ValidationError("The event cannot end before it starts.", field="end_date")
    if (details.end_date - details.start_date).days > 60:
        raise ValidationError("An event can last at most 60 days.", field="end_date")
    opens = to_utc(details.registration_opens, tz, field="registration_opens")
    closes = to_utc(details.registration_closes, tz, field="registration_closes")
    if opens and closes and closes <= opens:
        raise ValidationError(
            "Registration must close after it opens.", field="registration_closes"
        )
    for name, value, limit in (
        ("venue", details.venue, 200),
        ("city", details.city, 100),
        ("description", details.description, 20000),
    ):
        if len(value or "") > limit:
            raise ValidationError(f"This can be at most {limit} characters.", field=name)
    return {
        "title": title,
        "slug": slug,
        "venue": (details.venue or "").strip(),
        "city": (details.city or "").strip(),
        "country": details.country.upper(),
        "timezone": details.timezone,
        "start_date": details.start_date,
        "end_date": details.end_date,
        "description": (details.description or "").strip(),
        "registration_opens_at": opens,
        "registration_closes_at": closes,
    }


def create_event(details: EventDetails, creator) -> Event:
    """A new event, with its badge signing key; its creator becomes its first organiser."""
    event = Event(**_validated(details, None))
    db.session.add(event)
    db.session.flush()
    grant_role(event, creator, "organiser")
    create_key(event)  # badges are signed with it; reading it never has to write
    return event


def update_event(event: Event, details: EventDetails) -> Event:
    """Change an event's details, with the same rules as creating one."""
    for key, value in _validated(details, event).items():
        setattr(event, key, value)
    db.session.flush()
    return event


def event_details(event: Event) -> EventDetails:
    """An event's current details, registration times in its own time zone (for forms)."""
    return EventDetails(
        title=event.title,
        slug=event.slug,
        country=event.country,
        timezone=event.timezone,
        start_date=event.start_date,
        end_date=event.end_date,
        venue=event.venue,
        city=event.city,
        description=event.description,
        registration_opens=wall_clock(event.registration_opens_at, event.tz),
        registration_closes=wall_clock(event.registration_closes_at, event.tz),
    )


def add_team_member(event: Event, email: str, role: str, name: str = "", invited_by=None):
    """Give someone a role at the event, creating their account (with an e-mail) if needed."""
    from conference.auth.models import ROLE_LABELS
    from conference.auth.services import create_user, find_user, password_reset_token
    from conference.mail.services import queue_templated_mail
    from conference.web import external_url

    user = find_user(email)
    created = user is None
    if created:
        user = create_user(email, name=name)
    grant = grant_role(event, user, role)
    link = (
        external_url("auth.reset", token=password_reset_token(user, "invite"))
        if created
        else external_url("events.show", slug=event.slug)
    )
    queue_templated_mail(
        user.email,
        f"You are {ROLE_LABELS[role].lower()} for {event.title}",
        "team_invitation",
        event=event,
        role=ROLE_LABELS[role],
        link=link,
        created=created,
        invited_by=invited_by,
    )
    return grant
