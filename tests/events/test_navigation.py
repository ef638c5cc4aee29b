"""The organiser pages' tab bar: a few menus that fit a laptop and a phone, every page in
one of them, the page open marked."""

import re

from flask import url_for

from conference.events.navigation import EVENT_PAGES, event_tabs
from tests.factories import make_event, organiser_of


def test_pages_are_grouped_in_menus_in_the_order_they_are_listed():
    pages = (
        ("dashboard", "Dashboard", "x.dashboard", None),
        ("list", "List", "x.list", "People"),
        ("agenda", "Agenda", "x.agenda", "Programme"),
        ("team", "Team", "x.team", "People"),
    )
    tabs = event_tabs("team", pages)
    assert [(t.label, [p.key for p in t.pages]) for t in tabs] == [
        (None, ["dashboard"]),
        ("People", ["list", "team"]),
        ("Programme", ["agenda"]),
    ]
    assert [t.current for t in tabs] == [False, True, False]
    assert [p.current for p in tabs[1].pages] == [False, True]


def test_the_bar_has_a_few_tabs_and_every_page_once():
    keys = [key for key, *_ in EVENT_PAGES]
    assert len(keys) == len(set(keys))
    assert len(event_tabs(None)) <= 5  # what fits at 1280 px and on a phone
    assert sum(len(t.pages) for t in event_tabs(None)) == len(EVENT_PAGES)


def test_every_page_of_the_bar_exists(app):
    with app.test_request_context():
        for key, _, endpoint, _ in EVENT_PAGES:
            assert url_for(endpoint, slug="some-event").startswith("/events/some-event/"), key


def marked(html: str) -> list[str]:
    """The labels of the bar's links marked as the page open."""
    return re.findall(
        r'class="dropdown-item active" aria-current="page" href="[^"]+">([^<]+)<', html
    )


def test_each_organiser_page_marks_itself_and_its_menu(client, db, login):
    event = make_event()
    login(organiser_of(event))
    slug = event.slug
    for url, label, menu in [
        (f"/events/{slug}/registrations/", "Registration list", "Registrations"),
        (f"/events/{slug}/messages/", "Messages", "Registrations"),
        (f"/events/{slug}/participant-list", "Participant list", "Registrations"),
        (f"/events/{slug}/visa-requests", "Visa letters", "Registrations"),
        (f"/events/{slug}/agenda/signups", "Sign-ups", "Programme"),
        (f"/events/{slug}/arrivals", "Arrivals", "Door"),
        (f"/events/{slug}/team", "Team", "Event"),
        (f"/events/{slug}/edit", "Event details", "Event"),
    ]:
        html = client.get(url).text
        assert marked(html) == [label], url
        toggles = re.findall(
            r'<button type="button" class="nav-link dropdown-toggle([^"]*)"[^>]*>([^<]+)<', html
        )
        assert [name for cls, name in toggles if "active" in cls] == [menu], url
        # Keyboard users open each menu with a real button (Enter, Space, arrows: Bootstrap).
        assert all(
            'data-bs-toggle="dropdown"' in t
            for t in re.findall(r"<button[^>]*dropdown-toggle[^>]*>", html)
        )
