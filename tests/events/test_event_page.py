"""The event page: what people come for is at the top of the page on a phone too."""

import re
from datetime import timedelta

from conference.dbtypes import utcnow
from conference.events.services import event_details, update_event
from conference.extensions import db as _db
from tests.factories import give_role, make_event, make_user


def _hero(html: str) -> str:
    return re.search(r'<div class="event-hero.*?\n</div>', html, re.S).group(0)


def test_register_is_offered_in_the_page_heading_while_registration_is_open(client, db):
    event = make_event()
    hero = _hero(client.get(f"/events/{event.slug}/").text)
    assert f'href="/events/{event.slug}/register">Register</a>' in hero
    assert "Open the scanner" not in hero  # for door staff only


def test_no_register_button_once_registration_has_closed(client, db):
    event = make_event()
    details = event_details(event)
    details.registration_closes = (
        (utcnow() - timedelta(days=1)).astimezone(event.tz).replace(tzinfo=None)
    )
    details.registration_opens = details.registration_closes - timedelta(days=30)
    update_event(event, details)
    _db.session.commit()
    page = client.get(f"/events/{event.slug}/").text
    assert "hero-actions" not in _hero(page)
    assert "Closed" in page


def test_door_staff_find_the_scanner_in_the_page_heading(client, db, login):
    event = make_event()
    staff = make_user()
    give_role(event, staff, "checkin")
    login(staff)
    hero = _hero(client.get(f"/events/{event.slug}/").text)
    assert f'href="/events/{event.slug}/checkin">Open the scanner</a>' in hero
