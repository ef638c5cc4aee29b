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
