"""Native names on a device with no font for Thai, Khmer, Lao or Burmese: Chromium started
with a fontconfig of its own that knows DejaVu Sans and three CJK fonts, none of which has
Thai, Khmer or Burmese, so every such character they draw is a .notdef box. On each page
that shows native names, every element showing text in those scripts, and every field with
such text typed in, must be drawn with the fonts the app serves (static/css/fonts.css) once
the page has settled.

Chromium says which fonts drew the glyphs of an element (the DevTools protocol's
CSS.getPlatformFontsForNode): a character of these scripts drawn by a system font is a box.
A screenshot of each page lands in test-artifacts/scripts_<page>.png.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from conference.extensions import db
from conference.registration.links import manage_token
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _browser_missing_reason
from tests.factories import (
    PASSWORD,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_user,
)

# Thai, Lao, Myanmar (and its extensions), Khmer (and its symbols): the scripts of the region
# a phone or laptop may have no font for.
NATIVE = "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\ua9e0-\ua9ff\uaa60-\uaa7f]"

THAI = "สมชาย ใจดี"
KHMER_HEAD = "សុខា ចាន់"
KHMER_MEMBER = "ចាន់ ដារា"
KHMER_TYPED = "ចាន់ សុភា"
KHMER_CITY = "ក្រុងសៀមរាប"
LAO = "ສົມພອນ ແກ້ວ"
BURMESE = "အောင်ကျော်"

VENDORED_FONTS = Path(__file__).resolve().parents[2] / "conference/pdf/fonts"
# A phone has fonts for Chinese, Japanese and Korean (the app serves none): these stand for them.
CJK_FONTS = ("wqy-zenhei/wqy-zenhei.ttf", "ipaexfont/ipaexg.ttf", "nanum/NanumGothic.ttf")


def _dejavu_sans() -> Path | None:
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        if folder.is_dir():
            for found in sorted(folder.rglob("DejaVuSans.ttf")):
                return found
    return None


@pytest.fixture(scope="module")
def bare_browser(tmp_path_factory, request):
    """Chromium that sees, through its own fontconfig file, DejaVu Sans (Latin, Vietnamese,
    Lao, no Thai, Khmer or Burmese) and fonts for Chinese, Japanese and Korean, as a phone
    without Thai or Khmer fonts has; with the characters those fonts have."""
    from fontTools.ttLib import TTFont

    reason = _browser_missing_reason()
    dejavu = _dejavu_sans()
    if reason is None and dejavu is None:
        reason = "needs DejaVu Sans (fonts-dejavu-core) to stand for a device's only font"
    if reason:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    home = tmp_path_factory.mktemp("fontconfig")
    fonts = home / "fonts"
    fonts.mkdir()
    faces = [dejavu, dejavu.with_name("DejaVuSans-Bold.ttf")]
    faces = [face for face in faces if face.exists()] + [VENDORED_FONTS / f for f in CJK_FONTS]
    covered = set()
    for face in faces:
        (fonts / face.name).symlink_to(face)
        covered |= {chr(code) for code in TTFont(face).getBestCmap()}
    config = home / "fonts.conf"
    # DejaVu Sans last in every list of families: the default font, as on such a phone.
    default = (
        '<match><edit name="family" mode="append_last"><string>DejaVu Sans</string></edit></match>'
    )
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{home / 'cache'}</cachedir>{default}"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "HOME": str(home)}
    env.pop("FONTCONFIG_PATH", None)
    playwright = request.getfixturevalue("playwright")  # after the skip above, if any
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, env=env
    )
    yield SimpleNamespace(browser=chromium, covered=frozenset(covered))
    chromium.close()


@pytest.fixture
def device(bare_browser, request):
    """A new tab in a fresh profile (nothing cached), at laptop or phone size."""
    contexts = []

    def open_tab(width=1366, height=900):
        context = bare_browser.browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        return tab

    yield open_tab
    for context in contexts:
        if getattr(request.node, "test_failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for n, tab in enumerate(context.pages):
                tab.screenshot(path=str(ARTIFACTS / f"{name}_{n}.png"), full_page=True)
        context.close()


# Every rendered element whose own text holds characters of these scripts, and every field
# whose value does, marked so that the DevTools protocol can find them; their texts in order.
MARK_NATIVE_TEXT = """(pattern) => {
  const native = new RegExp(pattern, "u");
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (native.test(node.data) && element.getClientRects().length && !found.includes(element)) {
      found.push(element);
    }
  }
  for (const field of document.querySelectorAll("input, textarea")) {
    if (native.test(field.value) && field.getClientRects().length) found.push(field);
  }
  for (const old of document.querySelectorAll("[data-script-probe]")) {
    old.removeAttribute("data-script-probe");
  }
  found.forEach((element, n) => element.setAttribute("data-script-probe", String(n)));
  return found.map((e) => (e.matches("input, textarea") ? e.value : e.textContent));
}"""

SETTLED = """async () => {
  const frame = () =>
    new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  await frame();
  await document.fonts.ready;
  await frame();
  return document.fonts.status;
}"""


def _text_holders(node: dict) -> list[int]:
    """The elements under a described node (its shadow trees included) that hold text."""
    holders = []
    for child in node.get("children", []) + node.get("shadowRoots", []):
        if child["nodeType"] == 3 and child["nodeValue"].strip():
            holders.append(node["backendNodeId"])
        holders += _text_holders(child)
    return list(dict.fromkeys(holders))


def drawn_fonts(page) -> list[tuple[str, list[dict]]]:
    """Each element or field with Thai, Khmer, Lao or Burmese text, with the fonts that drew
    its glyphs, once the fonts the page asked for have loaded. A field's text is drawn inside
    its shadow tree: the fonts are those of the element there that holds it."""
    assert page.evaluate(SETTLED) == "loaded"
    texts = page.evaluate(MARK_NATIVE_TEXT, NATIVE)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = []
        for n, text in enumerate(texts):
            selector = f'[data-script-probe="{n}"]'
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            described = cdp.send("DOM.describeNode", {"nodeId": node, "depth": -1, "pierce": True})
            if described["node"]["localName"] in ("input", "textarea"):
                holders = _text_holders(described["node"])
                pushed = cdp.send(
                    "DOM.pushNodesByBackendIdsToFrontend", {"backendNodeIds": holders}
                )
                nodes = pushed["nodeIds"]
            else:
                nodes = [node]
            fonts = [
                font
                for each in nodes
                for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": each})["fonts"]
            ]
            found.append((text, fonts))
        return found
    finally:
        cdp.detach()


def boxes(text: str, fonts: list[dict], covered: frozenset[str]) -> int:
    """How many glyphs at least were drawn as boxes: the glyphs drawn by system fonts beyond
    the characters of the text those fonts have; all of the characters they lack when no
    font of the page's drew any."""
    lacking = sum(char not in covered for char in text)
    from_system = sum(f["glyphCount"] for f in fonts if not f["isCustomFont"])
    if not any(f["isCustomFont"] and f["glyphCount"] for f in fonts):
        return lacking
    return max(0, from_system - (len(text) - lacking))


@pytest.fixture
def assert_no_boxes(bare_browser):
    def check(page, name: str, *expected: str) -> None:
        """Every native text on the page drawn with real glyphs; the expected ones among them."""
        found = drawn_fonts(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"scripts_{name}.png"), full_page=True)
        shown = " | ".join(text for text, _ in found)
        for text in expected:
            assert text in shown, f"{name}: {text!r} is not on the page ({shown!r})"
        wrong = [
            (" ".join(text.split()), [(f["familyName"], f["glyphCount"]) for f in fonts])
            for text, fonts in found
            if boxes(text, fonts, bare_browser.covered)
        ]
        assert not wrong, f"{name}: drawn as boxes (text, fonts that drew it): {wrong}"

    return check


@pytest.fixture
def people(live_server):
    """An event happening today with delegates in Thai, Khmer, Lao and Burmese (and the
    other scripts of the region), a Cambodian city delegation, a published programme whose
    presenters have native names, an organiser and door staff."""
    from conference.agenda.publishing import publish
    from conference.dbtypes import utcnow
    from tests.factories.agenda import published_programme

    with live_server.app.app_context():
        today = utcnow().astimezone(ZoneInfo("Asia/Bangkok")).date()
        organiser = make_user("organiser@example.org", name="Olivia Organiser")
        event = make_event(
            organiser,
            slug="asean3",
            title="ASEAN+3 Regional Learning Cities Conference",
            start_date=today,
            end_date=today + timedelta(days=1),
        )
        give_role(event, make_user("door@example.org", name="Door staff"), "checkin")
        delegate = make_category(event, "Delegate")
        somchai = make_registration(
            event,
            delegate,
            given_name="Somchai",
            family_name="Jaidee",
            native_name=THAI,
            country="TH",
            email="somchai@bangkok.example",
        )
        head = make_registration(
            event,
            delegate,
            given_name="Sokha",
            family_name="Chan",
            native_name=KHMER_HEAD,
            country="KH",
            email="sokha@siemreap.example",
            new_delegation_name=KHMER_CITY,
        )
        make_registration(
            event,
            delegate,
            given_name="Dara",
            family_name="Chan",
            native_name=KHMER_MEMBER,
            country="KH",
            email="dara@siemreap.example",
            delegation_id=head.delegation_id,
        )
        for given, family, native, country in [
            ("Somphone", "Keo", LAO, "LA"),
            ("Aung", "Kyaw", BURMESE, "MM"),
            ("Taro", "Yamada", "山田 太郎", "JP"),
            ("Xiaoming", "Wang", "王晓明", "CN"),
            ("Ji-woo", "Kim", "김지우", "KR"),
        ]:
            make_registration(
                event,
                delegate,
                given_name=given,
                family_name=family,
                native_name=native,
                country=country,
                email=f"{given.lower()}@{country.lower()}.example",
            )
        programme = published_programme(event)
        first, second = programme["parallel"]
        first.talks[0].presenters[0].native_name = KHMER_MEMBER
        second.talks[0].presenters[0].native_name = BURMESE
        publish(event)
        db.session.commit()
        tokens = {"head": manage_token(head), "somchai": manage_token(somchai)}
        db.session.remove()
    return tokens


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_the_system_has_no_font_for_these_scripts(bare_browser):
    """The check is meaningful: without the app's fonts, this Chromium draws boxes."""
    page = bare_browser.browser.new_page()
    try:
        page.set_content(
            f'<p style="font-family: sans-serif">{THAI}</p>'
            f'<p style="font-family: sans-serif">{KHMER_HEAD}</p>'
            f'<p style="font-family: sans-serif">{BURMESE}</p>'
        )
        found = drawn_fonts(page)
        assert len(found) == 3
        for text, fonts in found:
            not_covered = [char for char in text if char not in bare_browser.covered]
            assert boxes(text, fonts, bare_browser.covered) == len(not_covered) > 0
    finally:
        page.close()


def test_organiser_pages_draw_every_native_name(live_server, people, device, assert_no_boxes):
    page = device()
    sign_in(page, live_server, "organiser@example.org")
    page.goto(f"{live_server.url}/events/asean3/registrations/")
    assert_no_boxes(page, "registrations", THAI, KHMER_HEAD, KHMER_MEMBER, LAO, BURMESE)

    page = device()
    sign_in(page, live_server, "organiser@example.org")
    page.goto(f"{live_server.url}/events/asean3/delegations")
    assert_no_boxes(page, "delegations", KHMER_CITY, KHMER_HEAD)


def test_delegation_card_and_member_form_draw_khmer(live_server, people, device, assert_no_boxes):
    page = device()
    page.goto(f"{live_server.url}/events/asean3/manage/{people['head']}")
    assert_no_boxes(page, "delegation_card", KHMER_HEAD, KHMER_CITY)

    page = device()
    page.goto(f"{live_server.url}/events/asean3/manage/{people['head']}/members/new")
    page.locator("#native_name").fill(KHMER_TYPED)
    assert_no_boxes(page, "member_form", KHMER_CITY, KHMER_TYPED)


def test_scanner_search_and_results_draw_thai_and_khmer(
    live_server, people, device, assert_no_boxes
):
    page = device(390, 844)
    sign_in(page, live_server, "door@example.org")
    page.goto(f"{live_server.url}/events/asean3/checkin")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Station").fill("Door A")
    dialog.get_by_role("button", name="Start scanning").click()
    expect(page.locator("#scanner")).to_have_attribute("data-offline-ready", "1")

    page.get_by_label("Search by name").fill("ใจดี")
    expect(page.get_by_role("button", name="Check in Mr Somchai Jaidee")).to_be_visible()
    assert_no_boxes(page, "scanner_thai", "ใจดี", THAI)

    page.get_by_label("Search by name").fill("ចាន់")
    expect(page.get_by_role("button", name="Check in Mr Chan Dara")).to_be_visible()
    assert_no_boxes(page, "scanner_khmer", "ចាន់", KHMER_HEAD, KHMER_MEMBER)


def test_public_pages_draw_native_names(live_server, people, device, assert_no_boxes):
    page = device()
    page.goto(f"{live_server.url}/events/asean3/agenda")
    assert_no_boxes(page, "agenda", "ปราณี ศรีสุข", KHMER_MEMBER, BURMESE)

    page = device(390, 844)
    page.goto(f"{live_server.url}/events/asean3/manage/{people['somchai']}/badge")
    assert_no_boxes(page, "badge", THAI)
