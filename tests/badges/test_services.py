from conference.badges.services import (
    badge_token,
    check_badge,
    public_keys_json,
    reissue_badge,
    revoke_key,
    rotate_key,
    signing_key,
)
from conference.registration.places import change_status
from tests.factories import make_category, make_event, make_registration


def registered(db, **category):
    event = make_event()
    registration = make_registration(event, make_category(event, "Delegate", **category))
    return event, registration


def test_a_fresh_badge_lets_its_holder_in(db):
    event, registration = registered(db)
    verdict = check_badge(event, badge_token(registration))
    assert verdict.ok and verdict.registration == registration


def test_private_keys_are_stored_encrypted(db):
    event, registration = registered(db)
    badge_token(registration)
    key = signing_key(event)
    assert key.private_key_encrypted.startswith("gAAAA")  # a Fernet token
    assert len(key.public_key) == 32
    assert "private" not in str(public_keys_json(event))


def test_reissued_badge_refuses_the_old_one(db):
    event, registration = registered(db)
    old = badge_token(registration)
    new = reissue_badge(registration)
    db.session.commit()
    assert check_badge(event, new).ok
    verdict = check_badge(event, old)
    assert verdict.result == "revoked" and "replaced by a newer one" in verdict.message


def test_cancelled_and_pending_registrations_are_refused(db):
    event, registration = registered(db)
    token = badge_token(registration)
    change_status(registration, "cancel")
    verdict = check_badge(event, token)
    assert verdict.result == "revoked" and "cancelled" in verdict.message
    event2, pending = registered(db, requires_approval=True)
    verdict = check_badge(event2, badge_token(pending))
    assert verdict.result == "not_approved"


def test_rotation_keeps_old_badges_until_the_old_key_is_revoked(db):
    event, registration = registered(db)
    old_key = signing_key(event)
    old_badge = badge_token(registration)
    rotate_key(event)
    new_badge = badge_token(registration)
    assert old_badge != new_badge
    assert check_badge(event, old_badge).ok and check_badge(event, new_badge).ok
    revoke_key(event, old_key.id)
    db.session.commit()
    assert check_badge(event, old_badge).result == "revoked"
    assert check_badge(event, new_badge).ok


def test_badge_of_another_event_is_wrong_event(db):
    event, registration = registered(db)
    other, _ = registered(db)
    verdict = check_badge(other, badge_token(registration))
    assert verdict.result == "wrong_event"
