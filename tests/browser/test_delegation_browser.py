"""The delegation sheet in Chromium at 1366 px: a head adds members in a table, and long
Khmer and Burmese names, organisations and addresses stay inside the delegation cards
(an address without a hyphen, or a name glued to Khmer, gives the browser no place to
break a line unless told it may break anywhere)."""

import re

from playwright.sync_api import expect

from conference.extensions import db
from conference.registration.delegations import add_member
from conference.registration.links import manage_token
from conference.registration.settings import save_question
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    PASSWORD,
    delegate,
    make_category,
    make_event,
    make_invited_head,
    make_user,
    registration_data,
)

LONG_ORGANISATION = (
    "Phnom Penh Capital Administration, Department of Education, Youth and Sport, "
    "Learning City Secretariat"
)
KHMER = "សម្តេចអគ្គមហាសេនាបតីតេជោហ៊ុនសែនប្រធានក្រុមប្រឹក្សាភិបាលនៃរាជធានីភ្នំពេញ"
BURMESE = "ဒေါ်အောင်ဆန်းစုကြည်မန္တလေးမြို့တော်စည်ပင်သာယာရေးကော်မတီဥက္ကဋ္ဌ"

# Every element and every run of text inside a card, measured against the card's box; the
# ones that stick out (by more than half a pixel), described. Text only for screen readers
# (clipped to a pixel) is not drawn, so not measured.
SPILLS = """
(cards) => cards.flatMap((card) => {
  const box = card.getBoundingClientRect();
  const out = (r) => r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
  const hidden = (node) => node.parentElement.closest(".visually-hidden");
  const found = [];
  for (const element of card.querySelectorAll("*")) {
    if (hidden(element)) continue;
    if (out(element.getBoundingClientRect())) found.push(element.outerHTML.slice(0, 120));
  }
  const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    if (hidden(walker.currentNode)) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    for (const rect of range.getClientRects()) {
      if (out(rect)) found.push(`text: ${walker.currentNode.textContent.trim().slice(0, 60)}`);
    }
  }
  for (const scroller of card.querySelectorAll(".table-responsive")) {
    if (scroller.scrollWidth > scroller.clientWidth + 1) found.push("a table scrolls sideways");
  }
  return found;
})
"""


def _delegation_with_long_names(app):
    with app.app_context():
        organiser = make_user("organiser@example.org", name="Siriporn")
        event = make_event(organiser, slug="asean3")
        category = make_category(event, "Delegate")
        save_question(
            event,
            None,
            label="Site visit",
            type="single_choice",
            required=True,
            choices=["Bang Kachao green lung", "No site visit"],
        )
        db.session.commit()
        answers = {"answers": {}}
        question_id = event_question_id(event)
        answers["answers"][question_id] = "No site visit"
        head = delegate(
            event,
            category,
            given_name="Sokha",
            family_name="Chan",
            native_name=KHMER,
            email="sokhachanlearningcitysecretariat@phnompenhcapitaladministration.example",
            country="KH",
            organisation=LONG_ORGANISATION,
            new_delegation_name=f"Phnom Penh Capital Learning City Delegation {KHMER}",
            **answers,
        )
        add_member(
            head,
            registration_data(
                None,
                given_name="Aung",
                family_name="Kyaw",
                native_name=BURMESE,
                email="",
                country="MM",
                organisation=f"{LONG_ORGANISATION} {BURMESE}",
                position="Deputy Director of the Learning City Secretariat and Coordinator",
                **answers,
            ),
        )
        add_member(
            head,
            registration_data(
                None,
                given_name="Dara",
                family_name=f"Sok{KHMER}",  # no break the browser would find on its own
                native_name=KHMER + KHMER,
                email="darasokdeputydirectorofnonformaleducationlearningcity@moeyscambodia.example",
                organisation=LONG_ORGANISATION,
                **answers,
            ),
        )
        db.session.commit()
        url = f"/events/asean3/manage/{manage_token(head)}"
        db.session.remove()
    return url


def event_question_id(event):
    from conference.registration.settings import questions_for

    return questions_for(event)[0].id


def look(page, name):
    """A full-page screenshot in test-artifacts/, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"delegation-{name}-1366.png"), full_page=True)


def _page_at_1366(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_head_adds_members_in_a_table_and_nothing_spills_out_at_1366_px(live_server, browser):
    link = _delegation_with_long_names(live_server.app)
    context, page = _page_at_1366(browser)
    try:
        page.goto(live_server.url + link)
        card = page.locator(".delegation-card")
        expect(card).to_contain_text("Aung Kyaw")
        assert page.evaluate(SPILLS, card.element_handles()) == []
        look(page, "manage")

        page.get_by_role("link", name="Delegation sheet").click()
        expect(page.get_by_role("heading", name=re.compile("Phnom Penh Capital"))).to_be_visible()
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        look(page, "sheet-before")

        # Two members, one without a family name: nothing is registered, both rows stay.
        page.get_by_label("Given name, row 1").fill("Srey Pov")
        page.get_by_label("Family name, row 1").fill("Lim")
        page.get_by_label("Their name in their own script, row 1").fill(KHMER)
        page.get_by_label("Site visit, row 1").select_option("No site visit")
        page.get_by_label("Given name, row 2").fill("Thida")
        page.get_by_label("E-mail, row 2").fill("thida@mandalay.example")
        page.get_by_label("Site visit, row 2").select_option("No site visit")
        page.get_by_role("button", name="Register these members").click()
        expect(page.get_by_text("Nothing was registered: 1 row has a problem")).to_be_visible()
        expect(page.get_by_text("Enter their family name")).to_be_visible()
        expect(page.get_by_label("Given name, row 1")).to_have_value("Srey Pov")
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        page.get_by_label("Family name, row 2").fill("Win")
        page.get_by_role("button", name="Register these members").click()
        expect(page.get_by_text("2 members are registered")).to_be_visible()
        table = page.locator(".delegation-table")
        expect(table).to_contain_text("Lim Srey Pov")  # a Khmer name: family name first
        expect(table).to_contain_text("thida@mandalay.example")
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        look(page, "sheet-after")

        page.get_by_role("link", name="View and edit Mr Aung Kyaw").click()
        expect(page.get_by_label("Their name in their own script")).to_have_value(BURMESE)
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        look(page, "member")
    finally:
        context.close()


def test_organisers_delegation_cards_and_sheet_keep_long_names_inside_at_1366_px(
    live_server, browser
):
    _delegation_with_long_names(live_server.app)
    context, page = _page_at_1366(browser)
    try:
        page.goto(live_server.url + "/login")
        page.get_by_label("E-mail").fill("organiser@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server.url + "/events/asean3/delegations")
        cards = page.locator(".delegation-card")
        expect(cards).to_have_count(1)
        assert page.evaluate(SPILLS, cards.element_handles()) == []
        page.get_by_role("link", name=re.compile("Phnom Penh Capital")).click()
        table = page.locator(".delegation-table")
        expect(table).to_contain_text("none: the head manages them")
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        look(page, "organiser")
    finally:
        context.close()


def _speaker_head(app):
    """The head of a delegation who is a Speaker (by invitation), as every head of the demo."""
    with app.app_context():
        event = make_event(make_user("organiser@example.org"), slug="asean4")
        speaker = make_category(event, "Speaker", invitation_code="SPEAK-2026")
        make_category(event, "Delegate", capacity=1)
        make_category(event, "Observer", requires_approval=True)
        make_category(event, "VIP", invitation_code="VIP-2026")
        head = make_invited_head(event, speaker, email="sokha@phnompenh.example")
        db.session.commit()
        url = f"/events/asean4/manage/{manage_token(head)}/delegation"
        db.session.remove()
    return url


def test_a_speaker_head_chooses_each_members_category_on_the_sheet_at_1366_px(live_server, browser):
    link = _speaker_head(live_server.app)
    context, page = _page_at_1366(browser)
    try:
        page.goto(live_server.url + link)
        first = page.get_by_label("Takes part as, row 1")
        expect(first).to_have_value(re.compile(r"\d+"))
        assert first.locator("option:checked").inner_text() == "Delegate"
        options = first.locator("option").all_inner_texts()
        assert options == ["Delegate", "Observer"]  # no Speaker, no VIP
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        assert_accessible(page, "the sheet with its category column")
        look(page, "sheet-categories")

        page.get_by_label("Given name, row 1").fill("Srey Pov")
        page.get_by_label("Family name, row 1").fill("Lim")
        page.get_by_label("Given name, row 2").fill("Dara")
        page.get_by_label("Family name, row 2").fill("Sok")
        page.get_by_label("Given name, row 3").fill("Chenda")
        page.get_by_label("Family name, row 3").fill("Keo")
        page.get_by_label("Takes part as, row 3").select_option(label="Observer")
        page.get_by_role("button", name="Register these members").click()
        expect(page.get_by_text("3 members are registered")).to_be_visible()
        notice = page.locator(".alert-success")
        expect(notice).to_contain_text("Lim Srey Pov (confirmed)")
        expect(notice).to_contain_text("Sok Dara (waiting list)")  # one Delegate place
        expect(notice).to_contain_text("Keo Chenda (pending approval)")
        # Delegate is full now: the table says so before the head chooses it.
        expect(page.locator("#category-notes")).to_contain_text(
            "Delegate is full: new members join its waiting list."
        )
        assert page.evaluate(SPILLS, page.locator(".delegation-card").element_handles()) == []
        look(page, "sheet-categories-after")
    finally:
        context.close()
