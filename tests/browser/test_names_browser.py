"""The registration form's name fields in a real browser: the live preview of the name in
its order, the usual order for the country and script, and one name only."""

from playwright.sync_api import expect
from sqlalchemy import select

from conference.extensions import db
from conference.registration.models import Registration
from tests.factories import make_category, make_event


def test_the_preview_follows_the_name_its_country_and_the_order_chosen(live_server, page):
    with live_server.app.app_context():
        event = make_event(slug="asean3")
        make_category(event, "Delegate")
        db.session.remove()

    page.goto(live_server.url + "/events/asean3/register")
    preview = page.locator("[data-name-preview]")
    expect(preview).to_be_hidden()  # no name yet
    page.get_by_label("Title").select_option("Ms")
    page.get_by_label("Given name").fill("Thị Minh Khai")
    page.get_by_label("Family name").fill("Nguyễn")
    expect(page.get_by_text("Your name will print as:")).to_be_visible()
    expect(preview).to_have_text("Ms Thị Minh Khai Nguyễn")  # no country yet: given name first
    page.get_by_label("Country", exact=True).select_option(label="Viet Nam")
    expect(preview).to_have_text("Ms Nguyễn Thị Minh Khai")
    expect(page.get_by_label("As is usual for the country")).to_be_checked()
    expect(page.locator("[data-name-usual]")).to_have_text("(surname first)")

    page.get_by_label("Surname last").check()
    expect(preview).to_have_text("Ms Thị Minh Khai Nguyễn")
    page.get_by_label("As is usual for the country").check()
    # A Chinese name from Singapore: the script says how it is written.
    page.get_by_label("Country", exact=True).select_option(label="Singapore")
    page.get_by_label("Given name").fill("Hsien Loong")
    page.get_by_label("Family name").fill("Lee")
    page.get_by_label("Title").select_option("")
    expect(preview).to_have_text("Hsien Loong Lee")
    page.get_by_label("Name in your own script").fill("李显龙")
    expect(preview).to_have_text("Lee Hsien Loong")


def test_one_name_only_puts_the_family_name_away_and_registers(live_server, page):
    with live_server.app.app_context():
        event = make_event(slug="asean3")
        make_category(event, "Delegate")
        db.session.remove()

    page.goto(live_server.url + "/events/asean3/register")
    page.get_by_label("Delegate").check()
    page.get_by_label("Title").select_option("Mr")
    page.get_by_label("Given name").fill("Sukarno")
    page.get_by_label("I have one name only").check()
    expect(page.get_by_label("Family name")).to_be_hidden()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Sukarno")
    expect(page.locator("[data-name-preview]")).to_have_text("Mr Sukarno")
    page.get_by_label("Organisation", exact=True).fill("Surabaya City Government")
    page.get_by_label("E-mail", exact=True).fill("sukarno@surabaya.example")
    page.get_by_label("Country", exact=True).select_option(label="Indonesia")
    page.get_by_label("I agree to the privacy policy").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    with live_server.app.app_context():
        registration = db.session.scalar(select(Registration))
        assert (registration.given_name, registration.family_name) == ("Sukarno", "")
        assert registration.display_name == "Mr Sukarno"
        db.session.remove()
