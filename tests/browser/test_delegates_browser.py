"""A delegate on a phone, and the error summary, in a real browser."""

from playwright.sync_api import expect

from conference.extensions import db
from tests.factories import PASSWORD, give_role, make_category, make_event, make_user

PHONE = {"width": 390, "height": 844}


def _in_view_without_scrolling(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_on_a_phone_register_and_the_scanner_are_in_view_without_scrolling(live_server, browser):
    with live_server.app.app_context():
        event = make_event(
            title="ASEAN+3 Regional Learning Cities Conference",
            slug="asean3",
            venue="Queen Sirikit National Convention Center",
            description="\n\n".join(
                ["The cities of ASEAN+3 meet to learn from each other. " * 8] * 4
            ),
        )
        make_category(event, "Delegate")
        staff = make_user("door@example.org")
        give_role(event, staff, "checkin")
        db.session.remove()

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(live_server.url + "/events/asean3/")
    register = tab.get_by_role("link", name="Register", exact=True).first
    expect(register).to_be_visible()
    assert tab.evaluate("window.scrollY") == 0
    assert _in_view_without_scrolling(tab, register)

    tab.goto(live_server.url + "/login")
    tab.get_by_label("E-mail").fill("door@example.org")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.goto(live_server.url + "/events/asean3/")
    scanner = tab.get_by_role("link", name="Open the scanner").first
    expect(scanner).to_be_visible()
    assert _in_view_without_scrolling(tab, scanner)
    assert _in_view_without_scrolling(tab, register)
    context.close()


def test_the_error_summary_takes_the_focus_and_leads_to_each_field(live_server, page):
    with live_server.app.app_context():
        event = make_event(slug="asean3")
        make_category(event, "Delegate")
        db.session.remove()

    page.goto(live_server.url + "/events/asean3/register")
    page.get_by_label("Delegate").check()
    page.get_by_label("Given name").fill("Trung Chiến")
    page.get_by_label("Family name").fill("Hà")
    page.get_by_label("E-mail", exact=True).fill("chien@")
    # The passport becomes required as the letter is asked for, and stops being so.
    passport = page.get_by_label("Passport number")
    page.get_by_label("I need a visa invitation letter").check()
    expect(passport).to_have_attribute("aria-required", "true")
    expect(page.locator("[data-required-when] .required-marker").first).to_be_visible()
    page.get_by_label("I need a visa invitation letter").uncheck()
    page.get_by_label("I need a visa invitation letter").check()
    page.get_by_role("button", name="Register").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There are 9 problems")
    summary.get_by_role("link", name="E-mail:").click()
    expect(page.get_by_label("E-mail", exact=True)).to_be_focused()
    summary.get_by_role("link", name="Passport number:").click()
    expect(passport).to_be_focused()
    expect(passport).to_have_attribute("aria-required", "true")
