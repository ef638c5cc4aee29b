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


def passport_registration(event, category, db, *, letter_text="We invite {name}."):
    from datetime import date

    from conference.registration.validation import PassportData

    event.visa_letter_text = letter_text
    db.session.commit()
    return make_registration(
        event,
        category,
        visa_requested=True,
        passport=PassportData(
            "HA TRUNG CHIEN", "C1234567", "VN", date(1980, 5, 1), date(2035, 1, 1)
        ),
    )


def test_visa_letter_is_offered_once_confirmed_and_its_text_written(db):
    from conference.registration.visa import LetterOffer, letter_offer

    event = make_event()
    event.visa_letters_need_approval = False
    press = make_category(event, "Press", requires_approval=True)
    registration = passport_registration(event, press, db)
    assert letter_offer(registration) == LetterOffer.LATER
    change_status(registration, "approve")
    assert letter_offer(registration) == LetterOffer.READY
    event.visa_letter_text = "  "
    assert letter_offer(registration) == LetterOffer.LATER
    assert letter_offer(make_registration(event, press)) is None


def test_no_visa_letter_is_offered_once_the_passport_details_are_deleted(db):
    from conference.registration.visa import letter_offer, visa_letter_for

    event = make_event()
    registration = passport_registration(event, make_category(event, "Delegate"), db)
    registration.visa = None
    db.session.flush()
    assert letter_offer(registration) is None
    with pytest.raises(ValidationError, match="passport details are deleted"):
        visa_letter_for(registration)


def test_moving_to_a_category_of_another_event_is_refused(db):
    from conference.registration.places import move_to_category

    event = make_event()
    delegate = make_category(event, "Delegate")
    elsewhere = make_category(make_event(), "Delegate")
    registration = make_registration(event, delegate)
    for category_id in (elsewhere.id, None, 2**63, "1"):
        with pytest.raises(ValidationError, match="Choose a category of this event"):
            move_to_category(registration, category_id)
    assert registration.category == delegate


def test_only_the_head_of_a_delegation_adds_members(db):
    from conference.registration.delegations import require_head

    event = make_event()
    category = make_category(event, "Delegate")
    head = make_registration(event, category, new_delegation_name="Son La")
    member = add_member(head, registration_data())
    assert require_head(head) is head
    with pytest.raises(ValidationError, match="Only the head"):
        require_head(member)
    with pytest.raises(ValidationError, match="Only the head"):
        add_member(member, registration_data())


def test_invitation_only_categories_are_visible_with_their_code_only(db):
    from conference.registration.settings import visible_categories

    event = make_event()
    public = make_category(event, "Delegate")
    invited = make_category(event, "Speaker", invitation_code="SPEAK")
    assert visible_categories(event, None) == [public]
    assert visible_categories(event, "WRONG") == [public]
    assert visible_categories(event, "SPEAK") == [public, invited]


def test_a_category_or_question_of_another_event_is_not_found(db):
    from conference.registration.settings import get_category, get_question, save_question

    event, other = make_event(), make_event()
    category = make_category(other, "Delegate")
    question = save_question(other, None, label="Diet?", type="short_text")
    assert get_category(other, category.id) is category
    with pytest.raises(NotFound):
        get_category(event, category.id)
    with pytest.raises(NotFound):
        get_question(event, question.id)


def test_hidden_question_comes_back_when_shown_again(db):
    from conference.registration.settings import (
        hide_or_show_question,
        questions_for,
        save_question,
    )

    event = make_event()
    question = save_question(event, None, label="Diet?", type="short_text")
    hide_or_show_question(question)
    assert questions_for(event) == []
    assert questions_for(event, include_inactive=True) == [question]
    hide_or_show_question(question)
    assert questions_for(event) == [question]


def test_registration_settings_are_stripped_and_only_those_given_change(db):
    from conference.registration.settings import save_registration_settings

    event = make_event()
    event.visa_signatory_name = "Siriporn Chaiyasit"
    deadline = utcnow() + timedelta(days=3)
    save_registration_settings(
        event, edit_deadline=deadline, privacy_policy="  Kept.  ", visa_letter_text=None
    )
    assert event.edit_deadline == deadline
    assert (event.privacy_policy, event.visa_letter_text) == ("Kept.", "")
    assert event.visa_signatory_name == "Siriporn Chaiyasit"


def test_organiser_note_is_plain_text_of_at_most_5000_characters(db):
    from conference.registration.registering import update_registration

    event = make_event()
    registration = make_registration(event, make_category(event, "Delegate"))
    data = registration_data(email=registration.email)
    update_registration(registration, data, organiser_note="VIP\x00 " + "x" * 6000)
    assert registration.organiser_note == ""  # only an organiser changes the note
    update_registration(
        registration, data, by_organiser=True, organiser_note="VIP\x00 " + "x" * 6000
    )
    assert registration.organiser_note.startswith("VIP ")
    assert len(registration.organiser_note) == 5000


def test_a_new_registration_is_linked_to_the_account_given(db):
    from tests.factories import make_user

    event = make_event()
    user = make_user()
    registration = register(
        event, registration_data(make_category(event, "Delegate")), Context(user_id=user.id)
    )
    assert registration.user_id == user.id


def test_list_filters_read_from_a_query_string(db):
    from conference.registration.search import filters_from_args

    filters = filters_from_args({"status": "waitlisted", "category": "7", "country": "vnm"})
    assert filters == Filters(status="waitlisted", category_id=7, country="VN")
    assert filters_from_args({"country": "Viet Nam"}).country == "VN"
    assert filters_from_args({"status": "anything"}).status == ""
    with pytest.raises(ValidationError, match="The category filter"):
        filters_from_args({"category": "x"})
    with pytest.raises(ValidationError, match="No country is called “Vietnm”"):
        filters_from_args({"country": "Vietnm"})


def test_a_bulk_change_reports_ids_no_registration_can_have(db):
    # A tampered form (ids beyond the database's integer) is a problem in the list, not a 500.
    from conference.registration.places import bulk_change

    event = make_event()
    kept = make_registration(event, make_category(event, "Delegate"))
    done, problems = bulk_change(event, [str(10**20), "-3", str(kept.id)], "cancel")
    assert done == 1
    assert len(problems) == 2
    assert all("no such registration" in p for p in problems)


def test_the_delegations_overview_counts_members_coming_and_registered(db):
    from conference.registration.delegations import delegation_overview

    event = make_event()
    category = make_category(event, "Delegate")
    head = make_registration(event, category, new_delegation_name="Son La")
    members = [add_member(head, registration_data()) for _ in range(3)]
    change_status(members[0], "cancel")
    other = make_registration(event, category, new_delegation_name="Hue")
    make_registration(event, category)  # in no delegation
    db.session.commit()
    overview = {s.delegation.name: s for s in delegation_overview(event)}
    assert (overview["Son La"].head, overview["Son La"].coming) == (head, 3)
    assert overview["Son La"].registered == 4
    assert (overview["Hue"].head, overview["Hue"].coming, overview["Hue"].registered) == (
        other,
        1,
        1,
    )
