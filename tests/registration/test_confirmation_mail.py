"""The confirmation e-mail carries what a delegate needs to come, over real SMTP."""

import re
from datetime import date, timedelta

from icalendar import Calendar

from conference.extensions import db as _db
from conference.registration.registering import Context, register
from conference.registration.settings import save_registration_settings
from conference.registration.validation import PassportData
from tests.factories import make_category, make_event, registration_data


def _register(event, category, **overrides):
    registration = register(event, registration_data(category, **overrides), Context())
    _db.session.commit()  # delivered right after, through the outbox
    return registration


def _bodies(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_confirmation_brings_badge_calendar_visa_state_venue_and_the_organisers_address(
    mail_app, smtp_server
):
    with mail_app.app_context():
        event = make_event(venue="Queen Sirikit National Convention Center", city="Bangkok")
        save_registration_settings(
            event, edit_deadline=None, reply_to=" Secretariat@LearningCities.example "
        )
        event.visa_letter_text = "We invite {name}."
        category = make_category(event, "Delegate")
        _register(
            event,
            category,
            email="chien@sonla.example",
            visa_requested=True,
            passport=PassportData(
                "HA TRUNG CHIEN", "C1234567", "VN", date(1980, 5, 1), date(2035, 1, 1)
            ),
        )
        [message] = smtp_server.messages()
        assert message["Subject"].startswith("Your registration is confirmed")
        assert message["Reply-To"] == "secretariat@learningcities.example"
        text, html = _bodies(message)
        for body in (text, html):
            assert "Queen Sirikit National Convention Center" in body
            assert "reviewing your request for a visa invitation letter" in body
            assert "secretariat@learningcities.example" in body
            assert f"{event.slug}.ics" in body
        badge = re.search(r"http://conference\.test/\S+/badge\.pdf", text).group(0)
        assert badge in html

        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "text/calendar"
        assert attachment.get_filename() == f"{event.slug}.ics"
        [entry] = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
        assert entry.decoded("dtstart") == event.start_date
        assert entry.decoded("dtend") == event.end_date + timedelta(days=1)
        assert str(entry["summary"]) == event.title
        assert "Queen Sirikit National Convention Center, Bangkok, Thailand" == str(
            entry["location"]
        )

    # The badge link opens the delegate's badge.
    client = mail_app.test_client()
    pdf = client.get(badge.removeprefix("http://conference.test"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_registration_not_yet_confirmed_gets_no_badge_nor_calendar(mail_app, smtp_server):
    with mail_app.app_context():
        event = make_event()
        press = make_category(event, "Press", requires_approval=True)
        _register(event, press, email="lan@sonla.example")
        [message] = smtp_server.messages()
        assert message["Subject"].startswith("We have received your registration")
        assert message["Reply-To"] is None  # no address set: replies go to the sender
        text, html = _bodies(message)
        assert "badge.pdf" not in text and "badge.pdf" not in html
        assert list(message.iter_attachments()) == []
        assert "Visa letter" not in text  # none asked for


def test_a_reply_to_that_is_no_address_is_refused(db):
    import pytest

    from conference.errors import ValidationError

    event = make_event()
    with pytest.raises(ValidationError, match="the organisers' address"):
        save_registration_settings(event, edit_deadline=None, reply_to="secretariat@")
    assert event.reply_to == ""
    save_registration_settings(event, edit_deadline=None, reply_to="a@example.org")
    save_registration_settings(event, edit_deadline=None, reply_to="  ")
    assert event.reply_to == ""


def test_organisers_set_the_reply_to_address_and_the_approval_rule(client, db, login):
    from tests.factories import organiser_of

    event = make_event()
    login(organiser_of(event))
    url = f"/events/{event.slug}/registration-settings"
    page = client.get(url).text
    assert 'name="visa_letters_need_approval"' in page and "checked" in re.search(
        r'<input[^>]*name="visa_letters_need_approval"[^>]*>', page
    ).group(0)
    bad = client.post(url, data={"reply_to": "nobody"})
    assert bad.status_code == 422 and "the organisers&#39; address" in bad.text
    assert client.post(url, data={"reply_to": "info@example.org"}).status_code == 302
    db.session.expire_all()
    assert event.reply_to == "info@example.org"
    assert event.visa_letters_need_approval is False  # the box was left unticked
