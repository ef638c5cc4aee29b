"""A message sent by an organiser arrives, through a real SMTP server on loopback, in each
delegate's mailbox: their own name, their own links, replies to the organisers."""

import re

from conference.extensions import db as _db
from conference.messages.models import EventMessage
from tests.conftest import log_in
from tests.factories import PASSWORD, organiser_of
from tests.messages.conftest import build_forum


def _hidden(page, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page.text).group(1)


def test_a_delegate_receives_the_message_rendered_for_them(mail_app, smtp_server):
    with mail_app.app_context():
        forum = build_forum(_db)
        slug, email = forum.event.slug, organiser_of(forum.event).email
        _db.session.remove()
    client = mail_app.test_client()
    assert log_in(client, email, PASSWORD).status_code == 302
    form = {
        "kind": "registration",
        "subject": "Shuttle times for {name}",
        "body": "Dear {formal_name},\n\nThe shuttle leaves the hotel at 8:00.\n\n"
        "Your agenda: {agenda_link}\nYour registration: {manage_link}",
        "status": "confirmed",
        "country": "VN",
        "action": "preview",
    }
    url = f"/events/{slug}/messages/new"
    preview = client.post(url, data=form)
    assert "Send to 1 delegate<" in preview.text
    sent = client.post(
        url,
        data={
            **form,
            "action": "send",
            "previewed": _hidden(preview, "previewed"),
            "expected": _hidden(preview, "expected"),
        },
    )
    assert sent.status_code == 302

    [received] = smtp_server.messages()
    assert received["To"] == "khai@hanoi.example"
    assert received["Subject"] == "Shuttle times for Nguyễn Thị Minh Khai"
    assert received["Reply-To"] == "team@forum.example"
    text = received.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Dear Ms Nguyễn Thị Minh Khai,\n\nThe shuttle leaves the hotel at 8:00.")
    manage = re.search(r"Your registration: (\S+)", text)[1]
    assert manage.startswith(f"http://conference.test/events/{slug}/manage/")
    assert "verify=" in manage  # the link that proves the mailbox travels by e-mail alone
    assert "Questions? Reply to this e-mail: it reaches the organisers" in text
    html = received.get_body(("html",)).get_content()
    assert "<p>Dear Ms Nguyễn Thị Minh Khai,</p>" in html
    agenda = re.search(r"Your agenda: (\S+)", text)[1]
    assert f'<a href="{agenda}">{agenda}</a>' in html

    with mail_app.app_context():
        [message] = _db.session.query(EventMessage).all()
        assert message.sent_count == 1 and message.state == "sent"
        message_id = message.id
        _db.session.remove()
    record = client.get(f"/events/{slug}/messages/{message_id}")
    assert re.search(r'<span class="badge mail-sent">sent</span>', record.text)
