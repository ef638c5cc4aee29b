"""The four journeys of the people the app is for, end to end in Chromium on the demo event
(the ASEAN+3 conference as `flask --app conference demo` builds it, starting today), each
page checked by axe-core for WCAG 2.1 A/AA (``assert_accessible``):

- a Vietnamese delegate on a phone registers (and first meets the form's errors), gets the
  e-mail, opens her link, her badge, chooses a session, reads the agenda and the call;
- the head of a Cambodian city delegation registers it, asks for his link again, adds
  members in the sheet and one with every detail, edits one, downloads their badges;
- an organiser at a desk signs in, approves a pending registration, and goes through the
  agenda editor, badges, arrivals, visa letters and settings;
- door staff on a phone sign in, open the scanner and check someone in by name.

The demo is built once for the module (it takes a while): the journeys touch different
people, so their order does not matter. With JOURNEY_SCREENSHOTS=<folder>, every page
checked is also kept there as a full-page screenshot, for a person to look at.
"""

import os
import re
import time
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from conference import localtime
from conference.extensions import db
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import ARTIFACTS, serving
from tests.conftest import SMTPRecorder, free_port

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
HEAD = "sokhom.chea@battambang.example"  # who registers the Battambang City delegation
SCREENSHOTS = os.environ.get("JOURNEY_SCREENSHOTS")
_shots = iter(range(1, 1000))


def check(page, what):
    """axe on the page as it is now (and a screenshot of it, when asked for)."""
    assert_accessible(page, what)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w]+", "-", what).strip("-")
        page.screenshot(path=f"{SCREENSHOTS}/{next(_shots):02d}-{name}.png", full_page=True)


@pytest.fixture(scope="module")
def demo(browser, tmp_path_factory):
    """The app serving the demo event, its staff's passwords, and a loopback SMTP server."""
    from aiosmtpd.controller import Controller

    from conference.demo import build_demo

    smtp = SMTPRecorder()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with (
            pytest.MonkeyPatch.context() as monkeypatch,
            serving(tmp_path_factory.mktemp("journeys"), controller.port, monkeypatch) as server,
        ):
            with server.app.app_context():
                event, accounts = build_demo(localtime.today(ZoneInfo("Asia/Bangkok")))
                db.session.commit()
                slug = event.slug
                db.session.remove()
            yield SimpleNamespace(
                server=server,
                url=server.url,
                event_url=f"{server.url}/events/{slug}/",
                slug=slug,
                passwords={a.email: a.password for a in accounts},
                smtp=smtp,
            )
    finally:
        controller.stop()


@pytest.fixture
def tab(browser, request):
    """Opens tabs at a given viewport; each keeps a screenshot in test-artifacts/ when the
    test fails, and the test fails on any uncaught error in a page."""
    contexts, errors = [], []

    def open_tab(viewport, **options):
        # Reduced motion: no page is checked half-way through a fade or a zoom.
        context = browser.new_context(viewport=viewport, reduced_motion="reduce", **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(error))
        return page

    yield open_tab
    for n, context in enumerate(contexts):
        if getattr(request.node, "test_failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"{name}-{n}.png"), full_page=True)
        context.close()
    assert not errors, f"uncaught errors in the pages: {errors}"


def mail_to(smtp, address, timeout=15):
    """The last message the loopback SMTP server got for ``address`` (waiting for one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in smtp.messages() if m["To"] == address]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {address} within {timeout} s")


def manage_link(message, slug):
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"http://127\.0\.0\.1:\d+/events/{slug}/manage/\S+", text).group(0)


def sign_in(page, url, email, password):
    page.goto(f"{url}/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check(page, "the sign-in page")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    expect(page.locator('form[action="/logout"]')).to_be_attached()  # in a folded menu on a phone


def test_a_vietnamese_delegate_registers_on_her_phone(demo, tab):
    phone = tab(PHONE, has_touch=True, is_mobile=True)
    phone.goto(demo.event_url)
    register = phone.get_by_role("link", name="Register", exact=True).first
    expect(register).to_be_in_viewport()  # no scrolling to find it on a phone
    check(phone, "the event page on a phone")

    register.click()
    expect(phone.get_by_role("heading", name=re.compile("^Register for"))).to_be_visible()
    check(phone, "the registration form")
    phone.get_by_role("button", name="Register").click()
    summary = phone.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    check(phone, "the registration form with its errors shown")

    phone.get_by_role("radio", name=re.compile("^Delegate")).check()
    phone.get_by_label("Title").select_option("Ms")
    phone.get_by_label("Given name").fill("Thị Minh Khai")
    phone.get_by_label("Family name").fill("Nguyễn")
    phone.get_by_label("Organisation", exact=True).fill("Da Nang City People's Committee")
    phone.get_by_label("E-mail", exact=True).fill("minhkhai.nguyen@danang.example")
    phone.get_by_label("Country", exact=True).select_option(label="Viet Nam")
    phone.get_by_label("Bangkok City Library").check()
    phone.get_by_label("I agree to the privacy policy").check()
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    check(phone, "the page after registering")

    link = manage_link(mail_to(demo.smtp, "minhkhai.nguyen@danang.example"), demo.slug)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Minh Khai")
    expect(phone.get_by_text("Confirmed", exact=True)).to_be_visible()
    check(phone, "the delegate's management page")

    phone.get_by_role("link", name="Show my badge").click()
    expect(phone.locator(".my-badge-qr svg")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_be_attached()
    check(phone, "the delegate's badge")

    phone.get_by_role("link", name="Your registration").click()
    phone.get_by_role("link", name="Your agenda").click()
    expect(phone.get_by_role("heading", name="Your agenda", level=1)).to_be_visible()
    check(phone, "the personal agenda")
    choice = phone.locator("article.choice").filter(
        has=phone.get_by_role("button", name="Sign up", exact=True).and_(phone.locator(":enabled"))
    )
    title = choice.first.get_by_role("heading").inner_text()
    choice.first.get_by_role("button", name="Sign up").click()
    mine = phone.locator("article.choice-mine").filter(has_text=title)
    expect(mine.get_by_text("Your choice")).to_be_visible()
    expect(phone.locator(".done")).to_be_visible()
    check(phone, "the personal agenda after signing up")

    phone.goto(demo.event_url)
    phone.get_by_role("link", name="Agenda", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.get_by_text(title).first).to_be_attached()
    check(phone, "the public agenda on a phone")

    phone.goto(demo.event_url)
    phone.get_by_role("link", name="Call for papers").click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    check(phone, "the call for papers on a phone")


def test_a_cambodian_delegation_head_fills_in_the_sheet(demo, tab):
    desk = tab(DESK)
    desk.goto(demo.event_url)
    desk.get_by_role("link", name="Register", exact=True).first.click()
    desk.get_by_role("radio", name=re.compile("^Delegate")).check()
    desk.get_by_label("Title").select_option("Mr")
    desk.get_by_label("Given name").fill("Sokhom")
    desk.get_by_label("Family name").fill("Chea")
    desk.get_by_label("Name in your own script").fill("ជា សុខុម")
    desk.get_by_label("Organisation", exact=True).fill("Battambang Provincial Administration")
    desk.get_by_label("Position", exact=True).fill("Deputy Governor of Battambang")
    desk.get_by_label("E-mail", exact=True).fill(HEAD)
    desk.get_by_label("Country", exact=True).select_option(label="Cambodia")
    desk.get_by_label("No site visit").check()
    desk.get_by_label("I lead a delegation, and will add its members").check()
    desk.get_by_label("Name of your delegation").fill("Battambang City")
    desk.get_by_label("I agree to the privacy policy").check()
    desk.get_by_role("button", name="Register").click()
    expect(desk.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # Impatient, he asks for the link again before the first e-mail is read.
    desk.get_by_role("link", name="ask for the link again").click()
    check(desk, "the lost-link page")
    desk.get_by_label("E-mail").fill(HEAD)
    desk.get_by_role("button", name="Send me the link").click()
    expect(desk.get_by_text("its link is on its way")).to_be_visible()
    check(desk, "the event page with the lost-link notice")

    desk.goto(manage_link(mail_to(demo.smtp, HEAD), demo.slug))
    expect(desk.locator(".delegation-card")).to_contain_text("Battambang City")
    check(desk, "the delegation head's management page")

    desk.get_by_role("link", name="Delegation sheet").click()
    expect(desk.get_by_role("heading", name="Battambang City", level=1)).to_be_visible()
    check(desk, "the delegation sheet")
    site_visit = "Which learning-city site visit would you like to join on the second day?"
    desk.get_by_label("Given name, row 1").fill("Sothea")
    desk.get_by_label("Their name in their own script, row 1").fill("ទេព សុធា")
    desk.get_by_label("Position, row 1").fill("Librarian, Battambang Public Library")
    desk.get_by_label(f"{site_visit}, row 1").select_option("Bangkok City Library")
    desk.get_by_label("Given name, row 2").fill("Kosal")
    desk.get_by_label("Family name, row 2").fill("Chhim")
    desk.get_by_label("E-mail, row 2").fill("kosal.chhim@battambang.example")
    desk.get_by_label(f"{site_visit}, row 2").select_option("No site visit")
    desk.get_by_role("button", name="Register these members").click()
    expect(desk.get_by_text("Nothing was registered: 1 row has a problem")).to_be_visible()
    check(desk, "the delegation sheet with a row in error")
    desk.get_by_label("Family name, row 1").fill("Tep")
    desk.get_by_role("button", name="Register these members").click()
    expect(desk.get_by_text("2 members are registered")).to_be_visible()
    table = desk.locator(".delegation-table")
    expect(table).to_contain_text("Tep Sothea")  # a Khmer name: family name first
    expect(table).to_contain_text("kosal.chhim@battambang.example")
    check(desk, "the delegation sheet with its new members")

    desk.get_by_role("link", name=re.compile("Add one member with every detail")).click()
    expect(desk.get_by_role("heading", name=re.compile("^Add a member"))).to_be_visible()
    check(desk, "the member form")
    desk.get_by_role("button", name="Register this member").click()
    expect(desk.locator("[data-error-summary]")).to_be_visible()
    check(desk, "the member form with its errors shown")
    desk.get_by_label("Title").select_option("Ms")
    desk.get_by_label("Given name").fill("Channary")
    desk.get_by_label("Family name").fill("Pich")
    desk.get_by_label("Their name in their own script").fill("ពេជ្រ ចន្ទនារី")
    desk.get_by_label("No site visit").check()
    desk.get_by_role("button", name="Register this member").click()
    expect(desk.locator(".delegation-table")).to_contain_text("Pich Channary")

    desk.get_by_role("link", name=re.compile("^View .*Tep Sothea")).click()
    position = desk.get_by_label("Position", exact=True)
    expect(position).to_have_value("Librarian, Battambang Public Library")
    check(desk, "a member's page")
    position.fill("Head Librarian, Battambang Public Library")
    desk.get_by_role("button", name="Save their details").click()
    expect(desk.get_by_label("Position", exact=True)).to_have_value(
        "Head Librarian, Battambang Public Library"
    )
    check(desk, "a member's page after saving")

    desk.get_by_role("link", name="Delegation sheet").first.click()
    badges = desk.get_by_role("link", name="Download 4 badges (PDF)")
    pdf = desk.request.get(demo.url + badges.get_attribute("href"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_an_organiser_approves_a_registration_and_goes_through_the_event(demo, tab):
    desk = tab(DESK)
    sign_in(desk, demo.url, "organiser@example.org", demo.passwords["organiser@example.org"])
    # The organiser of one event lands on its dashboard.
    expect(desk.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(desk.get_by_role("img", name="Registrations to date, by status")).to_be_visible()
    check(desk, "the event's dashboard, where its organiser lands")
    desk.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    check(desk, "the events list, signed in")
    desk.get_by_role("link", name=re.compile("ASEAN\\+3")).first.click()
    expect(desk.get_by_role("heading", name=re.compile("ASEAN\\+3"), level=1)).to_be_visible()
    check(desk, "the event page, for its organiser")

    desk.get_by_role("link", name="Registrations", exact=True).first.click()
    expect(desk.get_by_role("heading", name=re.compile("^Registrations"))).to_be_visible()
    check(desk, "the registrations list")
    desk.get_by_role("link", name=re.compile("^Pending approval")).click()
    first = desk.locator(".registrations-table tbody a").first
    name = first.inner_text()
    first.click()
    expect(desk.get_by_role("heading", name=name, level=1)).to_be_visible()
    check(desk, "a registration's page")
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name="Approve", exact=True).click()
    expect(desk.get_by_text(f"Done: {name} is now confirmed.")).to_be_visible()
    history = desk.locator("#history")
    expect(history).to_contain_text("Approved: pending approval → confirmed")
    expect(history.get_by_role("button", name=re.compile("^Resend to")).first).to_be_visible()
    check(desk, "a registration's page after approving it")

    tabs = desk.locator(".event-nav")  # pages under menus: a menu opens first
    for label, heading in [
        ("Agenda", "Agenda"),
        ("Badges", re.compile("badges", re.I)),
        ("Arrivals", re.compile("arrivals", re.I)),
        ("Visa letters", re.compile("visa", re.I)),
        ("Registration settings", re.compile("settings", re.I)),
        ("Event details", re.compile(".")),
    ]:
        link = tabs.get_by_role("link", name=label, exact=True)
        if not link.is_visible():
            exactly = re.compile(f"^{re.escape(label)}$")  # its menu's links are hidden
            menu = tabs.locator(".dropdown").filter(
                has=desk.locator("a.dropdown-item", has_text=exactly)
            )
            menu.get_by_role("button").click()
        link.click()
        expect(desk.get_by_role("heading", name=heading, level=1)).to_be_visible()
        check(desk, f"the organiser's “{label}” page")


def test_door_staff_open_the_scanner_on_a_phone_and_check_someone_in(demo, tab):
    from conference.checkin.models import CheckIn
    from conference.registration.models import Registration

    with demo.server.app.app_context():
        arrived = select(CheckIn.registration_id)
        person = db.session.scalars(
            select(Registration)
            .where(Registration.status == "confirmed", Registration.id.not_in(arrived))
            .where(Registration.email.like("%@siemreap.example"))
            .order_by(Registration.id)
        ).first()
        family, who = person.family_name, person.display_name
        db.session.remove()

    phone = tab(PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, demo.url, "checkin@example.org", demo.passwords["checkin@example.org"])
    phone.goto(demo.event_url)
    scanner_link = phone.get_by_role("link", name="Open the scanner").first
    expect(scanner_link).to_be_in_viewport()
    check(phone, "the event page, for door staff on a phone")
    scanner_link.click()

    dialog = phone.get_by_role("dialog")
    expect(dialog).to_be_visible()
    check(phone, "the scanner asking for the station")
    dialog.get_by_role("button", name="Door A").click()
    dialog.get_by_role("button", name="Start scanning").click()
    scanner = phone.locator("#scanner")
    expect(scanner).to_have_attribute("data-offline-ready", "1")
    expect(scanner).to_have_attribute("data-worker", re.compile("ready|failed"))
    check(phone, "the scanner")

    phone.get_by_label("Search by name").fill(family)
    phone.get_by_role("button", name=f"Check in {who}").click()
    result = phone.locator('[data-field="result"][data-colour="green"]')
    expect(result).to_be_visible()
    expect(result).to_contain_text("Checked in")
    check(phone, "the scanner showing a check-in")
