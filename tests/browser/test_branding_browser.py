"""An organiser gives the event its colour and logo; its page shows them in a real browser,
under the site's Content Security Policy, and text stays readable on a light colour."""

from playwright.sync_api import expect

from conference.extensions import db
from tests.factories import PASSWORD, logo_png, make_category, make_event, make_user


def test_organiser_brands_the_event_and_its_page_takes_the_colour_and_logo(
    live_server, page, browser
):
    with live_server.app.app_context():
        organiser = make_user("organiser@example.org", name="Siriporn")
        event = make_event(organiser, title="Learning Cities Forum")
        make_category(event, "Delegate")
        slug = event.slug
        db.session.remove()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/events/{slug}/edit")
    page.get_by_label("Colour", exact=True).fill("#0b6e4f")
    page.get_by_role("button", name="Save the colour").click()
    expect(
        page.get_by_text("The event's colour is #0b6e4f. Text on #0b6e4f is white")
    ).to_be_visible()
    page.get_by_label("Logo", exact=True).set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo_png()}]
    )
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_text("The logo is saved.")).to_be_visible()
    expect(page.get_by_role("img", name="The event's logo")).to_be_visible()

    # What a delegate sees: the event's page, not signed in.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = context.new_page()
    visitor.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    visitor.goto(f"{live_server.url}/events/{slug}/")
    expect(visitor.locator("nav.navbar")).to_have_css("background-color", "rgb(11, 110, 79)")
    register = visitor.locator("a.btn-primary", has_text="Register")
    expect(register).to_have_css("background-color", "rgb(11, 110, 79)")
    expect(register).to_have_css("color", "rgb(255, 255, 255)")
    logo = visitor.get_by_role("img", name="Learning Cities Forum")  # the navbar's, to the page
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") == 480

    # A light colour: the navbar's and the buttons' text turn dark, links darker than gold.
    page.goto(f"{live_server.url}/events/{slug}/edit")
    page.get_by_label("Colour", exact=True).fill("#ffd700")
    page.get_by_role("button", name="Save the colour").click()
    saved = page.get_by_role("alert").filter(has_text="Text on #ffd700 is near-black")
    expect(saved).to_contain_text("links and outlined buttons use the darker")
    visitor.goto(f"{live_server.url}/events/{slug}/")
    expect(visitor.locator("nav.navbar")).to_have_css("background-color", "rgb(255, 215, 0)")
    expect(visitor.get_by_role("link", name="Events", exact=True)).to_have_css(
        "color", "rgb(26, 26, 26)"
    )
    expect(visitor.locator("a.btn-primary", has_text="Register")).to_have_css(
        "color", "rgb(26, 26, 26)"
    )
    link = visitor.get_by_role("link", name="Registered already? Get your link")
    assert link.evaluate("a => getComputedStyle(a).color") != "rgb(255, 215, 0)"
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems
