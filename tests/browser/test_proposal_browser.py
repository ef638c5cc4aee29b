"""Proposing parallel sessions in Chromium: the organiser starts a proposal from the
editor, watches the solver's progress, accepts the proposal, sees the delegates' conflict
count drop in the editor, and publishes."""

import re

from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.test_editor_browser import sign_in
from tests.factories import make_user
from tests.factories.proposals import event_from_instance


def test_organiser_proposes_watches_accepts_and_publishes(live_server, page):
    with live_server.app.app_context():
        organiser = make_user("organiser@example.org")
        s = event_from_instance("XS", seed=0, organiser=organiser, slug="asean3")
        slug = s.event.slug
        db.session.remove()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/events/{slug}/agenda/edit")
    before = int(page.locator("#attendee-conflicts").inner_text())
    assert before > 0

    page.get_by_role("link", name="Propose parallel sessions").click()
    expect(page.get_by_role("heading", name="Propose parallel sessions")).to_be_visible()
    expect(page.locator("#draft-conflicts")).to_have_text(str(before))
    page.get_by_label("Time limit (seconds)").fill("4")
    page.get_by_role("button", name="Propose parallel sessions").click()

    # The solver at work: its best proposal so far, each count, and a cancel button.
    expect(page.get_by_role("heading", name="The solver at work")).to_be_visible()
    expect(page.locator("#progress-objective")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator('[data-term="attendee_conflict"] [data-term-count]')).to_have_text(
        re.compile(r"^\d+$")
    )
    expect(page.locator("#progress-elapsed")).to_have_text(re.compile(r"^[1-9]\d*$"))  # time runs
    expect(page.get_by_role("button", name="Cancel")).to_be_visible()

    # Then the proposal beside the draft (the page reloads itself when the search ends).
    figures = page.locator("#figure-conflicts")
    expect(figures).to_be_visible(timeout=30_000)
    proposed = int(figures.locator(".figure-after").inner_text())
    assert proposed < before
    expect(page.locator("#explain-conflicts")).to_be_visible()
    expect(page.get_by_role("heading", name="The draft beside the proposal")).to_be_visible()

    page.get_by_role("button", name="Accept into the draft").click()
    expect(page.get_by_text("The proposal is in the draft")).to_be_visible()
    expect(page.locator("#attendee-conflicts")).to_have_text(str(proposed))

    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.get_by_text("Version 1 of the agenda is published")).to_be_visible()
