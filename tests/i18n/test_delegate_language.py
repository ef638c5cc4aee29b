"""Each registration keeps its delegate's language: the API takes it, organisers see it, and
every e-mail to the delegate is written in it, whoever's action sends it."""

from flask_babel import gettext
from sqlalchemy import func, select

from conference.extensions import db as _db
from conference.formatting import country_name
from conference.i18n import in_language
from conference.registration.models import Registration
from conference.registration.registering import Context, register
from tests.factories import (
    bearer,
    make_category,
    make_event,
    make_registration,
    organiser_of,
    registration_data,
    registration_json,
)


def translated(app, code, message, **variables):
    with app.test_request_context(), in_language(code):
        return gettext(message, **variables)


def stored(email):
    return _db.session.scalar(select(Registration).where(Registration.email == email))


def test_the_api_takes_the_delegates_language_and_returns_it(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    response = client.post(url, json=registration_json(category, language="km"))
    assert response.status_code == 202
    registration = stored("wang.xiaoming@nanjing.example")
    assert registration.language == "km"

    detail = client.get(f"{url}/{registration.id}", headers=bearer(organiser_of(event)))
    assert detail.get_json()["language"] == "km"
    listed = client.get(url, headers=bearer(organiser_of(event))).get_json()["items"]
    assert listed[0]["language"] == "km"


def test_without_a_language_the_api_reads_accept_language_else_english(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    client.post(
        url,
        json=registration_json(category, email="a@thai.example"),
        headers={"Accept-Language": "th-TH,th;q=0.9,en;q=0.5"},
    )
    client.post(url, json=registration_json(category, email="b@plain.example"))
    client.post(url, json=registration_json(category, email="c@null.example", language=None))
    assert stored("a@thai.example").language == "th"
    assert stored("b@plain.example").language == "en"
    assert stored("c@null.example").language == "en"


def test_a_language_the_api_does_not_know_is_a_422_on_language_and_stores_nothing(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    for wrong in ("xx", "th-TH", "", 7, ["th"]):
        response = client.post(url, json=registration_json(category, language=wrong))
        assert response.status_code == 422, wrong
        assert list(response.get_json()["errors"]) == ["language"]
    # Reported with the other fields' problems.
    response = client.post(url, json=registration_json(category, language="xx", given_name=1))
    assert set(response.get_json()["errors"]) == {"language", "given_name"}
    assert _db.session.scalar(select(func.count(Registration.id))) == 0


def test_the_apis_messages_follow_accept_language(app, client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    response = client.post(
        url,
        json=registration_json(category, email="nope"),
        headers={"Accept-Language": "vi"},
    )
    assert response.status_code == 422
    expected = translated(
        app, "vi", "Enter a valid e-mail address, like %(example)s.", example="name@example.org"
    )
    assert response.get_json()["errors"]["email"] == [expected]


def test_organisers_see_each_delegates_language(client, db, login):
    event = make_event()
    registration = make_registration(event, make_category(event, "Delegate"))
    registration.language = "th"
    _db.session.commit()
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/registrations/{registration.id}").text
    assert "Thai (ไทย)" in page


def test_the_status_e_mail_is_in_the_delegates_language_not_the_senders(mail_app, smtp_server):
    with mail_app.test_request_context(headers={"Accept-Language": "en"}):
        event = make_event(city="Bangkok", country="TH")
        category = make_category(event, "Delegate")
        register(
            event,
            registration_data(category, email="somchai@bangkok.example"),
            Context(language="th"),
        )
        _db.session.commit()  # delivered through the outbox, right after
        subject = translated(mail_app, "th", "Your registration is confirmed")
        status = translated(mail_app, "th", "Confirmed")
        dear = translated(mail_app, "th", "Dear %(name)s,", name="Mr Trung Chiến Hà")

    [message] = smtp_server.messages()
    assert message["Subject"].startswith(subject) and subject != "Your registration is confirmed"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert status in body
        assert country_name("TH", "th") in body  # the country, as Thai names it
        assert "Your registration" not in body
    assert '<html lang="th">' in html
    assert dear.split(" ")[0] in text


def test_an_organisers_approval_writes_to_the_delegate_in_their_language(client, db, login, app):
    from conference.mail.models import OutboxMessage

    event = make_event()
    press = make_category(event, "Press", requires_approval=True)
    registration = make_registration(event, press, ctx=Context(language="ja", notify=False))
    login(organiser_of(event))
    client.post(
        f"/events/{event.slug}/registrations/bulk",
        data={"action": "approve", "ids": [registration.id]},
        headers={"Accept-Language": "en"},
    )
    [mail] = _db.session.scalars(select(OutboxMessage)).all()
    assert mail.subject.startswith(translated(app, "ja", "Your registration is approved"))
    assert translated(app, "ja", "Confirmed") in mail.body_text
