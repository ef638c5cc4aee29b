"""The delegate's own page: what it offers follows the event's dates."""

from datetime import UTC, datetime, timedelta

from conference.registration.links import manage_token
from tests.factories import delegate, make_call, make_category, make_event, open_call


def _page(client, event, registration) -> str:
    return client.get(f"/events/{event.slug}/manage/{manage_token(registration)}").text


def _papers_card(html: str) -> str:
    start = html.index(">Papers</h2>")
    return html[start : html.index("</section>", start)]


def test_papers_card_invites_submissions_while_the_call_is_open(client, db):
    event = make_event()
    chien = delegate(event, make_category(event, "Speaker"))
    open_call(event)
    card = _papers_card(_page(client, event, chien))
    assert "Submit a paper until" in card


def test_papers_card_stops_promising_submission_once_the_call_has_closed(client, db):
    event = make_event()
    chien = delegate(event, make_category(event, "Speaker"))
    now = datetime.now(UTC)
    make_call(
        event,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=10),
        edit_deadline=now + timedelta(days=5),
    )
    card = _papers_card(_page(client, event, chien))
    assert "Submit" not in card
    assert "The call for papers is closed" in card
    assert "upload new versions until" in card  # new versions are still taken


def test_papers_card_after_the_last_new_version(client, db):
    event = make_event()
    chien = delegate(event, make_category(event, "Speaker"))
    now = datetime.now(UTC)
    make_call(
        event,
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=10),
        edit_deadline=None,
    )
    card = _papers_card(_page(client, event, chien))
    assert "Submit" not in card and "upload" not in card
    assert "and their decisions" in card


def test_no_papers_card_without_a_call(client, db):
    event = make_event()
    chien = delegate(event, make_category(event, "Speaker"))
    assert ">Papers</h2>" not in _page(client, event, chien)
