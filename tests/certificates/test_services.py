"""Certificates without HTTP: who gets one, what it lists, its signed address and what the
public page says of it."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from conference.badges.services import badge_token, revoke_key
from conference.badges.tokens import read_claims
from conference.certificates.attendance import attendance_of, days_text, presence_text
from conference.certificates.services import (
    branding,
    certificate_for,
    certificate_token,
    certified,
    check_certificate,
    count_certified,
    has_certificate,
    own_certificate,
    verification_url,
)
from conference.checkin.models import CheckIn
from conference.errors import ValidationError
from conference.registration.places import cancel_by_delegate
from conference.signing import b64encode
from tests.factories import (
    brand_event,
    check_in_on,
    logo_png,
    make_category,
    make_event,
    make_registration,
    make_session,
    other_spellings,
)


@pytest.fixture
def conference(db):
    """A three-day event with a delegate checked in at the door on the first day."""
    start = date(2024, 10, 29)
    event = make_event(
        title="ASEAN+3 Regional Learning Cities Conference",
        start_date=start,
        end_date=start + timedelta(days=2),
        venue="Centara Grand",
    )
    category = make_category(event, "Delegate", badge_colour="#7b2d8b")
    sakchai = make_registration(
        event,
        category,
        title="Mr",
        given_name="Sakchai",
        family_name="Thongdee",
        native_name="ศักดิ์ชัย ทองดี",
        country="TH",
        phone="",
    )
    check_in_on(sakchai, 0)
    return event, category, sakchai


def test_a_certificate_is_for_confirmed_delegates_checked_in_at_least_once(conference, db):
    event, category, sakchai = conference
    absent = make_registration(event, category, given_name="Absent", family_name="Delegate")
    cancelled = make_registration(event, category, given_name="Left", family_name="Early")
    check_in_on(cancelled, 0)
    cancel_by_delegate(cancelled)
    db.session.commit()
    room_only = make_registration(event, category, given_name="Room", family_name="Only")
    check_in_on(room_only, session=make_session(event, day=event.start_date + timedelta(days=1)))
    other_event = make_event()
    stranger = make_registration(other_event, make_category(other_event, "Delegate"))
    check_in_on(stranger, 0)

    assert sorted(r.id for r in certified(event)) == sorted([sakchai.id, room_only.id])
    assert count_certified(event) == 2
    assert [r.id for r in certified(event, ids=[absent.id, room_only.id, stranger.id])] == [
        room_only.id
    ]
    assert has_certificate(sakchai) and has_certificate(room_only)
    assert not has_certificate(absent) and not has_certificate(cancelled)
    with pytest.raises(ValidationError, match="once you have been checked in"):
        own_certificate(absent)
    with pytest.raises(ValidationError, match="cancelled"):
        own_certificate(cancelled)


def test_days_are_those_of_any_check_in_and_sessions_those_of_room_check_ins(conference, db):
    event, _, sakchai = conference
    second, third = event.start_date + timedelta(days=1), event.start_date + timedelta(days=2)
    closing = make_session(event, start=(16, 0), end=(17, 0), title="Closing", day=third)
    plenary = make_session(event, start=(9, 0), end=(10, 30), title="Plenary", day=second)
    check_in_on(sakchai, session=closing)  # no door scan that day: the room's counts
    check_in_on(sakchai, session=plenary)
    check_in_on(sakchai, 1)  # the door on the second day as well: one day, not two

    attended = attendance_of(sakchai)
    assert attended.days == [event.start_date, second, third]
    assert [(s.title, s.starts.strftime("%d %H:%M")) for s in attended.sessions] == [
        ("Plenary", "30 09:00"),  # event-local times, in the order they took place
        ("Closing", "31 16:00"),
    ]
    cert = certificate_for(sakchai, attended, certificate_token(sakchai), branding(event))
    assert cert.presence == "Present on 29, 30 and 31 October 2024 (3 of 3 days)"
    assert [(s.day, s.time, s.title) for s in cert.sessions] == [
        ("Wednesday 30 October", "09:00", "Plenary"),
        ("Thursday 31 October", "16:00", "Closing"),
    ]

    db.session.execute(delete(CheckIn).where(CheckIn.registration_id == sakchai.id))
    db.session.commit()
    assert attendance_of(sakchai).days == [] and not has_certificate(sakchai)


def test_days_read_as_a_person_writes_dates():
    oct29, oct30, oct31 = date(2024, 10, 29), date(2024, 10, 30), date(2024, 10, 31)
    assert days_text([oct29]) == "29 October 2024"
    assert days_text([oct30, oct29]) == "29 and 30 October 2024"
    assert days_text([oct29, oct30, oct31, date(2024, 11, 1)]) == (
        "29, 30, 31 October and 1 November 2024"
    )
    assert days_text([date(2024, 12, 31), date(2025, 1, 1)]) == (
        "31 December 2024 and 1 January 2025"
    )
    assert presence_text([oct29], 1) == "Present on 29 October 2024"
    assert presence_text([oct29, oct31], 3) == "Present on 29 and 31 October 2024 (2 of 3 days)"


def test_the_certificate_prints_the_name_in_the_delegates_order_and_script_once(conference):
    event, category, sakchai = conference
    khai = make_registration(
        event,
        category,
        title="Ms",
        given_name="Thị Minh Khai",
        family_name="Nguyễn",
        native_name="Nguyễn Thị Minh Khai",
        country="VN",
    )
    check_in_on(khai, 0)
    style = branding(event)
    thai = certificate_for(sakchai, attendance_of(sakchai), "t", style)
    assert (thai.native_name, thai.latin_name) == ("ศักดิ์ชัย ทองดี", "Mr Sakchai Thongdee")
    vietnamese = certificate_for(khai, attendance_of(khai), "t", style)
    assert (vietnamese.native_name, vietnamese.latin_name) == ("", "Ms Nguyễn Thị Minh Khai")
    assert thai.place == "Centara Grand, Bangkok, Thailand"
    assert thai.event_dates == "29–31 October 2024"
    assert thai.reference == f"{event.slug.upper()}/CERT/{sakchai.id:04d}"
    assert thai.url == "http://conference.test/certificates/t"
    assert style.colour == "#7b2d8b"  # without a colour of its own: the badges' for delegates
    assert style.logo is None

    brand_event(event, colour="#0b6e4f", logo=logo_png())
    branded = branding(event)
    assert branded.colour == "#0b6e4f"
    assert branded.logo is not None and branded.logo.startswith(b"\x89PNG")


def test_the_signed_address_names_its_holder_and_stays_the_same(conference):
    event, _, sakchai = conference
    token = certificate_token(sakchai)
    assert certificate_token(sakchai) == token  # printed again, the same address
    assert verification_url(token) == f"http://conference.test/certificates/{token}"
    verdict = check_certificate(token)
    assert verdict.valid and verdict.reason == "valid"
    assert verdict.registration.id == sakchai.id and verdict.event.id == event.id
    assert verdict.attended.days == [event.start_date]


def _with_registration(token: str, registration_id: int) -> str:
    """The token naming another registration, with the original signature."""
    claims, body, signature = read_claims(token)
    assert claims.registration_id < 128 and registration_id < 128 and claims.reissue == 0
    return b64encode(body[:-2] + bytes([registration_id, 0]) + signature)


def _with_event(token: str, event_id: int) -> str:
    """The token naming another event, with the original signature."""
    claims, body, signature = read_claims(token)
    assert claims.key_id < 128 and claims.event_id < 128 and event_id < 128
    return b64encode(body[:2] + bytes([event_id]) + body[3:] + signature)


def test_an_altered_cut_or_forged_address_is_not_genuine(conference):
    event, category, sakchai = conference
    other = make_registration(event, category, given_name="Other", family_name="Person")
    check_in_on(other, 0)
    token = certificate_token(sakchai)
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    forged = [
        _with_registration(token, other.id),  # someone else's name on my signature
        flipped,
        token[:-5],
        token + "AAAA",
        "",
        "not-a-certificate",
        "~" * 150,
        "A" * 5000,
        badge_token(sakchai),  # a badge's code opens no certificate page
        *other_spellings(token),
    ]
    for candidate in forged:
        verdict = check_certificate(candidate)
        assert verdict.reason == "not_genuine", candidate
        assert not verdict.valid and verdict.registration is None
        assert "not a genuine certificate" in verdict.message


def test_another_events_certificate_cannot_pass_for_this_events(conference):
    event, _, _ = conference
    other = make_event()
    stranger = make_registration(other, make_category(other, "Delegate"))
    check_in_on(stranger, 0)
    token = certificate_token(stranger)
    assert check_certificate(token).valid  # at its own event
    assert check_certificate(_with_event(token, event.id)).reason == "not_genuine"


def test_a_cancelled_or_erased_registration_reads_as_not_valid(conference, db):
    event, category, sakchai = conference
    token = certificate_token(sakchai)
    cancel_by_delegate(sakchai)
    db.session.commit()
    verdict = check_certificate(token)
    assert verdict.reason == "cancelled" and not verdict.valid
    assert "was cancelled" in verdict.message and verdict.registration is None

    erased = make_registration(event, category, given_name="Erased", family_name="Person")
    check_in_on(erased, 0)
    erased_token = certificate_token(erased)
    db.session.delete(erased)
    db.session.commit()
    verdict = check_certificate(erased_token)
    assert verdict.reason == "erased" and "no longer exists" in verdict.message


def test_undone_check_ins_and_a_revoked_key_make_a_certificate_not_valid(conference, db):
    event, category, sakchai = conference
    token = certificate_token(sakchai)
    db.session.execute(delete(CheckIn).where(CheckIn.registration_id == sakchai.id))
    db.session.commit()
    assert check_certificate(token).reason == "not_attended"

    check_in_on(sakchai, 1)
    assert check_certificate(token).valid
    key_id = read_claims(token)[0].key_id
    revoke_key(event, key_id)
    db.session.commit()
    verdict = check_certificate(token)
    assert verdict.reason == "revoked" and "revoked" in verdict.message
    fresh = certificate_token(sakchai)  # the event's new key signs a new address
    assert fresh != token and check_certificate(fresh).valid


def test_the_certificate_mail_rule_is_backed_by_the_database(conference, db):
    from sqlalchemy.exc import IntegrityError

    from conference.certificates.models import CertificateMail

    event, _, sakchai = conference
    db.session.add(CertificateMail(event_id=event.id, registration_id=sakchai.id))
    db.session.commit()
    db.session.add(CertificateMail(event_id=event.id, registration_id=sakchai.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert len(db.session.scalars(select(CertificateMail)).all()) == 1
