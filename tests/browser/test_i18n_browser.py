"""The site in the delegate's language, in a real browser: registering in Thai from the event
page to the e-mail, switching language in the middle of the form without losing a word, and
the form in the longer and taller scripts, screenshotted for people to look at."""

import os
import re
from pathlib import Path

import pytest
from flask_babel import gettext
from playwright.sync_api import expect

from conference.i18n import in_language
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, wait_for_mail
from tests.factories import make_category, make_event


def translated(app, code, message, **variables):
    """The catalogue's translation (no test hard-codes one)."""
    with app.test_request_context(), in_language(code):
        return gettext(message, **variables)


@pytest.fixture
def event(live_server):
    with live_server.app.app_context():
        from conference.extensions import db

        event = make_event(
            title="ASEAN+3 Regional Learning Cities Conference", slug="asean3", city="Bangkok"
        )
        make_category(event, "Delegate", description="City officials and experts.")
        db.session.commit()
        db.session.remove()


def test_a_delegate_registers_in_thai_from_the_event_page_to_the_e_mail(
    live_server, page, smtp_server, event
):
    app = live_server.app
    th = lambda message, **values: translated(app, "th", message, **values)  # noqa: E731

    page.goto(live_server.url + "/events/asean3/?lang=th")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.get_by_role("link", name=th("Register"), exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        th("Register for %(event)s", event="ASEAN+3 Regional Learning Cities Conference")
    )
    page.get_by_label("Delegate").check()
    page.get_by_label(th("Given name"), exact=True).fill("Somchai")
    page.get_by_label(th("Family name"), exact=True).fill("Jaidee")
    page.get_by_label(th("Name in your own script"), exact=True).fill("สมชาย ใจดี")
    page.get_by_label(th("Organisation"), exact=True).fill("Bangkok Metropolitan Administration")
    page.get_by_label(th("E-mail"), exact=True).fill("somchai@bangkok.example")
    page.get_by_label(th("Country"), exact=True).select_option("TH")
    page.get_by_role("button", name=th("Register")).click()
    # The agreement was left out: said in Thai, and nothing typed is lost.
    expect(
        page.get_by_text(th("Please agree to the privacy policy to register."), exact=True)
    ).to_be_visible()
    expect(page.get_by_label(th("Given name"), exact=True)).to_have_value("Somchai")
    page.get_by_label(th("I agree to the privacy policy"), exact=True).check()
    page.get_by_role("button", name=th("Register")).click()
    expect(page.get_by_role("heading", name=th("Check your e-mail"))).to_be_visible()

    [mail] = wait_for_mail(smtp_server, 1)
    assert mail["Subject"].startswith(th("Your registration is confirmed"))
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="th">' in html
    for body in (text, html):
        assert th("What you need to come") in body
        assert th("Confirmed") in body
        assert "Your registration" not in body
    link = re.search(r"http://127\.0\.0\.1:\d+/events/asean3/manage/\S+", text).group(0)

    # Their own page, opened from the e-mail in another browser, is in their language.
    other = page.context.browser.new_context(locale="en-GB")
    tab = other.new_page()
    tab.goto(link)
    expect(tab.locator("html")).to_have_attribute("lang", "th")
    other.close()


def test_switching_language_in_the_middle_of_the_form_keeps_what_was_typed(
    live_server, page, event
):
    app = live_server.app
    page.goto(live_server.url + "/events/asean3/register")
    page.get_by_label("Given name", exact=True).fill("Minh Khai")
    page.get_by_label("Family name", exact=True).fill("Nguyễn Thị")
    page.get_by_label("Name in your own script").fill("Nguyễn Thị Minh Khai")
    page.get_by_label("Surname first, e.g. Nguyễn Thị Minh Khai").check()
    page.get_by_label("E-mail", exact=True).fill("khai@hanoi.example")
    page.get_by_label("Country", exact=True).select_option("VN")
    page.get_by_label("I need a visa invitation letter").check()
    page.get_by_label("Passport number").fill("C1234567")

    page.get_by_role("button", name="Language: English").click()
    page.get_by_role("link", name="Tiếng Việt").click()

    vi = lambda message, **values: translated(app, "vi", message, **values)  # noqa: E731
    expect(page).to_have_url(re.compile(r"/events/asean3/register\?lang=vi$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_label(vi("Given name"), exact=True)).to_have_value("Minh Khai")
    expect(page.get_by_label(vi("Family name"), exact=True)).to_have_value("Nguyễn Thị")
    expect(page.get_by_label(vi("E-mail"), exact=True)).to_have_value("khai@hanoi.example")
    expect(page.get_by_label(vi("Country"), exact=True)).to_have_value("VN")
    expect(page.get_by_label(vi("I need a visa invitation letter"), exact=True)).to_be_checked()
    expect(
        page.get_by_label(vi("Passport number"), exact=True)
    ).to_be_visible()  # the box's part shown
    expect(page.get_by_label(vi("Passport number"), exact=True)).to_have_value("C1234567")
    # The name's preview follows the restored fields.
    expect(page.locator("[data-name-preview]")).to_have_text("Nguyễn Thị Minh Khai")

    # Once only: coming back later starts afresh.
    page.goto(live_server.url + "/events/asean3/register")
    expect(page.get_by_label(vi("Given name"), exact=True)).to_have_value("")


# A device has fonts for Chinese, Japanese and Korean (the app serves none): these stand for
# them, beside this machine's own fonts, in the screenshots' browser.
CJK_FONTS = ("wqy-zenhei/wqy-zenhei.ttf", "ipaexfont/ipaexg.ttf", "nanum/NanumGothic.ttf")
VENDORED_FONTS = Path(__file__).resolve().parents[2] / "conference/pdf/fonts"


@pytest.fixture(scope="module")
def device_browser(playwright, tmp_path_factory):
    """Chromium seeing this machine's fonts and CJK ones, as a phone or laptop does."""
    home = tmp_path_factory.mktemp("fontconfig")
    fonts = home / "fonts"
    fonts.mkdir()
    for face in CJK_FONTS:
        (fonts / Path(face).name).symlink_to(VENDORED_FONTS / face)
    config = home / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        # The machine's own configuration, and the CJK fonts after its own fonts.
        '<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{fonts}</dir><cachedir>{home / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "HOME": str(home)}
    env.pop("FONTCONFIG_PATH", None)
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, env=env
    )
    yield chromium
    chromium.close()


@pytest.mark.parametrize("code", ["th", "vi", "my", "km", "lo", "ja", "zh-Hans", "ko"])
def test_the_form_holds_up_in_each_script_on_a_phone(live_server, device_browser, event, code):
    """Screenshots in test-artifacts/i18n/ to look at; no line of the form runs off a phone's
    screen, whatever the script's length and height."""
    browser = device_browser
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{live_server.url}/events/asean3/register?lang={code}")
    expect(page.locator("html")).to_have_attribute("lang", code)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{code}: the page is {overflow}px wider than the phone"
    folder = ARTIFACTS / "i18n"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"register-{code}-phone.png"), full_page=True)
    wide = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = wide.new_page()
    tab.goto(f"{live_server.url}/events/asean3/register?lang={code}")
    tab.screenshot(path=str(folder / f"register-{code}.png"), full_page=False)
    wide.close()
    context.close()
