"""The organisers' message pages: compose, count and preview for a chosen delegate, a test
to oneself, sending in the background to the record of who got what; only the event's
organisers, and never without the form's token."""

import re

from sqlalchemy import func, select

from conference.extensions import db as _db
from conference.mail.models import OutboxMessage
from conference.messages.models import EventMessage
from tests.conftest import log_in
from tests.factories import PASSWORD, make_event, make_organiser, make_reviewer, organiser_of

BODY = "Dear {formal_name},\n\nYour badge: {badge_link}\nSee you soon."


def _url(forum, rest="new"):
    return f"/events/{forum.event.slug}/messages/{rest}"


def _form(**overrides):
    data = {
        "kind": "registration",
        "subject": "Your badge, {name}",
        "body": BODY,
        "status": "confirmed",
        "category_id": "",
        "country": "",
        "delegation_id": "",
        "session_id": "",
        "arrived": "",
        "action": "preview",
    }
    data.update(overrides)
    return data


def _hidden(page, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page.text).group(1)


def _mails():
    return _db.session.scalar(select(func.count(OutboxMessage.id)))


def test_the_compose_page_offers_the_events_filters_and_placeholders(client, login, forum):
    login(organiser_of(forum.event))
    page = client.get(_url(forum))
    assert page.status_code == 200
    slug = forum.event.slug
    assert f'aria-current="page" href="/events/{slug}/messages/">Messages</a>' in page.text
    assert f'<option value="{forum.delegates.id}">Delegate</option>' in page.text
    assert '<option value="VN">Vietnam</option>' in page.text
    assert "Parallel A: no one left behind" in page.text
    assert "<code>{manage_link}</code>" in page.text
    assert 'value="send"' not in page.text  # no sending before a preview


def test_the_preview_counts_and_shows_the_chosen_delegates_e_mail(client, login, forum):
    login(organiser_of(forum.event))
    page = client.post(_url(forum), data=_form(preview_id=str(forum.somchai.id)))
    assert page.status_code == 200
    assert re.search(r"Will receive it</dt><dd[^>]*>3</dd>", page.text)
    assert "Skipped: no e-mail address (managed by their head)" in page.text
    assert "Your badge, Somchai Jaidee" in page.text
    assert "<p>Dear Dr Somchai Jaidee,</p>" in page.text
    assert "/manage/" in page.text and "/badge</a>" in page.text
    assert f'<option selected value="{forum.somchai.id}">' in page.text
    assert "Send to 3 delegates" in page.text
    assert _hidden(page, "expected") == "3"
    assert _mails() == 0  # a preview sends nothing


def test_unknown_placeholders_are_refused_naming_them_and_nothing_is_sent(client, login, forum):
    login(organiser_of(forum.event))
    page = client.post(
        _url(forum),
        data=_form(subject="Hi {firstname}", body="{name.__class__} {{name}}", action="send"),
    )
    assert page.status_code == 422
    assert "Unknown placeholder: {firstname}." in page.text
    assert "Not a placeholder: {name.__class__}." in page.text
    assert "Placeholders take single braces, like {name}: {{name}}." in page.text
    assert _mails() == 0 and _db.session.scalar(select(func.count(EventMessage.id))) == 0


def test_a_filter_of_another_event_is_refused_under_its_field(client, login, forum):
    login(organiser_of(forum.event))
    page = client.post(_url(forum), data=_form(session_id="999999"))
    assert page.status_code == 422
    assert "This event has no such session." in page.text


def test_a_test_goes_to_the_organiser_alone(client, login, forum):
    organiser = organiser_of(forum.event)
    login(organiser)
    page = client.post(_url(forum), data=_form(action="test", preview_id=str(forum.head.id)))
    assert page.status_code == 200
    assert f"A test is on its way to {organiser.email}." in page.text
    [test] = _db.session.scalars(select(OutboxMessage)).all()
    assert test.recipient == organiser.email
    assert test.subject == "[Test] Your badge, Chan Sokha"  # Khmer: family name first
    assert _db.session.scalar(select(func.count(EventMessage.id))) == 0


def test_sending_runs_in_the_background_to_the_record_of_who_got_it(client, login, forum):
    login(organiser_of(forum.event))
    preview = client.post(_url(forum), data=_form())
    sent = client.post(
        _url(forum),
        data=_form(
            action="send",
            previewed=_hidden(preview, "previewed"),
            expected=_hidden(preview, "expected"),
        ),
    )
    assert sent.status_code == 302 and "/jobs/" in sent.headers["Location"]
    job = client.get(sent.headers["Location"] + ".json").get_json()
    assert job["status"] == "finished" and (job["done"], job["total"]) == (3, 3)
    record_url = job["result"]["url"]
    assert job["result"]["label"] == "See who got it (3 e-mails)"

    record = client.get(record_url)
    assert record.status_code == 200
    assert "Your badge, {name}" in record.text and "Confirmed" in record.text
    for address in ("khai@hanoi.example", "somchai@bangkok.example", "sokha@pp.example"):
        assert address in record.text
    assert "wang@nanjing.example" not in record.text  # pending: not selected
    listing = client.get(_url(forum, ""))
    assert f'href="{record_url}">Your badge, {{name}}</a>' in listing.text
    assert _mails() == 3


def test_sending_what_was_not_previewed_shows_the_preview_first(client, login, forum):
    login(organiser_of(forum.event))
    preview = client.post(_url(forum), data=_form())
    page = client.post(
        _url(forum),
        data=_form(
            action="send",
            body="Changed after the preview.",
            previewed=_hidden(preview, "previewed"),
            expected=_hidden(preview, "expected"),
        ),
    )
    assert page.status_code == 422
    assert "changed since the preview" in page.text
    assert "Changed after the preview." in page.text  # the new preview is shown
    assert _hidden(page, "previewed") != _hidden(preview, "previewed")
    assert _mails() == 0


def test_only_the_events_organisers_reach_its_messages(app, client, login, forum):
    other_event = make_event()
    outsider = organiser_of(other_event)
    reviewer = make_reviewer(forum.event)
    for user in (outsider, reviewer):
        login(user)
        assert client.get(_url(forum)).status_code == 403
        assert client.get(_url(forum, "")).status_code == 403
        assert client.post(_url(forum), data=_form(action="test")).status_code == 403
        client.post("/logout")
    assert _mails() == 0
    anonymous = app.test_client().get(_url(forum, ""))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]

    # A co-organiser sees the messages; a message id of another event is not found.
    login(make_organiser(forum.event))
    assert client.get(_url(forum, "")).status_code == 200
    assert client.get(_url(forum, "12345")).status_code == 404


def test_a_message_of_one_event_is_not_found_under_another(client, login, forum):
    organiser = organiser_of(forum.event)
    login(organiser)
    preview = client.post(_url(forum), data=_form())
    sent = client.post(
        _url(forum),
        data=_form(
            action="send",
            previewed=_hidden(preview, "previewed"),
            expected=_hidden(preview, "expected"),
        ),
    )
    record_url = client.get(sent.headers["Location"] + ".json").get_json()["result"]["url"]
    message_id = record_url.rsplit("/", 1)[1]
    mine_too = make_event(organiser=organiser)
    assert client.get(f"/events/{mine_too.slug}/messages/{message_id}").status_code == 404
    assert client.get(f"/events/{mine_too.slug}/messages/new?again={message_id}").status_code == 404


def test_every_post_needs_the_form_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from tests.messages.conftest import build_forum

        forum = build_forum(_db)
        email, url = organiser_of(forum.event).email, _url(forum)
        _db.session.remove()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    assert log_in(client, email, PASSWORD).status_code != 302  # the login form needs it too
    login = {"email": email, "password": PASSWORD, "csrf_token": token[1]}
    assert client.post("/login", data=login).status_code == 302
    for action in ("preview", "test", "send"):
        refused = client.post(url, data=_form(action=action))
        assert refused.status_code in (400, 422)
        assert "Will receive it" not in refused.text
    page = client.get(url)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)[1]
    tested = client.post(url, data={**_form(action="test"), "csrf_token": token})
    assert tested.status_code == 200 and "A test is on its way" in tested.text
    with app.app_context():
        assert _db.session.scalar(select(func.count(OutboxMessage.id))) == 1
        assert _db.session.scalar(select(func.count(EventMessage.id))) == 0


def test_the_preview_finds_a_recipient_by_name(client, login, forum):
    login(organiser_of(forum.event))
    found = client.post(_url(forum), data=_form(preview_search="jaidee"))
    assert "Your badge, Somchai Jaidee" in found.text
    assert f'<option selected value="{forum.somchai.id}">' in found.text
    # The member without an address matches, but the message does not go to them.
    missed = client.post(_url(forum), data=_form(preview_search="Dara Keo"))
    assert "Nobody it goes to matches “Dara Keo”: showing the first instead." in missed.text
    assert "Your badge, Nguyễn Thị Minh Khai" in missed.text


def _send(client, forum):
    preview = client.post(_url(forum), data=_form())
    return client.post(
        _url(forum),
        data=_form(
            action="send",
            previewed=_hidden(preview, "previewed"),
            expected=_hidden(preview, "expected"),
        ),
    )


def test_a_stopped_sending_is_resumed_from_its_record(client, login, forum, monkeypatch):
    from conference.messages import services

    def fails(*args, **kwargs):
        raise ConnectionError("the database went away")

    real = services.queue_mail
    monkeypatch.setattr(services, "queue_mail", fails)
    login(organiser_of(forum.event))
    job_url = _send(client, forum).headers["Location"]
    assert client.get(job_url + ".json").get_json()["status"] == "failed"
    [message_id] = _db.session.scalars(select(EventMessage.id)).all()
    record_url = _url(forum, str(message_id))
    record = client.get(record_url)
    assert "Sending stopped after 0 of 3: the database went away." in record.text
    assert "Send to the others" in record.text

    outsider = make_organiser(make_event())
    other = client.application.test_client()
    assert log_in(other, outsider.email, PASSWORD).status_code == 302
    assert other.post(record_url + "/resume").status_code == 403

    monkeypatch.setattr(services, "queue_mail", real)
    resumed = client.post(record_url + "/resume")
    assert resumed.status_code == 302 and "/jobs/" in resumed.headers["Location"]
    record = client.get(record_url)
    assert "Sending stopped" not in record.text and "Send to the others" not in record.text
    assert _mails() == 3
    again = client.post(record_url + "/resume", follow_redirects=True)
    assert "This message has been sent to everyone already." in again.text
    assert _mails() == 3


def test_a_form_sent_twice_sends_one_message(client, login, forum):
    login(organiser_of(forum.event))
    preview = client.post(_url(forum), data=_form())
    send = _form(
        action="send",
        previewed=_hidden(preview, "previewed"),
        expected=_hidden(preview, "expected"),
    )
    assert client.post(_url(forum), data=send).status_code == 302
    twice = client.post(_url(forum), data=send)  # a double click
    assert twice.status_code == 422
    assert "This message is being sent already (the form was sent twice)" in twice.text
    assert _mails() == 3
    assert _db.session.scalar(select(func.count(EventMessage.id))) == 1
    # Previewed again, it can be sent again on purpose.
    again = _form(
        action="send",
        previewed=_hidden(twice, "previewed"),
        expected=_hidden(twice, "expected"),
    )
    assert client.post(_url(forum), data=again).status_code == 302
    assert _mails() == 6
