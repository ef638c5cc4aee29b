"""Papers in Chromium: a new person registers and submits a paper, uploads a second version;
a reviewer reviews it; an organiser accepts it and places it in a parallel session."""

import re
from datetime import date, datetime, timedelta

from playwright.sync_api import expect

from conference.agenda.models import Room, Track
from conference.agenda.sessions import SessionDetails, save_session
from conference.extensions import db
from conference.papers.calls import CallDetails, CriterionDetails, save_call
from tests.browser.conftest import wait_for_mail
from tests.factories import PASSWORD, give_role, make_category, make_event, make_user
from tests.papers.samples import docx_bytes, pdf_bytes


def mail_text(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def build_event(app):
    with app.app_context():
        organiser = make_user("organiser@example.org", name="Siriporn Chaiyasit")
        start = date.today() + timedelta(days=40)
        event = make_event(organiser, slug="asean3", start_date=start, end_date=start)
        give_role(event, make_user("reviewer@example.org", name="Kanya Wongsawat"), "reviewer")
        make_category(event, "Delegate")
        track = Track(event_id=event.id, name="Inclusion and equity", colour="#7b2d8b")
        room = Room(event_id=event.id, name="Lotus Room", capacity=80)
        db.session.add_all([track, room])
        db.session.flush()
        now = datetime.now().replace(microsecond=0)
        save_call(
            event,
            CallDetails(
                opens_at=now - timedelta(days=10),
                closes_at=now + timedelta(days=10),
                topic_ids=(track.id,),
                criteria=(CriterionDetails("Relevance", 5), CriterionDetails("Evidence", 5)),
            ),
        )
        session = save_session(
            event,
            None,
            SessionDetails(
                "parallel",
                "Parallel A: no one left behind",
                datetime(start.year, start.month, start.day, 13, 30),
                datetime(start.year, start.month, start.day, 15),
                room_id=room.id,
                track_id=track.id,
            ),
        )
        db.session.commit()
        ids = {"session": session.id, "day": start.isoformat()}
        db.session.remove()
        return ids


def sign_in(browser, base_url, email):
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(base_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def test_a_paper_goes_from_a_new_person_through_review_into_a_parallel_session(
    live_server, page, browser, tmp_path, smtp_server
):
    ids = build_event(live_server.app)
    base = live_server.url
    first = tmp_path / "Son La - no one left behind.pdf"
    first.write_bytes(pdf_bytes("Building a learning city where no one is left behind"))
    second = tmp_path / "Son La - no one left behind (v2).docx"
    second.write_bytes(docx_bytes("Building a learning city where no one is left behind, v2"))

    # A new person finds the call, registers, and reaches the paper form from the e-mail.
    page.goto(base + "/events/asean3/call-for-papers")
    page.get_by_role("link", name="Register to submit").click()
    page.get_by_label("Delegate").check()
    page.get_by_label("Title").select_option("Mr")
    page.get_by_label("Given name").fill("Trung Chiến")
    page.get_by_label("Family name").fill("Hà")
    page.get_by_label("Name in your own script").fill("Hà Trung Chiến")
    page.get_by_label("Organisation", exact=True).fill("Son La City People's Committee")
    page.get_by_label("E-mail", exact=True).fill("chien@sonla.example")
    page.get_by_label("Mobile phone").fill("+84 912 345 678")
    page.get_by_label("Country", exact=True).select_option(label="Viet Nam")
    page.get_by_label("I agree to the privacy policy").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("to submit your paper")).to_be_visible()
    [mail] = wait_for_mail(smtp_server, 1)
    link = re.search(r"http://127\.0\.0\.1:\d+/events/asean3/manage/\S+", mail_text(mail))
    page.goto(link.group(0))
    page.get_by_role("link", name="Your papers").click()
    page.get_by_role("link", name="Submit a paper").click()

    expect(page.get_by_role("heading", name="Submit a paper")).to_be_visible()
    page.get_by_label("Title").fill("Building a learning city where no one is left behind")
    page.get_by_label("Topic").select_option(label="Inclusion and equity")
    page.get_by_label("Abstract").fill(
        "Son La allocates 34% of its budget to education and runs 112 Houses of Wisdom."
    )
    expect(page.locator("#authors-0-email")).to_have_value("chien@sonla.example")
    page.get_by_label("The paper", exact=True).set_input_files(str(first))
    page.get_by_role("button", name="Submit the paper").click()
    expect(page.get_by_text("Son La - no one left behind.pdf")).to_be_visible()

    # A second version, kept beside the first.
    page.get_by_label("New version").set_input_files(str(second))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Son La - no one left behind (v2).docx")).to_be_visible()
    expect(page.get_by_text("Son La - no one left behind.pdf")).to_be_visible()

    # The organiser gives the paper to the reviewer.
    organiser = sign_in(browser, base, "organiser@example.org")
    organiser.goto(base + "/events/asean3/papers")
    organiser.get_by_role(
        "link", name="Building a learning city where no one is left behind"
    ).click()
    organiser.get_by_label("Reviewer").select_option(label="Kanya Wongsawat")
    organiser.get_by_role("button", name="Assign").click()
    expect(organiser.get_by_text("to review")).to_be_visible()

    # The reviewer scores it.
    reviewer = sign_in(browser, base, "reviewer@example.org")
    reviewer.goto(base + "/events/asean3/reviews")
    reviewer.get_by_role(
        "link", name="Building a learning city where no one is left behind"
    ).click()
    reviewer.get_by_label("Relevance").fill("5")
    reviewer.get_by_label("Evidence").fill("4")
    reviewer.get_by_label("Accept").check()
    reviewer.get_by_label("For the authors").fill("A clear account of what the city did.")
    reviewer.get_by_role("button", name="Submit the review").click()
    expect(reviewer.get_by_text("1 of 1 reviewed.")).to_be_visible()

    # The organiser sees the scores, accepts, and places the talk in the parallel session.
    organiser.reload()
    expect(organiser.get_by_text("A clear account of what the city did.")).to_be_visible()
    organiser.get_by_label("Accept").check()
    organiser.get_by_role("button", name="Decide and tell the authors").click()
    expect(organiser.get_by_text("Accepted").first).to_be_visible()

    organiser.goto(f"{base}/events/asean3/agenda/edit?day={ids['day']}")
    chip = organiser.locator(".talk-chip").filter(has_text="no one is left behind")
    block = f'.session-block[data-session-id="{ids["session"]}"]'
    with organiser.expect_navigation():
        chip.drag_to(organiser.locator(block))
    expect(organiser.locator(".talk-chip")).to_have_count(0)
    expect(organiser.locator(block)).to_contain_text("1 talk")
