"""Absolute links (e-mails, exports, calendars) come from BASE_URL, never from the request's
Host header; with TRUSTED_HOSTS, a request for any other host is refused."""

import re
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

import pytest
from icalendar import Calendar

from conference.extensions import db as _db
from tests.factories import (
    PASSWORD,
    make_category,
    make_event,
    make_registration,
    make_user,
    published_programme,
)

SITE = "https://conference.example.org"
EVIL = "http://evil.example"


@pytest.fixture
def site(make_app):
    """An app that knows its address (and no SERVER_NAME to fall back on), in a context."""
    app = make_app(SERVER_NAME=None, BASE_URL=SITE)
    with app.app_context():
        yield app
        _db.session.remove()


def mailed_texts(app) -> list[str]:
    """The plain-text bodies of every e-mail written to the outbox folder."""
    texts = []
    for path in sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=email_policy)
        texts.append(message.get_body(("plain",)).get_content())
    return texts


def links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_a_reset_link_is_on_the_site_whatever_host_the_request_named(site):
    user = make_user("ada@example.org")
    response = site.test_client().post("/reset", data={"email": user.email}, base_url=EVIL)
    assert response.status_code == 302
    [text] = mailed_texts(site)
    [link] = links(text)
    assert link.startswith(f"{SITE}/reset/")
    assert "evil.example" not in text


def test_a_lost_link_is_mailed_on_the_site_whatever_host_the_request_named(site):
    event = make_event()
    make_registration(event, make_category(event), email="chien@sonla.example")
    already = len(mailed_texts(site))  # the registration's own confirmation
    response = site.test_client().post(
        f"/events/{event.slug}/lost-link", data={"email": "chien@sonla.example"}, base_url=EVIL
    )
    assert response.status_code == 302
    [text] = mailed_texts(site)[already:]
    assert links(text) and all(link.startswith(f"{SITE}/events/") for link in links(text))
    assert "evil.example" not in text


def test_a_team_invitation_is_on_the_site_whatever_host_the_request_named(site):
    organiser = make_user()
    event = make_event(organiser)
    client = site.test_client()
    client.post("/login", data={"email": organiser.email, "password": PASSWORD}, base_url=EVIL)
    response = client.post(
        f"/events/{event.slug}/team",
        data={"email": "door@example.org", "name": "Door", "role": "checkin"},
        base_url=EVIL,
    )
    assert response.status_code == 302
    [text] = mailed_texts(site)
    [link] = links(text)
    assert link.startswith(f"{SITE}/reset/")


def test_exports_link_to_the_site_whatever_host_the_request_named(site):
    event = make_event()
    published_programme(event)
    client = site.test_client()
    schedule = client.get(f"/events/{event.slug}/schedule.json", base_url=EVIL).get_json()
    conference = schedule["schedule"]["conference"]
    urls = [conference["url"]] + [
        item["url"] for day in conference["days"] for room in day["rooms"].values() for item in room
    ]
    assert urls and all(url.startswith(f"{SITE}/events/{event.slug}") for url in urls), urls
    xml = client.get(f"/events/{event.slug}/schedule.xml", base_url=EVIL).text
    assert "evil.example" not in xml and f"{SITE}/events/{event.slug}" in xml
    ics = client.get(f"/events/{event.slug}/agenda.ics", base_url=EVIL).data
    calendar_urls = [str(e["url"]) for e in Calendar.from_ical(ics).walk("VEVENT")]
    assert calendar_urls and all(u.startswith(f"{SITE}/events/") for u in calendar_urls)


def test_the_registration_address_shown_to_organisers_is_the_sites(site):
    organiser = make_user()
    event = make_event(organiser)
    make_category(event, "Guests", invitation_code="LOTUS-2024")
    client = site.test_client()
    client.post("/login", data={"email": organiser.email, "password": PASSWORD}, base_url=EVIL)
    page = client.get(f"/events/{event.slug}/categories", base_url=EVIL)
    assert page.status_code == 200
    assert f"{SITE}/events/{event.slug}/register?code=LOTUS-2024" in page.text
    assert "evil.example" not in page.text


def test_links_keep_the_path_of_a_site_served_under_a_prefix(make_app):
    from conference.web import external_url

    app = make_app(SERVER_NAME=None, BASE_URL="https://example.org/conference/")
    with app.app_context():
        assert external_url("auth.login") == "https://example.org/conference/login"
        with app.test_request_context("/", base_url=EVIL):
            assert external_url("auth.reset", token="t") == (
                "https://example.org/conference/reset/t"
            )


def test_an_untrusted_host_is_refused_with_a_clear_400_and_nothing_is_sent(make_app):
    app = make_app(SERVER_NAME=None, BASE_URL=SITE, TRUSTED_HOSTS=["conference.example.org"])
    with app.app_context():
        make_user("ada@example.org")
    client = app.test_client()
    page = client.post("/reset", data={"email": "ada@example.org"}, base_url=EVIL)
    assert page.status_code == 400
    assert "evil.example" in page.text and "not" in page.text
    api = client.get("/api/v1/openapi.json", base_url=EVIL)
    assert api.status_code == 400 and "message" in api.get_json()
    assert mailed_texts(app) == []
    assert client.get("/", base_url=SITE).status_code == 200
