import re

import pytest
from sqlalchemy import func, select

from conference.auth.models import User
from conference.events.models import Event
from tests.conftest import log_in
from tests.factories import PASSWORD, make_user


def reset_link(smtp_server) -> str:
    message = smtp_server.messages()[-1]
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://conference\.test(/reset/\S+)", text).group(1)


def test_sign_in_and_out(client, db):
    user = make_user("ada@example.org", name="Ada")
    response = log_in(client, "ADA@example.org", PASSWORD, follow=True)
    assert "Welcome, Ada." in response.text
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_gets_a_clear_message_and_no_session(client, db):
    make_user("ada@example.org")
    response = log_in(client, "ada@example.org", "not the password")
    assert response.status_code == 422
    assert "The e-mail address or the password is not right." in response.text
    assert client.get("/account").status_code == 302


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, db):
    response = log_in(client, "nobody@example.org", "whatever it is")
    assert response.status_code == 422
    assert "The e-mail address or the password is not right." in response.text


def test_logout_needs_a_post(client, db, login):
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def cookies_set(response) -> dict[str, str]:
    """The cookies a response sets, by name."""
    pairs = (header.split(";", 1)[0] for header in response.headers.getlist("Set-Cookie"))
    return dict(pair.split("=", 1) for pair in pairs)


def test_a_session_cookie_captured_before_sign_out_is_useless_after_it(app, client, db):
    make_user("ada@example.org")
    signed_in = log_in(client, "ada@example.org", PASSWORD)
    captured = cookies_set(signed_in)["session"]
    thief = app.test_client(use_cookies=False)  # sends exactly the cookie it captured
    assert thief.get("/account", headers={"Cookie": f"session={captured}"}).status_code == 200
    client.post("/logout")
    replayed = thief.get("/account", headers={"Cookie": f"session={captured}"})
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_a_remember_me_cookie_captured_before_sign_out_is_useless_after_it(app, client, db):
    make_user("ada@example.org")
    signed_in = client.post(
        "/login", data={"email": "ada@example.org", "password": PASSWORD, "remember": "y"}
    )
    captured = cookies_set(signed_in)["remember_token"]
    thief = app.test_client(use_cookies=False)  # sends exactly the cookie it captured
    remembered = {"Cookie": f"remember_token={captured}"}
    assert thief.get("/account", headers=remembered).status_code == 200
    client.post("/logout")
    replayed = thief.get("/account", headers=remembered)
    assert replayed.status_code == 302


def test_signing_out_ends_only_that_session(app, db):
    make_user("ada@example.org")
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, "ada@example.org", PASSWORD)
    log_in(laptop, "ada@example.org", PASSWORD)
    laptop.post("/logout")
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:x",
        "////evil.example",
        "///evil.example",
        "/\t/evil.example",
        "/\r\n/evil.example",
        " //evil.example",
        "https:evil.example",
        "\\\\evil.example",
    ],
)
def test_sign_in_never_redirects_off_site(client, db, target):
    make_user("ada@example.org")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ada@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(client, db):
    make_user("ada@example.org")
    response = client.post(
        "/login",
        query_string={"next": "/account"},
        data={"email": "ada@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account"


def test_password_reset_by_e_mail_link(mail_app, smtp_server):
    client = mail_app.test_client()
    with mail_app.app_context():
        make_user("ada@example.org")
    response = client.post("/reset", data={"email": "Ada@Example.org"}, follow_redirects=True)
    assert "a reset link is on its way" in response.text
    link = reset_link(smtp_server)
    assert client.get(link).status_code == 200
    response = client.post(
        link, data={"password": "new passphrase 2024", "confirm": "new passphrase 2024"}
    )
    assert response.status_code == 302
    assert log_in(client, "ada@example.org", PASSWORD).status_code == 422
    assert log_in(client, "ada@example.org", "new passphrase 2024").status_code == 302
    client.post("/logout")
    # The link worked once.
    response = client.get(link, follow_redirects=True)
    assert "has been used already" in response.text


def test_reset_for_unknown_email_answers_the_same_and_sends_nothing(mail_app, smtp_server):
    client = mail_app.test_client()
    response = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "a reset link is on its way" in response.text
    assert smtp_server.envelopes == []


def test_tampered_reset_link_is_refused(client, db):
    user = make_user()
    response = client.get("/reset/not-a-real-token", follow_redirects=True)
    assert "This link is not valid" in response.text
    response = client.post(
        "/reset/not-a-real-token", data={"password": "x" * 12, "confirm": "x" * 12}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_expired_reset_link_is_refused(app, client, db):
    from conference.auth.services import password_reset_token

    user = make_user()
    with app.test_request_context():
        token = password_reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(f"/reset/{token}", follow_redirects=True)
    assert "This link has expired" in response.text


def test_mismatched_new_passwords_change_nothing(app, client, db):
    from conference.auth.services import password_reset_token

    user = make_user()
    with app.test_request_context():
        token = password_reset_token(user)
    response = client.post(
        f"/reset/{token}", data={"password": "first passphrase", "confirm": "second passphrase"}
    )
    assert response.status_code == 200
    assert "The two passwords differ." in response.text
    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_changing_the_password_signs_out_other_devices(app, db):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, user.email, PASSWORD)
    log_in(laptop, user.email, PASSWORD)
    response = laptop.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "password": "a fresh passphrase",
            "confirm": "a fresh passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_wrong_current_password_changes_nothing(client, db, login):
    user = make_user()
    login(user)
    response = client.post(
        "/account/password",
        data={
            "current": "wrong one!",
            "password": "a fresh passphrase",
            "confirm": "a fresh passphrase",
        },
    )
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    client.post("/logout")
    assert log_in(client, user.email, PASSWORD).status_code == 302


def test_sign_in_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    with app.app_context():
        make_user("ada@example.org")
    for _ in range(3):
        assert log_in(client, "ada@example.org", "wrong password").status_code == 422
    response = log_in(client, "ada@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert client.get("/account").status_code == 302


def test_form_posted_without_csrf_token_is_refused_and_changes_nothing(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        admin = make_user(is_admin=True)
        email = admin.email
    # Sign in with a real token, then post a form without one.
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    response = client.post(
        "/events/new",
        data={
            "title": "Sneaky",
            "slug": "sneaky",
            "country": "TH",
            "timezone": "Asia/Bangkok",
            "start_date": "2026-01-01",
            "end_date": "2026-01-02",
        },
    )
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.text
    with app.app_context():
        from conference.extensions import db

        assert db.session.scalar(select(func.count(Event.id))) == 0


def test_account_page_creates_shows_once_and_revokes_tokens(client, db, login):
    login(make_user())
    response = client.post("/account/tokens", data={"name": "Door A scanner"})
    plain = re.search(r'value="(cft_[^"]+)"', response.text).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    account = client.get("/account").text
    assert "Door A scanner" in account and plain not in account
    token_id = re.search(r"/account/tokens/(\d+)/revoke", account).group(1)
    client.post(f"/account/tokens/{token_id}/revoke")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_token_without_a_name_is_explained_and_not_created(client, db, login):
    from conference.auth.models import ApiToken

    login(make_user())
    response = client.post("/account/tokens", data={"name": ""})
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0
