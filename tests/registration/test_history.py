"""A registration's history without HTTP: every service that changes a registration records
what it did and who did it; the e-mails about it come from the outbox, and can be sent again
to its current address."""

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from conference.badges.selection import badge_selection
from conference.badges.services import badge_token, reissue_badge, render_badges_for
from conference.checkin.services import check_in, undo_check_in
from conference.errors import NotFound, ValidationError
from conference.localtime import today
from conference.mail.models import OutboxMessage
from conference.registration.delegations import add_member, update_member
from conference.registration.emails import notify, resend
from conference.registration.fields import PASSPORT_FIELDS, PERSONAL_FIELDS
from conference.registration.history import (
    COMMAND_LINE,
    Actor,
    changes,
    history,
    latest_activity,
    snapshot,
)
from conference.registration.imports import run_import
from conference.registration.links import email_proof, verify_email
from conference.registration.models import RegistrationActivity
from conference.registration.places import (
    cancel_by_delegate,
    change_status,
    move_to_category,
)
from conference.registration.registering import Context, update_registration
from conference.registration.validation import PassportData, RegistrationData
from conference.registration.visa import approve_letter, refuse_letter, visa_letter_for
from tests.factories import (
    delegate,
    make_category,
    make_event,
    make_head,
    make_registration,
    make_user,
    organiser_of,
    registration_data,
)

PASSPORT = PassportData("HA TRUNG CHIEN", "C1234567", "VN", date(1980, 5, 1), date(2035, 1, 1))


def activities(db, registration) -> list[RegistrationActivity]:
    """The registration's activities, oldest first."""
    query = select(RegistrationActivity).where(
        RegistrationActivity.registration_id == registration.id
    )
    return list(db.session.scalars(query.order_by(RegistrationActivity.id)))


def last(db, registration) -> RegistrationActivity:
    return activities(db, registration)[-1]


def who(activity) -> tuple:
    return activity.actor_kind, activity.actor_user_id, activity.actor_label


def same_data(registration, **changed) -> RegistrationData:
    """The registration's details as an edit sends them, with some of them changed."""
    values = {name: getattr(registration, name) or "" for name in PERSONAL_FIELDS}
    values.update(
        single_name=registration.single_name,
        list_consent=registration.list_consent,
        visa_requested=registration.visa_requested,
        answers={a.question_id: a.value for a in registration.answers},
    )
    if registration.visa is not None:
        visa = registration.visa
        values["passport"] = PassportData(**{n: getattr(visa, n) for n in PASSPORT_FIELDS})
    values.update(changed)
    return RegistrationData(**values)


# Registering -----------------------------------------------------------------------


def test_a_delegate_registering_on_the_form_is_recorded_as_themselves(db):
    event = make_event()
    chien = make_registration(event, make_category(event, "Delegate"))
    (registered,) = activities(db, chien)
    assert registered.kind == "registered" and registered.event_id == event.id
    assert who(registered) == ("delegate", None, chien.display_name)
    assert registered.summary == "Registered as Delegate through the registration form: confirmed"
    assert registered.detail["source"] == "form"


def test_an_organiser_registering_someone_is_named(db):
    event = make_event()
    olivia = organiser_of(event)
    added = make_registration(
        event,
        make_category(event, "VIP", requires_approval=True),
        ctx=Context(source="organiser", by_organiser=True, actor=Actor.of_user(olivia)),
    )
    registered = last(db, added)
    assert who(registered) == ("user", olivia.id, olivia.display_name)
    assert "through an organiser: pending approval" in registered.summary


def test_a_head_adding_a_member_is_recorded_as_the_head(db):
    event = make_event()
    head = make_head(event, make_category(event, "Delegate"))
    member = add_member(head, registration_data(None, email="", country="KH"))
    db.session.commit()
    registered = last(db, member)
    assert who(registered) == ("head", None, head.display_name)
    assert registered.detail["delegation"] == "Phnom Penh Capital"


def test_an_import_names_the_organiser_who_started_it(db):
    from conference.registration.exports import read_table

    event = make_event()
    make_category(event, "Delegate")
    olivia = organiser_of(event)
    csv = (
        b"given_name,family_name,email,country,organisation,category\n"
        b"Somchai,Jaidee,somchai@bangkok.example,TH,Bangkok Metropolitan,Delegate\n"
    )
    run_import(event, read_table("people.csv", csv), send_emails=False, actor=Actor.of_user(olivia))
    db.session.commit()
    (activity,) = db.session.scalars(select(RegistrationActivity))
    assert who(activity) == ("user", olivia.id, olivia.display_name)
    assert activity.detail["source"] == "import"


def test_a_registration_through_the_api_is_recorded_as_the_api(client, db):
    from tests.factories import registration_json

    event = make_event()
    category = make_category(event, "Delegate")
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations", json=registration_json(category)
    )
    assert response.status_code == 202
    (activity,) = db.session.scalars(select(RegistrationActivity))
    assert (activity.actor_kind, activity.actor_label) == ("api", "Registration API")
    assert "through the API" in activity.summary


# Edits -------------------------------------------------------------------------------


def test_a_delegate_s_edit_records_each_field_changed_old_and_new(db):
    event = make_event()
    chien = delegate(event, make_category(event, "Delegate"), organisation="Son La")
    update_registration(chien, same_data(chien, organisation="Son La City", position="Mayor"))
    db.session.commit()
    edited = last(db, chien)
    assert edited.kind == "edited" and who(edited)[0] == "delegate"
    found = {c["field"]: (c["old"], c["new"]) for c in edited.detail["changes"]}
    assert found == {"organisation": ("Son La", "Son La City"), "position": ("Secretary", "Mayor")}
    assert edited.summary == "Details changed: Organisation, Position"


def test_an_edit_that_changes_nothing_records_nothing(db):
    event = make_event()
    chien = delegate(event, make_category(event, "Delegate"))
    before = len(activities(db, chien))
    update_registration(chien, same_data(chien))
    db.session.commit()
    assert len(activities(db, chien)) == before


def test_an_organiser_s_edit_and_note_are_theirs(db):
    event = make_event()
    olivia = organiser_of(event)
    chien = delegate(event, make_category(event, "Delegate"))
    update_registration(
        chien,
        same_data(chien, dietary="Vegetarian"),
        by_organiser=True,
        organiser_note="Arrives late",
        actor=Actor.of_user(olivia),
    )
    db.session.commit()
    edited = last(db, chien)
    assert who(edited) == ("user", olivia.id, olivia.display_name)
    found = {c["label"]: (c["old"], c["new"]) for c in edited.detail["changes"]}
    assert found == {"Dietary needs": ("", "Vegetarian"), "Organisers' note": ("", "Arrives late")}


def test_a_head_s_edit_of_a_member_is_the_head_s(db):
    event = make_event()
    head = make_head(event, make_category(event, "Delegate"))
    member = add_member(head, registration_data(None, email="", country="KH", position="Aide"))
    db.session.commit()
    update_member(head, member, same_data(member, position="Adviser"))
    db.session.commit()
    edited = last(db, member)
    assert who(edited) == ("head", None, head.display_name)
    assert edited.detail["changes"] == [
        {"field": "position", "label": "Position", "old": "Aide", "new": "Adviser"}
    ]


def test_passport_changes_are_recorded_without_the_passport(db):
    event = make_event()
    chien = delegate(
        event, make_category(event, "Delegate"), visa_requested=True, passport=PASSPORT
    )
    new = PassportData("HA TRUNG CHIEN", "C7654321", "VN", date(1980, 5, 1), date(2036, 1, 1))
    update_registration(chien, same_data(chien, passport=new))
    db.session.commit()
    edited = last(db, chien)
    assert edited.detail["changes"] == [{"field": "passport", "label": "Passport details"}]
    assert "C7654321" not in str(edited.detail) and "C1234567" not in str(edited.detail)


def test_changes_compare_snapshots_and_treat_empty_as_empty():
    before = {"phone": ("Mobile phone", ""), "email": ("E-mail", None), "x": ("X", "a")}
    after = {"phone": ("Mobile phone", None), "email": ("E-mail", "a@b.example"), "x": ("X", "a")}
    assert changes(before, after) == [
        {"field": "email", "label": "E-mail", "old": None, "new": "a@b.example"}
    ]


def test_a_snapshot_holds_answers_by_question(db):
    from conference.registration.settings import save_question

    event = make_event()
    question = save_question(event, None, label="Arrival flight", type="short_text")
    chien = delegate(event, make_category(event, "Delegate"), answers={question.id: "TG 561"})
    taken = snapshot(chien, [question])
    assert taken[f"answer:{question.id}"] == ("Arrival flight", "TG 561")


def test_verifying_the_address_is_recorded_once(db):
    event = make_event()
    chien = delegate(event, make_category(event, "Delegate"))
    proof = email_proof(chien)
    assert verify_email(chien, proof) and verify_email(chien, proof)
    db.session.commit()
    verified = [a for a in activities(db, chien) if a.kind == "email_verified"]
    assert len(verified) == 1 and who(verified[0])[0] == "delegate"


# Status, category, waiting list ------------------------------------------------------


def test_status_changes_name_who_and_from_what_to_what(db):
    event = make_event()
    olivia = organiser_of(event)
    chien = delegate(event, make_category(event, "VIP", requires_approval=True))
    change_status(chien, "approve", actor=Actor.of_user(olivia))
    db.session.commit()
    approved = last(db, chien)
    assert approved.kind == "status" and who(approved)[:2] == ("user", olivia.id)
    assert approved.summary == "Approved: pending approval → confirmed"
    assert approved.detail == {"action": "approve", "from": "pending_approval", "to": "confirmed"}


def test_a_cancellation_frees_a_place_and_the_waiting_list_moves_up_by_itself(db):
    event = make_event()
    full = make_category(event, "Delegate", capacity=1)
    chien = delegate(event, full)
    somchai = delegate(event, full, given_name="Somchai", family_name="Jaidee")
    assert somchai.status == "waitlisted"
    cancel_by_delegate(chien)
    db.session.commit()
    cancelled = last(db, chien)
    assert who(cancelled)[0] == "delegate"
    assert cancelled.summary == "Cancelled: confirmed → cancelled"
    promoted = last(db, somchai)
    assert (promoted.actor_kind, promoted.actor_label) == ("system", "Waiting list")
    assert promoted.summary == "Moved up from the waiting list: waiting list → confirmed"


def test_a_head_cancelling_a_member_is_the_head(db):
    event = make_event()
    head = make_head(event, make_category(event, "Delegate"))
    member = add_member(head, registration_data(None, email="", country="KH"))
    cancel_by_delegate(member, Actor.head(head))
    db.session.commit()
    assert who(last(db, member)) == ("head", None, head.display_name)


def test_moving_to_another_category_is_recorded_with_its_new_status(db):
    event = make_event()
    olivia = organiser_of(event)
    chien = delegate(event, make_category(event, "Delegate"))
    vips = make_category(event, "VIP", requires_approval=True)
    move_to_category(chien, vips.id, Actor.of_user(olivia))
    db.session.commit()
    moved = last(db, chien)
    assert moved.kind == "category" and moved.actor_user_id == olivia.id
    assert moved.summary == "Moved from Delegate to VIP (confirmed → pending approval)"


# Visa letters ------------------------------------------------------------------------


def test_visa_decisions_and_letters_name_who(db):
    event = make_event()
    event.visa_letter_text = "We invite {name}."
    olivia = organiser_of(event)
    chien = delegate(
        event, make_category(event, "Delegate"), visa_requested=True, passport=PASSPORT
    )
    refuse_letter(chien, "The passport expires too soon.", olivia)
    refused = last(db, chien)
    assert refused.kind == "visa_refused" and refused.actor_user_id == olivia.id
    assert refused.summary == "Visa letter refused: The passport expires too soon."
    approve_letter(chien, olivia)
    assert last(db, chien).kind == "visa_approved"
    visa_letter_for(chien)  # the delegate downloads it
    issued = last(db, chien)
    assert issued.kind == "visa_letter" and who(issued)[0] == "delegate"
    assert issued.summary == f"Visa letter issued ({event.slug.upper()}/VISA/{chien.id:04d})"
    visa_letter_for(chien, issued_by=olivia)
    assert who(last(db, chien)) == ("user", olivia.id, olivia.display_name)


# Check-ins and badges ------------------------------------------------------------------


@pytest.fixture
def at_the_door(db):
    day = today(ZoneInfo("Asia/Bangkok"))  # the factory's events are in Bangkok
    event = make_event(start_date=day - timedelta(days=1), end_date=day + timedelta(days=1))
    chien = delegate(event, make_category(event, "Delegate"))
    staff = make_user(name="Door Staff")
    return event, chien, staff


def test_a_check_in_names_the_door_and_its_staff_and_is_recorded_once(db, at_the_door):
    event, chien, staff = at_the_door
    for _ in range(2):  # the same scan sent twice (a retry): one check-in, one record
        check_in(
            event,
            station="Door A",
            user_id=staff.id,
            token=badge_token(chien),
            client_ref="scan-0001-aaaa",
        )
        db.session.commit()
    check_in(event, station="Door B", user_id=staff.id, token=badge_token(chien))  # duplicate
    db.session.commit()
    checked = [a for a in activities(db, chien) if a.kind == "checked_in"]
    assert len(checked) == 1
    assert who(checked[0]) == ("door", staff.id, "Door A")
    assert checked[0].summary == "Checked in at Door A"


def test_undoing_a_check_in_is_recorded_as_the_organiser_s(db, at_the_door):
    from conference.checkin.models import CheckIn

    event, chien, staff = at_the_door
    olivia = organiser_of(event)
    check_in(event, station="Door A", user_id=staff.id, token=badge_token(chien))
    db.session.commit()
    found = db.session.scalar(select(CheckIn).where(CheckIn.registration_id == chien.id))
    undo_check_in(event, found.id, user=olivia)
    db.session.commit()
    undone = last(db, chien)
    assert undone.kind == "check_in_undone" and undone.actor_user_id == olivia.id
    assert undone.summary.startswith("Check-in of ") and "at Door A undone" in undone.summary


def test_a_batch_of_badges_printed_by_an_organiser_is_in_each_history(db):
    event = make_event()
    olivia = organiser_of(event)
    category = make_category(event, "Delegate")
    people = [delegate(event, category, given_name=f"Person {n}") for n in range(3)]
    out = io.BytesIO()
    selection = badge_selection(event, ids=[p.id for p in people])
    render_badges_for(event, selection, out, count_printed=True, actor=Actor.of_user(olivia))
    db.session.commit()
    for person in people:
        printed = last(db, person)
        assert printed.kind == "badge_printed" and printed.actor_user_id == olivia.id
        assert printed.summary == "Badge printed (a batch of 3)"


def test_a_delegate_downloading_their_own_badge_is_not_a_print(client, db):
    from conference.registration.links import manage_token

    event = make_event()
    chien = delegate(event, make_category(event, "Delegate"))
    before = len(activities(db, chien))
    response = client.get(f"/events/{event.slug}/manage/{manage_token(chien)}/badge.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(activities(db, chien)) == before


def test_the_command_line_and_a_reissue_are_recorded(db):
    event = make_event()
    olivia = organiser_of(event)
    chien = delegate(event, make_category(event, "Delegate"))
    render_badges_for(
        event, badge_selection(event), io.BytesIO(), count_printed=True, actor=COMMAND_LINE
    )
    assert (last(db, chien).actor_label, last(db, chien).summary) == (
        "Command line",
        "Badge printed",
    )
    reissue_badge(chien, Actor.of_user(olivia))
    db.session.commit()
    reissued = last(db, chien)
    assert reissued.kind == "badge_reissued" and reissued.actor_user_id == olivia.id


# Reading: the history with the outbox; resending ---------------------------------------


def test_the_history_pages_through_activities_and_e_mails_newest_first(db):
    event = make_event()
    olivia = organiser_of(event)
    chien = make_registration(event, make_category(event, "VIP", requires_approval=True))
    change_status(chien, "approve", actor=Actor.of_user(olivia))
    db.session.commit()
    entries, older = history(chien)
    assert not older
    kinds = [
        (e.kind, e.message.subject.split(" –")[0] if e.message else e.summary) for e in entries
    ]
    assert kinds == [
        ("email", "Your registration is approved"),
        ("status", "Approved: pending approval → confirmed"),
        ("email", "We have received your registration"),
        ("registered", "Registered as VIP through the registration form: pending approval"),
    ]
    assert entries[1].who == olivia.display_name
    assert entries[0].message.status == "sent"  # delivered once the change was committed
    first, older = history(chien, page=1, per_page=3)
    second, more = history(chien, page=2, per_page=3)
    assert older and not more and len(first) == 3 and second[0].kind == "registered"


def test_another_registration_s_e_mails_are_not_in_the_history(db):
    event = make_event()
    category = make_category(event, "Delegate")
    chien = make_registration(event, category)
    other = make_registration(event, category)
    subjects = [e.message.recipient for e in history(chien)[0] if e.message]
    assert subjects == [chien.email]
    assert other.email not in str([e.summary for e in history(chien)[0]])


def test_resending_queues_the_same_e_mail_to_the_current_address(db):
    event = make_event()
    olivia = organiser_of(event)
    chien = make_registration(event, make_category(event, "Delegate"), email="old@sonla.example")
    original = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.registration_id == chien.id)
    )
    update_registration(chien, same_data(chien, email="new@sonla.example"))
    copy = resend(chien, original.id, Actor.of_user(olivia))
    db.session.commit()
    assert copy.id != original.id and copy.recipient == "new@sonla.example"
    assert (copy.subject, copy.body_text, copy.body_html) == (
        original.subject,
        original.body_text,
        original.body_html,
    )
    assert [a.filename for a in copy.attachments] == [a.filename for a in original.attachments]
    assert copy.attachments and copy.registration_id == chien.id
    resent = last(db, chien)
    assert resent.kind == "email_resent" and resent.actor_user_id == olivia.id
    assert resent.detail["message_id"] == original.id and resent.detail["to"] == "new@sonla.example"


def test_resending_another_registration_s_e_mail_is_refused(db):
    event = make_event()
    category = make_category(event, "Delegate")
    chien = make_registration(event, category)
    other = make_registration(event, category)
    theirs = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.registration_id == other.id)
    )
    count = db.session.query(OutboxMessage).count()
    with pytest.raises(NotFound):
        resend(chien, theirs.id, Actor.of_user(organiser_of(event)))
    with pytest.raises(NotFound):
        resend(chien, 10**30, Actor.of_user(organiser_of(event)))
    assert db.session.query(OutboxMessage).count() == count


def test_resending_to_a_member_without_an_address_is_refused(db):
    event = make_event()
    head = make_head(event, make_category(event, "Delegate"))
    member = add_member(head, registration_data(None, email="lina@pp.example", country="KH"))
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.registration_id == member.id)
    )
    update_member(head, member, same_data(member, email=""))
    with pytest.raises(ValidationError, match="no e-mail address"):
        resend(member, mail.id, Actor.of_user(organiser_of(event)))


def test_the_event_s_latest_activity_is_its_own_newest_first(db):
    event = make_event()
    other_event = make_event()
    chien = delegate(event, make_category(event, "Delegate"))
    delegate(other_event, make_category(other_event, "Delegate"))
    notify(chien, "link")
    change_status(chien, "cancel", actor=Actor.of_user(organiser_of(event)))
    db.session.commit()
    latest = latest_activity(event)
    assert [(a.kind, a.registration_id) for a, _ in latest] == [
        ("status", chien.id),
        ("registered", chien.id),
    ]
    assert latest[0][1] == organiser_of(event).display_name
