import re

from playwright.sync_api import expect

from conference.extensions import db
from conference.registration.settings import save_question
from tests.browser.conftest import wait_for_mail
from tests.factories import make_category, make_event


def test_delegate_registers_opens_the_emailed_link_edits_and_cancels(
    live_server, page, smtp_server
):
    with live_server.app.app_context():
        event = make_event(title="ASEAN+3 Regional Learning Cities Conference", slug="asean3")
        make_category(event, "Delegate", description="City officials and experts.")
        make_category(event, "Observer", capacity=5)
        save_question(
            event,
            None,
            label="Site visit",
            type="single_choice",
            required=True,
            choices=["Bang Kachao green lung", "No site visit"],
        )
        db.session.commit()
        db.session.remove()

    page.goto(live_server.url + "/events/asean3/")
    page.get_by_role("link", name="Register", exact=True).click()
    page.get_by_label("Delegate").check()
    page.get_by_label("Title").select_option("Mr")
    page.get_by_label("Given name").fill("Trung Chiến")
    page.get_by_label("Family name").fill("Hà")
    page.get_by_label("Name in your own script").fill("Hà Trung Chiến")
    page.get_by_label("Organisation", exact=True).fill("Son La City People's Committee")
    page.get_by_label("E-mail", exact=True).fill("chien@sonla.example")
    page.get_by_label("Mobile phone").fill("+84 912 345 678")
    page.get_by_label("Country", exact=True).select_option(label="Viet Nam")
    # Passport fields appear only once the visa letter is asked for.
    expect(page.get_by_label("Passport number")).to_be_hidden()
    page.get_by_label("I need a visa invitation letter").check()
    expect(page.get_by_label("Passport number")).to_be_visible()
    page.get_by_label("I need a visa invitation letter").uncheck()
    page.get_by_label("I agree to the privacy policy").check()
    page.get_by_role("button", name="Register").click()
    # A required question was left out: explained, and nothing typed is lost.
    # Named at the top of the form, linked to the question, and said beside it.
    expect(
        page.get_by_role("link", name="Site visit: Please answer this question.")
    ).to_be_visible()
    expect(page.get_by_text("Please answer this question.", exact=True)).to_be_visible()
    expect(page.get_by_label("Given name")).to_have_value("Trung Chiến")
    page.get_by_label("Bang Kachao green lung").check()
    page.get_by_label("I agree to the privacy policy").check()
    page.get_by_role("button", name="Register").click()
    # The same answer as for an address registered already: the link comes by e-mail.
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert "/manage/" not in page.content()

    [mail] = wait_for_mail(smtp_server, 1)
    assert mail["To"] == "chien@sonla.example"
    text = mail.get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/events/asean3/manage/\S+", text).group(0)

    other = page.context.browser.new_context()
    tab = other.new_page()
    tab.goto(link)
    expect(tab.get_by_role("heading", name="Mr Hà Trung Chiến")).to_be_visible()
    expect(tab.get_by_text("Confirmed", exact=True)).to_be_visible()
    tab.get_by_label("Position", exact=True).fill("Secretary of the Son La City Party Committee")
    tab.get_by_role("button", name="Save changes").click()
    expect(tab.get_by_text("Your changes are saved.")).to_be_visible()
    expect(tab.get_by_label("Position", exact=True)).to_have_value(
        "Secretary of the Son La City Party Committee"
    )

    tab.once("dialog", lambda dialog: dialog.accept())
    tab.get_by_role("button", name="Cancel my registration").click()
    expect(tab.get_by_text("Your registration is cancelled.")).to_be_visible()
    expect(tab.get_by_text("Cancelled", exact=True)).to_be_visible()
    mails = wait_for_mail(smtp_server, 2)
    assert mails[-1]["Subject"].startswith("Your registration is cancelled")
    other.close()
