from datetime import date, timedelta

from playwright.sync_api import expect

from conference.extensions import db
from tests.factories import PASSWORD, make_event, make_user


def test_organiser_signs_in_creates_an_event_and_sees_it_listed(live_server, page):
    with live_server.app.app_context():
        organiser = make_user("organiser@example.org", name="Siriporn")
        make_event(organiser, title="ASEAN+3 Regional Learning Cities Conference")
        db.session.remove()

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome, Siriporn.")).to_be_visible()
    # The organiser of one event lands on its dashboard; the events list is a click away.
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="Events", exact=True).first.click()

    page.get_by_role("link", name="New event").click()
    start = date.today() + timedelta(days=300)
    page.get_by_label("Title").fill("Global Learning Cities Conference")
    page.get_by_label("Short name in the address").fill("glcc-2026")
    page.get_by_label("City").fill("Chengdu")
    page.get_by_label("Country").select_option(label="China")
    page.get_by_label("Time zone").select_option("Asia/Shanghai")
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill((start - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Create event").click()
    # The mistake is explained beside the field, and the form keeps what was typed.
    expect(page.get_by_text("The event cannot end before it starts.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Last day: The event cannot end")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Global Learning Cities Conference")

    page.get_by_label("Last day").fill((start + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", name="Global Learning Cities Conference")).to_be_visible()
    expect(page.get_by_text("You are its organiser.")).to_be_visible()

    page.get_by_role("link", name="Events", exact=True).click()
    cards = page.locator(".event-card h2")
    expect(cards).to_contain_text(
        ["Global Learning Cities Conference", "ASEAN+3 Regional Learning Cities Conference"]
    )
