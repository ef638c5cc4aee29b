import pytest

from conference.auth.services import (
    authenticate,
    can_create_events,
    create_api_token,
    create_user,
    end_session,
    has_event_role,
    load_user_from_session,
    password_reset_token,
    revoke_api_token,
    revoke_role,
    set_password,
    start_session,
    user_for_api_token,
    user_from_reset_token,
)
from conference.errors import PermissionDenied, ValidationError
from tests.factories import PASSWORD, give_role, make_event, make_user


def test_email_is_unique_whatever_its_letter_case(db):
    make_user("Ada@Example.org")
    with pytest.raises(ValidationError, match="exists already"):
        create_user("ada@EXAMPLE.org", password=PASSWORD)


def test_email_is_stored_in_lower_case_and_found_in_any_case(db):
    user = make_user("Ha.Trung@SonLa.example")
    assert user.email == "ha.trung@sonla.example"
    assert authenticate("HA.TRUNG@sonla.example", PASSWORD) == user


def test_password_is_hashed_not_stored(db):
    user = make_user(password="a long enough passphrase")
    assert "a long enough passphrase" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_wrong_password_and_unknown_email_do_not_authenticate(db):
    make_user("ada@example.org")
    assert authenticate("ada@example.org", "wrong password here") is None
    assert authenticate("nobody@example.org", PASSWORD) is None


def test_inactive_user_cannot_sign_in(db):
    user = make_user()
    user.active = False
    db.session.commit()
    assert authenticate(user.email, PASSWORD) is None


@pytest.mark.parametrize("weak", ["short", "aaaaaaaaaaaaaa", "x" * 300])
def test_weak_passwords_are_refused(db, weak):
    user = make_user()
    with pytest.raises(ValidationError):
        set_password(user, weak)


def test_reset_token_works_once(db):
    user = make_user()
    token = password_reset_token(user)
    assert user_from_reset_token(token) == user
    set_password(user, "a brand new passphrase")
    db.session.commit()
    with pytest.raises(ValidationError, match="used already"):
        user_from_reset_token(token)


def test_tampered_reset_token_is_refused(db):
    token = password_reset_token(make_user())
    tampered = token[:-3] + ("abc" if token[-3:] != "abc" else "xyz")
    with pytest.raises(ValidationError, match="not valid"):
        user_from_reset_token(tampered)


def test_expired_reset_token_is_refused(app, db):
    token = password_reset_token(make_user())
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    with pytest.raises(ValidationError, match="expired"):
        user_from_reset_token(token)


def test_invitation_link_outlives_a_reset_link(app, db):
    user = make_user()
    invite = password_reset_token(user, "invite")
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert user_from_reset_token(invite) == user


def test_password_change_invalidates_existing_sessions(db):
    user = make_user()
    start_session(user)
    session_id = user.get_id()
    assert load_user_from_session(session_id) == user
    set_password(user, "another long passphrase")
    db.session.commit()
    assert load_user_from_session(session_id) is None
    assert load_user_from_session(user.get_id()) == user


def test_an_ended_session_is_never_loaded_again(db):
    user = make_user()
    start_session(user)
    db.session.commit()
    cookie_id = user.get_id()
    assert load_user_from_session(cookie_id) == user
    end_session(user.session_id)
    db.session.commit()
    assert load_user_from_session(cookie_id) is None


def test_a_session_id_is_needed_and_must_be_the_users_own(db):
    user, other = make_user(), make_user()
    start_session(other)
    db.session.commit()
    stamp = user.session_stamp
    assert load_user_from_session(f"{user.id}:{stamp}") is None  # a cookie from before
    assert load_user_from_session(f"{user.id}:{stamp}:") is None
    assert load_user_from_session(f"{user.id}:{stamp}:{other.session_id}") is None
    assert load_user_from_session(f"{user.id}:{stamp}:made-up") is None


def test_starting_a_session_clears_the_users_ended_ones(db):
    from sqlalchemy import func, select

    from conference.auth.models import UserSession

    user = make_user()
    first = start_session(user).id
    end_session(first)
    start_session(user)
    db.session.commit()
    assert db.session.get(UserSession, first) is None
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_event_roles_are_per_event(db):
    organiser = make_user()
    first = make_event(organiser)
    second = make_event()
    assert has_event_role(organiser, first, "organiser")
    assert not has_event_role(organiser, second, "organiser")
    assert not has_event_role(organiser, first, "checkin")


def test_site_admin_holds_every_role(db):
    admin = make_user(is_admin=True)
    event = make_event()
    assert has_event_role(admin, event, "checkin")
    assert can_create_events(admin)


def test_only_organisers_and_admins_create_events(db):
    staff = make_user()
    event = make_event()
    give_role(event, staff, "checkin")
    assert not can_create_events(staff)
    assert can_create_events(event.roles[0].user)


def test_last_organiser_cannot_be_removed(db):
    event = make_event()
    only = event.roles[0]
    with pytest.raises(ValidationError, match="at least one organiser"):
        revoke_role(event, only.id)
    second = give_role(event, make_user(), "organiser")
    revoke_role(event, second.id)
    db.session.commit()
    assert [r.id for r in event.roles] == [only.id]


def test_require_event_role_names_the_missing_role(db):
    from conference.auth.services import require_event_role

    event = make_event(title="Forum X")
    with pytest.raises(PermissionDenied, match="checkin role for Forum X"):
        require_event_role(make_user(), event, "checkin")


def test_api_token_is_stored_hashed_and_can_be_revoked(db):
    user = make_user()
    token, plain = create_api_token(user, "Door A scanner")
    db.session.commit()
    assert plain not in token.token_hash
    assert user_for_api_token(plain) == user
    revoke_api_token(user, token.id)
    db.session.commit()
    assert user_for_api_token(plain) is None


def test_nobody_revokes_another_users_token(db):
    token, _ = create_api_token(make_user(), "mine")
    with pytest.raises(ValidationError):
        revoke_api_token(make_user(), token.id)


@pytest.mark.parametrize("garbage", ["", "cft_", "cft_" + "x" * 200, "Bearer", "nonsense"])
def test_unknown_tokens_find_nobody(db, garbage):
    assert user_for_api_token(garbage) is None
