"""Visa letters the organisers approve or refuse (the default), and the log of letters issued."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from conference.errors import ValidationError
from conference.mail.models import OutboxMessage
from conference.registration.links import manage_token
from conference.registration.models import VisaLetterLog
from conference.registration.registering import update_registration
from conference.registration.validation import PassportData
from conference.registration.views._common import registration_form_data
from conference.registration.visa import (
    LetterOffer,
    approve_letter,
    letter_offer,
    letters_issued,
    refuse_letter,
    visa_letter_for,
    visa_requests,
)
from tests.factories import make_category, make_event, make_registration, organiser_of

PASSPORT = PassportData("HA TRUNG CHIEN", "C1234567", "VN", date(1980, 5, 1), date(2035, 1, 1))


def visa_delegate(event, category=None, db=None, **overrides):
    """A registration asking for a letter, at an event whose letter text is written."""
    event.visa_letter_text = "We invite {name} ({passport_number}) to {event_title}."
    if category is None:
        from conference.registration.settings import categories_for

        known = {c.name: c for c in categories_for(event)}
        category = known.get("Delegate") or make_category(event, "Delegate")
    overrides.setdefault("passport", PASSPORT)
    return make_registration(event, category, visa_requested=True, **overrides)


def mails_to(db, address) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == address)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_a_request_waits_for_approval_then_the_letter_is_ready_and_the_delegate_told(db):
    event = make_event()
    chien = visa_delegate(event, email="chien@sonla.example")
    assert event.visa_letters_need_approval  # the default
    assert letter_offer(chien) == LetterOffer.PENDING
    with pytest.raises(ValidationError, match="not approved the visa letter yet"):
        visa_letter_for(chien)
    assert visa_requests(event, "requested") == [chien]

    approve_letter(chien, organiser_of(event))
    db.session.commit()

    assert letter_offer(chien) == LetterOffer.READY
    assert chien.visa.decided_by_id == organiser_of(event).id
    assert visa_requests(event, "requested") == [] and visa_requests(event, "approved") == [chien]
    mail = mails_to(db, "chien@sonla.example")[-1]
    assert mail.subject.startswith("Your visa invitation letter is ready")
    assert f"/manage/{manage_token(chien)}" in mail.body_text
    assert visa_letter_for(chien).passport_number == "C1234567"
    # Approving again changes nothing and sends nothing.
    approve_letter(chien)
    assert len(mails_to(db, "chien@sonla.example")) == 2  # the confirmation, the approval


def test_a_refused_letter_says_why_and_cannot_be_downloaded(db):
    event = make_event()
    chien = visa_delegate(event, email="chien@sonla.example")
    refuse_letter(chien, "  Your passport expires before the event.\n", organiser_of(event))
    db.session.commit()
    assert letter_offer(chien) == LetterOffer.REFUSED
    assert chien.visa.refusal_reason == "Your passport expires before the event."
    mail = mails_to(db, "chien@sonla.example")[-1]
    assert mail.subject.startswith("Your visa invitation letter was refused")
    assert "Your passport expires before the event." in mail.body_text
    assert "Your passport expires before the event." in mail.body_html
    with pytest.raises(ValidationError, match="refused: Your passport expires"):
        visa_letter_for(chien, issued_by=organiser_of(event))


def test_refusing_without_a_reason_is_refused_and_changes_nothing(db):
    event = make_event()
    chien = visa_delegate(event)
    sent = len(mails_to(db, chien.email))
    with pytest.raises(ValidationError, match="Say why"):
        refuse_letter(chien, " \n ")
    with pytest.raises(ValidationError, match="at most 1000"):
        refuse_letter(chien, "x" * 1001)
    assert chien.visa.status == "requested" and len(mails_to(db, chien.email)) == sent


def test_a_letter_is_approved_only_for_a_confirmed_registration_with_the_text_written(db):
    event = make_event()
    press = make_category(event, "Press", requires_approval=True)
    pending = visa_delegate(event, press)
    with pytest.raises(ValidationError, match="pending approval: confirm it"):
        approve_letter(pending)
    confirmed = visa_delegate(event)
    event.visa_letter_text = ""
    with pytest.raises(ValidationError, match="Write the visa letter's text"):
        approve_letter(confirmed)
    assert confirmed.visa.status == "requested"
    no_visa = make_registration(event, press)
    with pytest.raises(ValidationError, match="has not asked for a visa letter"):
        approve_letter(no_visa)


def test_new_passport_details_after_a_decision_go_back_to_the_organisers(db):
    event = make_event()
    chien = visa_delegate(event)
    refuse_letter(chien, "The passport number has a typo.")
    db.session.commit()
    data = registration_form_data(chien)
    unchanged = _data(data)
    update_registration(chien, unchanged)
    assert chien.visa.status == "refused"  # saving other details keeps the decision
    corrected = _data(data, passport_number="C7654321")
    update_registration(chien, corrected)
    assert chien.visa.status == "requested" and chien.visa.refusal_reason == ""
    assert letter_offer(chien) == LetterOffer.PENDING


def _data(form_data: dict, **passport):
    from conference.registration.fields import PASSPORT_FIELDS, PERSONAL_FIELDS
    from conference.registration.validation import RegistrationData

    data = RegistrationData(
        **{name: form_data[name] for name in PERSONAL_FIELDS},
        visa_requested=True,
        list_consent=form_data["list_consent"],
    )
    data.passport = PassportData(
        **{name: passport.get(name, form_data[name]) for name in PASSPORT_FIELDS}
    )
    return data


def test_every_letter_issued_is_logged_with_who_made_it(db):
    event = make_event()
    organiser = organiser_of(event)
    chien = visa_delegate(event)
    visa_letter_for(chien, issued_by=organiser)  # organisers may print it to check it
    approve_letter(chien)
    visa_letter_for(chien)  # the delegate's own download
    db.session.commit()
    log = letters_issued(event)
    assert [(e.registration_id, e.issued_by_id) for e in log] == [
        (chien.id, None),
        (chien.id, organiser.id),
    ]
    assert {e.reference for e in log} == {f"{event.slug.upper()}/VISA/{chien.id:04d}"}


def test_without_approval_the_letter_is_ready_once_confirmed(db):
    event = make_event()
    event.visa_letters_need_approval = False
    chien = visa_delegate(event)
    assert letter_offer(chien) == LetterOffer.READY


# Pages ---------------------------------------------------------------------------------


def test_organisers_approve_and_refuse_from_the_queue(client, db, login):
    event = make_event()
    chien = visa_delegate(event, given_name="Trung Chiến", email="chien@sonla.example")
    lan = visa_delegate(event, given_name="Thị Lan", email="lan@sonla.example")
    login(organiser_of(event))
    queue = client.get(f"/events/{event.slug}/visa-requests")
    assert queue.status_code == 200
    assert "Trung Chiến" in queue.text and "Thị Lan" in queue.text

    approved = client.post(
        f"/events/{event.slug}/registrations/{chien.id}/visa/approve", follow_redirects=True
    )
    assert "visa letter is approved" in approved.text
    refused = client.post(
        f"/events/{event.slug}/registrations/{lan.id}/visa/refuse",
        data={"reason": "Please give the passport's expiry date again."},
        follow_redirects=True,
    )
    assert "visa letter is refused" in refused.text
    db.session.expire_all()
    assert (chien.visa.status, lan.visa.status) == ("approved", "refused")
    waiting = client.get(f"/events/{event.slug}/visa-requests").text
    assert "No request is waiting." in waiting
    refused_tab = client.get(f"/events/{event.slug}/visa-requests?show=refused").text
    assert "Please give the passport&#39;s expiry date again." in refused_tab

    page = client.get(f"/events/{event.slug}/manage/{manage_token(lan)}").text
    assert "could not issue your letter" in page
    assert "Please give the passport&#39;s expiry date again." in page


def test_a_refusal_without_reason_is_explained_and_changes_nothing(client, db, login):
    event = make_event()
    chien = visa_delegate(event)
    login(organiser_of(event))
    answer = client.post(
        f"/events/{event.slug}/registrations/{chien.id}/visa/refuse",
        data={"reason": ""},
        follow_redirects=True,
    )
    assert "Say why: the delegate reads it." in answer.text
    db.session.expire_all()
    assert chien.visa.status == "requested"


def test_only_the_event_s_organisers_see_and_decide_visa_requests(client, db, login):
    from tests.factories import give_role, make_user

    event = make_event()
    chien = visa_delegate(event)
    staff = make_user()
    give_role(event, staff, "checkin")
    other_event = make_event()
    login(organiser_of(other_event))
    assert client.get(f"/events/{event.slug}/visa-requests").status_code == 403
    approve = client.post(f"/events/{event.slug}/registrations/{chien.id}/visa/approve")
    assert approve.status_code == 403
    client.post("/logout")
    login(staff)
    assert client.get(f"/events/{event.slug}/visa-requests").status_code == 403
    db.session.expire_all()
    assert chien.visa.status == "requested"


def test_the_log_page_names_who_issued_each_letter(client, db, login):
    event = make_event()
    chien = visa_delegate(event, given_name="Trung Chiến")
    login(organiser_of(event))
    client.get(f"/events/{event.slug}/registrations/{chien.id}/visa-letter.pdf")
    log = client.get(f"/events/{event.slug}/visa-requests?show=issued").text
    assert "Trung Chiến" in log
    assert re.search(rf"{event.slug.upper()}/VISA/{chien.id:04d}", log)
    assert db.session.scalar(select(VisaLetterLog.issued_by_id)) == organiser_of(event).id
