"""An organiser writes to the delegates of one country in a real browser: the preview for a
chosen delegate, a test to themselves, then the real thing, asked to confirm, followed to
the record of who got it; the delegates' mailboxes hold their own e-mail."""

import os
from pathlib import Path

from playwright.sync_api import expect

from conference.extensions import db
from tests.browser.conftest import wait_for_mail
from tests.factories import PASSWORD, organiser_of
from tests.messages.conftest import build_forum

# Set MESSAGES_SCREENSHOTS=<folder> to keep pictures of the pages (to look at them).
SHOTS = os.environ.get("MESSAGES_SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_an_organiser_previews_tries_and_sends_a_message(live_server, page, smtp_server):
    with live_server.app.app_context():
        forum = build_forum(db)
        slug, email = forum.event.slug, organiser_of(forum.event).email
        db.session.remove()

    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/events/{slug}/registrations/")
    page.locator(".event-nav").get_by_role("button", name="Registrations").click()  # its menu
    page.get_by_role("link", name="Messages", exact=True).click()
    page.get_by_role("link", name="Write a message").click()

    page.get_by_label("Subject", exact=True).fill("Shuttle times for {nmae}")
    page.get_by_label("Message", exact=True).fill(
        "Dear {formal_name},\n\nThe shuttle leaves the Lotus Hotel at 8:00 each morning.\n"
        "Your agenda: {agenda_link}\n\nSee you in Bangkok!"
    )
    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_role("button", name="Count and preview").click()
    # A mistyped placeholder is refused by name, at the top and under its field.
    expect(page.locator(".error-summary")).to_contain_text("Unknown placeholder: {nmae}.")
    _shot(page, "compose-error")
    page.get_by_label("Subject", exact=True).fill("Shuttle times for {name}")
    page.get_by_role("button", name="Count and preview").click()
    preview = page.locator(".message-preview")
    expect(preview.locator("[data-recipients]")).to_have_text("4")
    expect(preview.get_by_text("Skipped: no e-mail address")).to_be_visible()
    page.get_by_label("Preview for", exact=True).select_option(
        label="Dr Somchai Jaidee · somchai@bangkok.example"
    )
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".email-headers")).to_contain_text("Shuttle times for Somchai Jaidee")
    expect(page.locator(".email-body")).to_contain_text("Dear Dr Somchai Jaidee,")
    _shot(page, "compose-preview")

    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text(f"A test is on its way to {email}.")).to_be_visible()
    [test] = wait_for_mail(smtp_server, 1)
    assert test["To"] == email and test["Subject"] == "[Test] Shuttle times for Somchai Jaidee"

    page.get_by_label("Country").select_option(label="Vietnam")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Send to 4 delegates").click()
    # The filter changed since the preview: shown again with its new count, not sent.
    expect(page.get_by_text("changed since the preview")).to_be_visible()
    assert questions == ["Send “Shuttle times for {name}” to 4 delegates? This cannot be undone."]
    page.get_by_role("button", name="Send to 1 delegate").click()
    expect(page.get_by_role("heading", name="Shuttle times for {name}")).to_be_visible()
    expect(page.locator("tbody")).to_contain_text("khai@hanoi.example")
    _shot(page, "record")
    mails = wait_for_mail(smtp_server, 2)
    assert [m["To"] for m in mails] == [email, "khai@hanoi.example"]
    assert mails[1]["Subject"] == "Shuttle times for Nguyễn Thị Minh Khai"
    page.get_by_role("link", name="← All messages").click()
    expect(page.get_by_role("link", name="Shuttle times for {name}")).to_be_visible()
    _shot(page, "list")
    if SHOTS:  # the e-mail as the delegate's mail program shows it
        page.goto("about:blank")  # no site policy: the mail's own styles apply
        page.set_content(mails[1].get_body(("html",)).get_content())
        _shot(page, "e-mail")
