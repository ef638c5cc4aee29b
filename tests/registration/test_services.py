from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.mail.models import OutboxMessage
from conference.registration.delegations import add_member
from conference.registration.links import (
    email_proof,
    emailed_manage_url,
    manage_token,
    manage_url,
    registration_from_token,
    verify_email,
)
from conference.registration.models import Registration
from conference.registration.places import change_status
from conference.registration.registering import (
    AlreadyRegistered,
    Context,
    RegistrationInvalid,
    register,
    register_or_remind,
)
from conference.registration.search import Filters, filtered_query
from conference.registration.settings import save_category
from tests.factories import make_category, make_event, make_registration, registration_data


def subjects(db):
    return [
        m.subject.split(" – ")[0]
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    ]


def test_open_category_confirms_at_once_and_sends_a_confirmation(db):
    event = make_event()
    delegate = make_category(event, "Delegate")
    registration = make_registration(event, delegate)
    assert registration.status == "confirmed"
    assert delegate.places_taken == 1
    assert subjects(db) == ["Your registration is confirmed"]


def test_approval_category_holds_the_place_pending(db):
    event = make_event()
    press = make_category(event, "Press", capacity=5, requires_approval=True)
    registration = make_registration(event, press)
    assert registration.status == "pending_approval"
    assert press.places_taken == 1
    change_status(registration, "approve")
    db.session.commit()
    assert registration.status == "confirmed"
    assert subjects(db)[-1] == "Your registration is approved"


def test_full_category_puts_delegate_on_waiting_list(db):
    event = make_event()
    observer = make_category(event, "Observer", capacity=1)
    first = make_registration(event, observer)
    second = make_registration(event, observer)
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    assert observer.places_taken == 1
    assert subjects(db)[-1] == "You are on the waiting list"


def test_cancelling_promotes_the_first_on_the_waiting_list(db):
    event = make_event()
    observer = make_category(event, "Observer", capacity=1)
    first = make_registration(event, observer)
    second = make_registration(event, observer)
    third = make_registration(event, observer)
    promoted = change_status(first, "cancel")
    db.session.commit()
    assert [r.id for r in promoted] == [second.id]
    assert (first.status, second.status, third.status) == ("cancelled", "confirmed", "waitlisted")
    assert observer.places_taken == 1
    assert "A place is free: you are off the waiting list" in subjects(db)


def test_rejecting_frees_the_place_too(db):
    event = make_event()
    press = make_category(event, "Press", capacity=1, requires_approval=True)
    first = make_registration(event, press)
    second = make_registration(event, press)
    change_status(first, "reject")
    db.session.commit()
    assert (first.status, second.status) == ("rejected", "pending_approval")


def test_organiser_cannot_promote_into_a_full_category_but_can_after_raising_capacity(db):
    event = make_event()
    observer = make_category(event, "Observer", capacity=1)
    make_registration(event, observer)
    waiting = make_registration(event, observer)
    with pytest.raises(ValidationError, match="full"):
        change_status(waiting, "promote")
    db.session.rollback()
    save_category(event, observer, name="Observer", capacity=2)
    db.session.commit()
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"  # raising capacity promotes automatically


def test_capacity_cannot_drop_below_places_taken(db):
    event = make_event()
    observer = make_category(event, "Observer", capacity=3)
    make_registration(event, observer)
    make_registration(event, observer)
    with pytest.raises(ValidationError, match="2 places are taken"):
        save_category(event, observer, name="Observer", capacity=1)


def test_same_email_twice_in_one_event_is_refused(db):
    event = make_event()
    delegate = make_category(event, "Delegate")
    make_registration(event, delegate, email="ada@example.org")
    with pytest.raises(AlreadyRegistered):
        register(event, registration_data(delegate, email="ADA@example.org"))


def test_same_email_may_register_for_another_event(db):
    first, second = make_event(), make_event()
    make_registration(first, make_category(first), email="ada@example.org")
    assert make_registration(second, make_category(second), email="ada@example.org").id


def test_registering_an_address_again_e_mails_the_existing_link_and_stores_nothing(db):
    event = make_event()
    delegate = make_category(event, "Delegate")
    first = make_registration(event, delegate, email="ada@example.org")
    before = db.session.scalar(select(func.count(OutboxMessage.id)))

    again = register_or_remind(event, registration_data(delegate, email=" ADA@example.org"))
    db.session.commit()

    assert again is None
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]
    assert [m.recipient for m in mails] == ["ada@example.org"]
    assert mails[0].subject.startswith("You are registered already")
    assert f"/manage/{manage_token(first)}?verify=" in mails[0].body_text


def test_register_or_remind_registers_a_new_address_and_refuses_bad_data_alike(db):
    event = make_event()
    delegate = make_category(event, "Delegate")
    make_registration(event, delegate, email="ada@example.org")
    fresh = register_or_remind(event, registration_data(delegate, email="bea@example.org"))
    assert fresh is not None and fresh.status == "confirmed"
    db.session.commit()
    for email in ("ada@example.org", "cai@example.org"):  # registered or not: same refusal
        with pytest.raises(RegistrationInvalid) as caught:
            register_or_remind(event, registration_data(delegate, email=email, country="XX"))
        assert set(caught.value.errors) == {"country"}
        db.session.rollback()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "+66 12"}, "phone"),
        ({"country": "XX"}, "country"),
        ({"given_name": ""}, "given_name"),
        ({"organisation": "  "}, "organisation"),
        ({"privacy_accepted": False}, "privacy_accepted"),
        ({"title": "Emperor"}, "title"),
        ({"given_name": "x" * 101}, "given_name"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(db, overrides, field):
    event = make_event()
    delegate = make_category(event, "Delegate", capacity=10)
    with pytest.raises(RegistrationInvalid) as caught:
        register(event, registration_data(delegate, **overrides))
    assert field in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    db.session.refresh(delegate)
    assert delegate.places_taken == 0


def test_closed_category_and_closed_registration_are_refused(db):
    event = make_event()
    closed = make_category(event, "Late", closes_at=utcnow() - timedelta(days=1))
    with pytest.raises(RegistrationInvalid, match="marked") as caught:
        register(event, registration_data(closed))
    assert "closed" in caught.value.errors["category_id"][0]
    db.session.rollback()
    event.registration_closes_at = utcnow() - timedelta(hours=1)
    event.registration_opens_at = utcnow() - timedelta(days=10)
    open_one = make_category(event, "Delegate")
    with pytest.raises(RegistrationInvalid) as caught:
        register(event, registration_data(open_one))
    assert "Registration for this event is closed." in caught.value.errors["category_id"]


def test_invitation_only_category_needs_its_code(db):
    event = make_event()
    vip = make_category(event, "VIP", invitation_code="golden-ticket")
    with pytest.raises(RegistrationInvalid) as caught:
        register(event, registration_data(vip))
    assert "by invitation" in caught.value.errors["category_id"][0]
    db.session.rollback()
    with pytest.raises(RegistrationInvalid):
        register(event, registration_data(vip), Context(invitation_code="wrong-ticket"))
    db.session.rollback()
    registration = register(event, registration_data(vip), Context(invitation_code="golden-ticket"))
    assert registration.status == "confirmed"


def test_only_the_link_from_the_e_mail_verifies_the_address(client, db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    page = f"/events/{event.slug}/manage/{manage_token(registration)}"
    # The page shown right after registering proves nothing about the mailbox...
    assert client.get(page).status_code == 200
    assert client.get(page + "?verify=forged").status_code == 200
    db.session.refresh(registration)
    assert registration.email_verified_at is None
    # ...nor does the link pages and the API show (it carries no proof)...
    assert "verify" not in manage_url(registration)
    assert client.get(manage_url(registration)).status_code == 200
    db.session.refresh(registration)
    assert registration.email_verified_at is None
    # ...the link sent by e-mail does, for this address only.
    other = make_registration(event, make_category(event))
    assert not verify_email(registration, email_proof(other))
    assert client.get(emailed_manage_url(registration)).status_code == 200
    db.session.refresh(registration)
    assert registration.email_verified_at is not None


def test_management_link_finds_its_registration_and_only_it(db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    token = manage_token(registration)
    assert registration_from_token(event, token) == registration
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    for bad in (tampered, "garbage", ""):
        with pytest.raises(NotFound):
            registration_from_token(event, bad)
    with pytest.raises(NotFound):
        registration_from_token(make_event(), token)


def test_head_of_delegation_adds_members_who_get_their_own_links(db):
    event = make_event()
    delegate = make_category(event, "Delegate")
    head = make_registration(event, delegate, new_delegation_name="Son La City")
    assert head.is_head and head.delegation.country == "VN"
    member = add_member(head, registration_data(None, given_name="Thị Lan", family_name="Nguyễn"))
    db.session.commit()
    assert member.delegation == head.delegation
    assert member.category == delegate
    assert manage_token(member) != manage_token(head)
    outsider = make_registration(event, delegate)
    with pytest.raises(ValidationError):
        add_member(outsider, registration_data(None))


def test_search_ignores_diacritics_and_finds_any_script(db):
    event = make_event()
    category = make_category(event)
    chien = make_registration(event, category)
    somchai = make_registration(
        event,
        category,
        given_name="Somchai",
        family_name="Thongdee",
        native_name="สมชาย ทองดี",
        country="TH",
        phone="",
    )

    def found(q):
        return [r.id for r in db.session.scalars(filtered_query(event, Filters(q=q)))]

    assert found("Chien") == [chien.id]
    assert found("chiến") == [chien.id]
    assert found("HA TRUNG") == [chien.id]
    assert found("ทองดี") == [somchai.id]
    assert found("100%") == []


def test_moving_to_a_full_category_waitlists_and_frees_the_old_place(db):
    from conference.registration.places import move_to_category

    event = make_event()
    delegate = make_category(event, "Delegate", capacity=1)
    speaker = make_category(event, "Speaker", capacity=1)
    moving = make_registration(event, delegate)
    waiting = make_registration(event, delegate)
    make_registration(event, speaker)
    promoted = move_to_category(moving, speaker.id)
    db.session.commit()
    assert (moving.category, moving.status) == (speaker, "waitlisted")
    assert promoted == [waiting] and waiting.status == "confirmed"
    assert (delegate.places_taken, speaker.places_taken) == (1, 1)


@pytest.mark.parametrize("name", ["محمد", "שלום", "Ali \U0001f600"])
def test_names_that_badges_cannot_print_are_refused_with_the_characters_named(db, name):
    event = make_event()
    with pytest.raises(RegistrationInvalid) as caught:
        register(event, registration_data(make_category(event), native_name=name))
    message = caught.value.errors["native_name"][0]
    assert "We cannot print" in message and "U+" in message
