"""The organiser pages' tab bar fits a laptop and a phone, and works from the keyboard."""

from playwright.sync_api import expect

from conference.extensions import db
from tests.factories import PASSWORD, make_event, make_user


def sign_in(page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_tab_bar_fits_and_its_menus_open_from_the_keyboard(live_server, page):
    with live_server.app.app_context():
        organiser = make_user("organiser@example.org", name="Siriporn")
        slug = make_event(organiser, title="ASEAN+3 Regional Learning Cities Conference").slug
        db.session.remove()
    sign_in(page, live_server)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/events/{slug}/registrations/")
        bar = page.locator(".event-nav .nav-tabs")
        # Nothing of the bar is cut off or scrolled away, and the page does not scroll sideways.
        assert bar.evaluate("el => el.scrollWidth <= el.clientWidth"), width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        for button in page.locator(".event-nav button.dropdown-toggle").all():
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, width

    page.set_viewport_size({"width": 1280, "height": 900})
    current = page.get_by_role("button", name="Registrations")
    expect(current).to_have_attribute("aria-current", "true")
    door = page.get_by_role("button", name="Door")
    door.focus()
    page.keyboard.press("Enter")
    expect(door).to_have_attribute("aria-expanded", "true")
    arrivals = page.get_by_role("link", name="Arrivals")
    expect(arrivals).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(arrivals).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Live arrivals")).to_be_visible()
    expect(page.locator('.event-nav [aria-current="page"]')).to_have_text("Arrivals")
    page.keyboard.press("Escape")  # nothing open: nothing happens
