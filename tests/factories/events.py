"""Events, created through the events service."""

import itertools
from datetime import date, timedelta

from conference.events.services import EventDetails, create_event
from conference.extensions import db
from tests.factories.people import make_user

_counter = itertools.count(1)


def event_details(**overrides) -> EventDetails:
    """What an organiser types for a new event: two days in Bangkok, a month from now."""
    n = next(_counter)
    start = date.today() + timedelta(days=30)
    values = {
        "title": f"Learning Cities Forum {n}",
        "slug": f"forum-{n}",
        "country": "TH",
        "timezone": "Asia/Bangkok",
        "start_date": start,
        "end_date": start + timedelta(days=1),
        "city": "Bangkok",
    }
    values.update(overrides)
    return EventDetails(**values)


def make_event(organiser=None, **overrides):
    """An event created by ``organiser`` (a new user unless given)."""
    organiser = organiser or make_user()
    event = create_event(event_details(**overrides), organiser)
    db.session.commit()
    return event


def earlier_today(event, minutes: int):
    """A moment ``minutes`` ago (whole seconds), but not before the event-local midnight: a
    test run just after midnight still scans on the same event day."""
    from datetime import UTC, datetime, time, timedelta

    from conference.dbtypes import utcnow

    now = utcnow().replace(microsecond=0)
    midnight = datetime.combine(now.astimezone(event.tz).date(), time(), event.tz)
    return max(now - timedelta(minutes=minutes), midnight.astimezone(UTC))


def logo_png(width: int = 480, height: int = 160) -> bytes:
    """A logo as an organiser would upload it: a transparent PNG with a mark (an amber ring
    around a green square) and, when it is wide, two bars for the words."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    side = min(width, height)
    draw.ellipse(
        (side // 20, side // 20, side - side // 20, side - side // 20), fill=(224, 165, 38)
    )
    draw.rectangle((side // 3, side // 3, side * 2 // 3, side * 2 // 3), fill=(20, 90, 60))
    if width > side * 3 // 2:
        draw.rectangle((side + 16, height // 3, width - 16, height // 2), fill=(31, 58, 95))
        draw.rectangle(
            (side + 16, height * 3 // 5, width * 3 // 4, height * 3 // 4), fill=(90, 90, 90)
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def brand_event(event, colour: str = "", logo: bytes | None = None, filename: str = "logo.png"):
    """Give the event a colour and a logo through the branding services, committed."""
    import io

    from conference.events.branding import logo_storage, replace_logo, set_brand_colour

    set_brand_colour(event, colour)
    if logo is not None:
        replace_logo(event, io.BytesIO(logo), filename, logo_storage())
    db.session.commit()
    return event
