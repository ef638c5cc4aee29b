"""The accessibility check itself: it fails on a page with a serious violation, says what
and where in words a person can act on, lets minor ones pass, and passes a clean page."""

import re

import pytest

from tests.browser.accessibility import assert_accessible, axe_violations

PAGE = """<!doctype html><html lang="en"><head><title>Test</title></head>
<body><main><h1>Registration</h1>{}</main></body></html>"""


def test_faint_text_and_an_unlabelled_field_fail_with_a_readable_report(page):
    page.set_content(
        PAGE.format(
            '<p class="faint" style="color:#aaa;background:#fff">Closes on Friday</p>'
            '<input type="text" id="email">'
        )
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "the test form")
    report = str(failure.value)
    assert "on the test form (about:blank)" in report
    assert re.search(r"- color-contrast \(serious\): Elements must meet minimum color", report)
    assert "\n    p\n" in report  # the element, by the shortest selector that finds it alone
    assert "insufficient color contrast of 2.32" in report
    assert re.search(r"- label \(critical\): Form elements must have labels", report)
    assert "#email" in report


def test_minor_and_moderate_violations_do_not_fail(page):
    # A heading level skipped is "moderate" and a best practice, not a WCAG A/AA failure.
    page.set_content(PAGE.format("<h3>Details</h3><p>Text.</p>"))
    assert_accessible(page, "a page with a skipped heading level")
    found = axe_violations(page, tags=["best-practice"])
    assert [v["id"] for v in found] == ["heading-order"]
    assert found[0]["impact"] == "moderate"


def test_a_table_wider_than_a_phone_can_be_scrolled_from_the_keyboard(live_server, browser):
    """The arrivals' "not arrived yet" table scrolls sideways on a phone (a name too long to
    fit) and has no link to tab to: its box takes the focus, named by the heading above it,
    and axe finds nothing; the boxes that fit stay out of the tab order."""
    from conference.extensions import db
    from tests.factories import PASSWORD, make_category, make_event, make_registration

    with live_server.app.app_context():
        event = make_event(slug="asean3")
        make_registration(
            event,
            make_category(event, "Delegate"),
            given_name="Hubert Blaine",
            family_name="Wolfeschlegelsteinhausenbergerdorff",
            country="DE",
        )
        organiser = event.roles[0].user.email
        db.session.remove()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        phone.goto(f"{live_server.url}/login")
        phone.get_by_label("E-mail").fill(organiser)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign in").click()
        phone.wait_for_load_state()
        phone.goto(f"{live_server.url}/events/asean3/arrivals")
        box = phone.get_by_role("region", name="Not arrived yet (VIPs first)")
        assert box.evaluate("(box) => box.scrollWidth > box.clientWidth")
        box.focus()
        phone.keyboard.press("ArrowRight")
        phone.wait_for_function("() => document.activeElement.scrollLeft > 0")
        assert phone.locator(".table-responsive[tabindex]").count() == 1  # the one that scrolls
        assert_accessible(phone, "the arrivals on a phone")
    finally:
        context.close()
