"""Delegations through the services: members without an address, adding several members
at once, the head's sheet, their visa letters and the summary e-mail."""

import pytest
from sqlalchemy import func, select

from conference.errors import ValidationError
from conference.mail.models import OutboxMessage
from conference.registration.delegations import (
    MembersInvalid,
    add_member,
    add_members,
    badge_ids,
    default_member_category,
    delegation_sheet,
    head_manages,
    member_categories,
    send_summary,
    update_member,
    visa_letters,
)
from conference.registration.models import Registration
from conference.registration.places import cancel_by_delegate, change_status
from conference.registration.registering import Context, RegistrationInvalid, register
from conference.registration.validation import RegistrationData
from conference.registration.visa import approve_letter
from tests.factories import (
    delegate,
    make_category,
    make_event,
    make_head,
    make_invited_head,
    make_member,
    passport,
    registration_data,
)

KHMER = "ស្រី ពៅ លឹម"
BURMESE = "သီတာဝင်း"


def mails_to(db, address=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if address is not None:
        query = query.where(OutboxMessage.recipient == address)
    return list(db.session.scalars(query))


def registrations(db):
    return db.session.scalar(select(func.count(Registration.id)))


def row(**values) -> RegistrationData:
    """One row of the "add several members" table, as the form gives it."""
    return RegistrationData(**values)


def test_a_member_without_an_address_is_managed_by_the_head_and_gets_no_email(db):
    event = make_event()
    head = make_head(event, make_category(event, "Delegate", requires_approval=True))
    change_status(head, "approve")
    db.session.commit()
    before = len(mails_to(db))
    member = make_member(head, given_name="Srey Pov", family_name="Lim")
    assert member.email is None and member.managed_by_head
    assert member.delegation == head.delegation and member.category == head.category
    change_status(member, "approve")  # the e-mail a delegate would get goes nowhere
    cancel_by_delegate(member)
    db.session.commit()
    assert len(mails_to(db)) == before


def test_members_without_addresses_never_clash_with_each_other(db):
    event = make_event()
    head = make_head(event, make_category(event))
    make_member(head, given_name="Srey Pov", family_name="Lim")
    make_member(head, given_name="Srey Pov", family_name="Lim")
    assert db.session.scalar(select(func.count()).where(Registration.email.is_(None))) == 2


def test_a_delegate_registering_on_their_own_still_needs_an_address(db):
    event = make_event()
    category = make_category(event)
    with pytest.raises(RegistrationInvalid) as refused:
        register(event, registration_data(category, email=""))
    assert refused.value.errors["email"] == ["Enter your e-mail address."]
    with pytest.raises(RegistrationInvalid):  # nor can a head lead without one
        register(event, registration_data(category, email="", new_delegation_name="Ha Noi"))
    assert registrations(db) == 0


def test_several_members_are_registered_in_order_with_the_heads_organisation(db):
    event = make_event()
    category = make_category(event, capacity=3)
    head = make_head(event, category)
    added = add_members(
        head,
        [
            row(given_name="Srey Pov", family_name="Lim", native_name=KHMER),
            row(
                given_name="Thida",
                family_name="Win",
                native_name=BURMESE,
                email="Thida@Mandalay.example",
                position="Librarian",
            ),
            row(given_name="Dara", family_name="Sok"),
        ],
    )
    db.session.commit()
    assert [m.full_name for m in added] == ["Lim Srey Pov", "Thida Win", "Sok Dara"]
    assert [m.status for m in added] == ["confirmed", "confirmed", "waitlisted"]
    assert {m.organisation for m in added} == {"Phnom Penh Capital Administration"}
    assert {m.country for m in added} == {"KH"}
    assert [m.email for m in added] == [None, "thida@mandalay.example", None]
    assert [m.subject.split(" – ")[0] for m in mails_to(db)] == [
        "Your registration is confirmed"  # only Thida has an address
    ]


def test_one_bad_row_and_no_member_is_registered(db):
    event = make_event()
    category = make_category(event, capacity=10)
    head = make_head(event, category)
    delegate(event, category, email="taken@example.org")
    before, places = registrations(db), category.places_taken
    with pytest.raises(MembersInvalid) as refused:
        add_members(
            head,
            [
                row(given_name="Srey Pov", family_name="Lim", email="pov@example.org"),
                row(given_name="Thida"),
                row(given_name="Dara", family_name="Sok", email="POV@example.org"),
                row(given_name="Vanna", family_name="Keo", email="taken@example.org"),
                row(given_name="Bopha", family_name="Chea", email="not an address"),
            ],
        )
    db.session.rollback()  # as the page does
    errors = refused.value.errors
    assert sorted(errors) == [1, 2, 3, 4]  # the first row is right
    assert errors[1]["family_name"] == [
        "Enter your family name (or tick “one name only” when there is none)."
    ]
    assert errors[2]["email"] == ["The same address is on row 1."]
    assert "registered for this event already" in errors[3]["email"][0]
    assert errors[4]["email"] == ["Enter a valid e-mail address, like name@example.org."]
    assert refused.value.message.startswith("Nothing was registered: 4 rows have a problem.")
    db.session.refresh(category)
    assert registrations(db) == before and category.places_taken == places
    assert mails_to(db, "pov@example.org") == []


def test_only_an_active_head_adds_members(db):
    event = make_event()
    category = make_category(event)
    loner = delegate(event, category)
    with pytest.raises(ValidationError, match="Only the head"):
        add_members(loner, [row(given_name="Srey Pov", family_name="Lim")])
    head = make_head(event, category)
    with pytest.raises(ValidationError, match="at least one row"):
        add_members(head, [])
    with pytest.raises(ValidationError, match="at most 50"):
        add_members(head, [row(given_name="A", family_name="B")] * 51)
    cancel_by_delegate(head)
    with pytest.raises(ValidationError, match="not active"):
        add_members(head, [row(given_name="Srey Pov", family_name="Lim")])


def test_the_head_manages_whom_they_registered_not_who_joined_on_their_own(db):
    event = make_event()
    category = make_category(event)
    head = make_head(event, category)
    registered = make_member(head, email="pov@example.org")
    joined = delegate(event, category, delegation_id=head.delegation_id)
    other_head = make_head(event, category, delegation="Siem Reap")
    assert head_manages(head, head) and head_manages(head, registered)
    assert not head_manages(head, joined)
    assert not head_manages(other_head, registered)
    assert not head_manages(registered, registered)  # a member leads nothing


def test_a_member_given_an_address_gets_their_own_link_and_the_sheet_stays_theirs(db):
    event = make_event()
    category = make_category(event)
    head = make_head(event, category)
    member = make_member(head, given_name="Srey Pov", family_name="Lim", native_name=KHMER)
    data = registration_data(
        None,
        given_name="Srey Pov",
        family_name="Lim",
        native_name=KHMER,
        email="pov@example.org",
        country="KH",
    )
    update_member(head, member, data)
    db.session.commit()
    [mail] = mails_to(db, "pov@example.org")
    assert mail.subject.startswith("Your registration is confirmed")
    assert "/manage/" in mail.body_text
    data.email = ""  # the head may take the address away again
    update_member(head, member, data)
    assert member.email is None and member.managed_by_head


def test_the_head_cannot_change_a_member_who_registered_on_their_own(db):
    event = make_event()
    category = make_category(event)
    head = make_head(event, category)
    joined = delegate(event, category, delegation_id=head.delegation_id, given_name="Vanna")
    with pytest.raises(ValidationError, match="registered on their own"):
        update_member(head, joined, registration_data(None, given_name="Changed"))
    assert joined.given_name == "Vanna"


def visa_member(head, name, number, **values):
    return make_member(
        head,
        given_name=name,
        family_name="Lim",
        visa_requested=True,
        passport=passport(f"{name.upper()} LIM", number),
        **values,
    )


def test_the_sheet_lists_the_head_first_with_what_each_member_has(db):
    event = make_event()
    event.visa_letter_text = "We invite {name} ({passport_number})."
    category = make_category(event)
    head = make_head(event, category, family_name="Zeng")
    mine = visa_member(head, "Bopha", "N11111111")
    joined = delegate(
        event,
        category,
        delegation_id=head.delegation_id,
        given_name="Aok",
        family_name="Am",
        visa_requested=True,
        passport=passport("AOK AM", "N22222222"),
    )
    cancelled = make_member(head, given_name="Chan", family_name="Keo")
    cancel_by_delegate(cancelled)
    db.session.commit()
    pending = delegation_sheet(head.delegation, head)  # the organisers decide first
    assert [r.visa_letter for r in pending.rows] == [None, None, None, "pending"]
    approve_letter(mine)
    approve_letter(joined)
    db.session.commit()
    sheet = delegation_sheet(head.delegation, head)
    assert [r.registration for r in sheet.rows] == [head, joined, cancelled, mine]
    assert [r.managed for r in sheet.rows] == [True, False, True, True]
    # Aok's letter is theirs (their passport); Bopha's is the head's to print.
    assert [r.visa_letter for r in sheet.rows] == [None, None, None, "ready"]
    assert sheet.counts == [("confirmed", "Confirmed", 3), ("cancelled", "Cancelled", 1)]
    assert badge_ids(sheet) == [head.id, joined.id, mine.id]
    organisers = delegation_sheet(head.delegation)  # the organisers' sheet: every letter
    assert [r.visa_letter for r in organisers.rows] == [None, "ready", None, "ready"]


def test_visa_letters_are_those_ready_and_their_issue_is_recorded(db):
    event = make_event()
    event.visa_letter_text = "We invite {name} ({passport_number})."
    category = make_category(event)
    head = make_head(event, category)
    with pytest.raises(ValidationError, match="No visa letter is ready"):
        visa_letters(delegation_sheet(head.delegation, head))
    first = visa_member(head, "Bopha", "N11111111")
    second = visa_member(head, "Chenda", "N33333333")
    with pytest.raises(ValidationError, match="No visa letter is ready"):  # not approved yet
        visa_letters(delegation_sheet(head.delegation, head))
    approve_letter(first)
    approve_letter(second)
    letters = visa_letters(delegation_sheet(head.delegation, head))
    assert sorted(letter.passport_number for letter in letters) == ["N11111111", "N33333333"]
    assert first.visa.letter_issued_at is not None and second.visa.letter_issued_at is not None


def test_the_summary_goes_to_the_head_through_the_outbox(db):
    event = make_event()
    category = make_category(event)
    head = make_head(event, category)
    make_member(head, given_name="Srey Pov", family_name="Lim", native_name=KHMER)
    make_member(head, given_name="Thida", family_name="Win", email="thida@mandalay.example")
    before = len(mails_to(db))
    send_summary(head)
    db.session.commit()
    [mail] = mails_to(db, head.email)[-1:]
    assert len(mails_to(db)) == before + 1
    assert mail.subject.startswith("Your delegation Phnom Penh Capital")
    text = mail.body_text
    assert "3 people, 3 confirmed" in text
    assert f"Lim Srey Pov ({KHMER})" in text and "none: you manage this registration" in text
    assert "thida@mandalay.example" in text
    assert "/delegation" in text  # the link to the sheet
    with pytest.raises(ValidationError):
        send_summary(make_member(head))  # a member has no sheet


def test_an_organiser_may_leave_a_members_address_empty_but_not_a_heads(db):
    from conference.registration.delegations import address_optional
    from conference.registration.registering import update_registration

    event = make_event()
    category = make_category(event)
    head = make_head(event, category)
    member = make_member(head, email="pov@example.org")
    assert address_optional(member) and not address_optional(head)
    data = registration_data(None, email="", country="KH")
    update_registration(member, data, by_organiser=True, email_optional=True)
    assert member.email is None
    with pytest.raises(RegistrationInvalid):
        update_registration(head, registration_data(None, email=""), by_organiser=True)


def test_a_context_without_the_option_still_refuses_an_empty_address(db):
    event = make_event()
    head = make_head(event, make_category(event))
    with pytest.raises(RegistrationInvalid):
        register(
            event,
            registration_data(head.category, email=""),
            Context(source="delegation", delegation=head.delegation),
        )


# The category of the members a head adds ------------------------------------------


def speakers_event():
    """An event as the demo's: Speaker first and by invitation, then Delegate (two places
    left), Observer, VIP by invitation, and a category closed already."""
    from datetime import timedelta

    from conference.dbtypes import utcnow

    event = make_event()
    speaker = make_category(event, "Speaker", invitation_code="SPEAK-2026")
    delegate_ = make_category(event, "Delegate", capacity=2)
    observer = make_category(event, "Observer", requires_approval=True)
    vip = make_category(event, "VIP", invitation_code="VIP-2026")
    closed = make_category(event, "Early bird", closes_at=utcnow() - timedelta(days=1))
    return event, speaker, delegate_, observer, vip, closed


def test_a_speaker_heads_members_become_delegates_by_default_with_places_counted(db):
    event, speaker, delegate_, observer, vip, closed = speakers_event()
    head = make_invited_head(event, speaker)
    assert member_categories(event) == [delegate_, observer]
    assert default_member_category(head, member_categories(event)) == delegate_
    added = add_members(
        head,
        [
            row(given_name="Srey Pov", family_name="Lim"),
            row(given_name="Dara", family_name="Sok", email="dara@example.org"),
            row(given_name="Chenda", family_name="Keo"),  # Delegate is full by then
        ],
    )
    db.session.commit()
    assert [m.category for m in added] == [delegate_, delegate_, delegate_]
    assert [m.status for m in added] == ["confirmed", "confirmed", "waitlisted"]
    assert {m.delegation for m in added} == {head.delegation}
    db.session.refresh(delegate_)
    assert delegate_.places_taken == 2 and speaker.places_taken == 1
    one = make_member(head, given_name="Vanna", family_name="Chea")  # the single form too
    assert one.category == delegate_ and one.status == "waitlisted"


def test_a_head_in_an_open_category_gives_members_their_own_unless_they_choose(db):
    event, speaker, delegate_, observer, vip, closed = speakers_event()
    head = make_head(event, observer)
    assert default_member_category(head, member_categories(event)) == observer
    chosen = make_member(head, given_name="Dara", family_name="Sok", category_id=delegate_.id)
    default = make_member(head, given_name="Srey Pov", family_name="Lim")
    assert chosen.category == delegate_ and chosen.status == "confirmed"
    assert default.category == observer and default.status == "pending_approval"


@pytest.mark.parametrize("which", ["speaker", "vip", "closed", "elsewhere", "garbage"])
def test_a_head_cannot_register_a_member_in_a_category_not_open_to_members(db, which):
    event, speaker, delegate_, observer, vip, closed = speakers_event()
    head = make_invited_head(event, speaker)
    other_event = make_event()
    category_id = {
        "speaker": speaker.id,
        "vip": vip.id,
        "closed": closed.id,
        "elsewhere": make_category(other_event, "Delegate").id,
        "garbage": -1,
    }[which]
    before, places = registrations(db), (speaker.places_taken, vip.places_taken)
    with pytest.raises(RegistrationInvalid) as refused:
        add_member(head, row(given_name="Dara", family_name="Sok", category_id=category_id))
    message = refused.value.errors["category_id"][0]
    assert {
        "speaker": "Speaker is by invitation only: a head of delegation cannot register",
        "vip": "VIP is by invitation only",
        "closed": "Registration as Early bird is closed.",
        "elsewhere": "Choose how they take part.",
        "garbage": "Choose how they take part.",
    }[which] in message
    db.session.rollback()
    db.session.refresh(speaker)
    db.session.refresh(vip)
    assert registrations(db) == before
    assert (speaker.places_taken, vip.places_taken) == places


def test_a_refused_category_is_reported_with_the_rows_other_problems(db):
    event, speaker, delegate_, observer, vip, closed = speakers_event()
    head = make_invited_head(event, speaker)
    with pytest.raises(MembersInvalid) as refused:
        add_members(head, [row(given_name="Dara", family_name="", category_id=vip.id)])
    assert set(refused.value.errors[0]) == {"category_id", "family_name"}


def test_a_mixed_selection_with_one_invitation_only_row_registers_no_one(db):
    event, speaker, delegate_, observer, vip, closed = speakers_event()
    head = make_invited_head(event, speaker)
    before = registrations(db)
    mixed = [
        row(given_name="Srey Pov", family_name="Lim", category_id=delegate_.id),
        row(given_name="Dara", family_name="Sok", category_id=observer.id),
        row(given_name="Chenda", family_name="Keo", category_id=speaker.id),
        row(given_name="Vanna", family_name="Chea"),  # the default: Delegate
    ]
    with pytest.raises(MembersInvalid) as refused:
        add_members(head, mixed)
    assert list(refused.value.errors) == [2]
    assert "by invitation only" in refused.value.errors[2]["category_id"][0]
    db.session.rollback()
    db.session.refresh(delegate_)
    db.session.refresh(observer)
    assert registrations(db) == before
    assert delegate_.places_taken == 0 and observer.places_taken == 0
    # Corrected, the same list registers everyone once, each in the category chosen.
    mixed[2].category_id = observer.id
    added = add_members(head, mixed)
    db.session.commit()
    assert [m.category.name for m in added] == ["Delegate", "Observer", "Observer", "Delegate"]
    assert [m.status for m in added] == [
        "confirmed",
        "pending_approval",
        "pending_approval",
        "confirmed",
    ]
    assert registrations(db) == before + 4


def test_no_category_open_to_members_is_said_plainly(db):
    event = make_event()
    speaker = make_category(event, "Speaker", invitation_code="SPEAK-2026")
    head = make_invited_head(event, speaker)
    assert member_categories(event) == []
    with pytest.raises(RegistrationInvalid) as refused:
        add_member(head, row(given_name="Dara", family_name="Sok"))
    assert refused.value.errors["category_id"] == [
        "No category is open to new members now: ask the organisers."
    ]
