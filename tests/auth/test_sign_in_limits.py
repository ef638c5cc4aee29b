"""Sign-in limits: counted in the shared store across app servers, and an attacker who
fills an account's limit does not lock its owner out of a device they signed in on."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conference import create_app
from conference.extensions import db
from tests.conftest import free_port, log_in, redis_db_url
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = redis_db_url(1)


def redis_or_skip() -> str:
    from redis import Redis
    from redis.exceptions import ConnectionError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run has it)")
    return REDIS_URL


def app_servers(tmp_path, settings: dict, *attempts: list[str]) -> list[list[int]]:
    """Sign-in attempts on ada@example.org, each list made at the same time by its own app
    server process; the status codes, per process."""
    config = {
        "SECRET_KEY": "test-secret-key-that-is-long-enough",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}",
        "WTF_CSRF_ENABLED": False,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "TASKS_MODE": "sync",
        "RATELIMIT_ENABLED": True,
        **settings,
    }
    if not (tmp_path / "shared.db").exists():
        app = create_app(config)
        with app.app_context():
            db.create_all()
            make_user("ada@example.org")
            db.engine.dispose()
    env = {"CONFERENCE_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "tests.auth.sign_in_worker", json.dumps(config)]
    running = [
        subprocess.Popen(  # noqa: S603  (our own interpreter and module)
            [*command, "ada@example.org", *passwords],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for passwords in attempts
    ]
    answers = []
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        answers.append(json.loads(out.strip().splitlines()[-1]))
    return answers


def test_sign_in_attempts_count_across_app_servers_sharing_redis(tmp_path):
    # REDIS_URL alone is enough: the limits live where the jobs do.
    settings = {
        "REDIS_URL": redis_or_skip(),
        "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,  # this test's own counters
        "LOGIN_EMAIL_RATE_LIMIT": "2 per minute",
    }
    # Two workers, one guess each, at the same time...
    assert app_servers(tmp_path, settings, ["wrong one"], ["wrong two"]) == [[422], [422]]
    # ... and the account's limit is reached for a third worker too.
    assert app_servers(tmp_path, settings, ["wrong three", PASSWORD]) == [[429, 429]]


def test_sign_in_still_works_when_the_shared_store_is_down(tmp_path):
    nothing_there = f"redis://127.0.0.1:{free_port()}/1"
    settings = {"RATELIMIT_STORAGE_URI": nothing_there, "LOGIN_EMAIL_RATE_LIMIT": "2 per minute"}
    # Counted in each worker's memory meanwhile: still limited, never a 500.
    assert app_servers(tmp_path, settings, ["wrong", "wrong", "wrong"], [PASSWORD]) == [
        [422, 422, 429],
        [302],
    ]


@pytest.fixture
def limited(make_app):
    """Sign-in limited per account only (every client here shares one address)."""
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="1000 per minute",
        LOGIN_EMAIL_RATE_LIMIT="3 per minute",
    )
    with app.app_context():
        make_user("ada@example.org")
        make_user("bob@example.org")
    return app


def test_an_attacker_filling_an_accounts_limit_does_not_lock_out_its_owners_device(limited):
    owner = limited.test_client()
    assert log_in(owner, "ada@example.org", PASSWORD).status_code == 302
    owner.post("/logout")
    attacker = limited.test_client()
    guesses = [log_in(attacker, "ada@example.org", "guess").status_code for _ in range(4)]
    assert guesses[-1] == 429 and set(guesses) == {422, 429}
    assert log_in(attacker, "ada@example.org", PASSWORD).status_code == 429
    # The owner's browser has signed in here before: it is not refused.
    assert log_in(owner, "ada@example.org", PASSWORD).status_code == 302
    assert owner.get("/account").status_code == 200


def test_a_known_device_is_limited_on_its_own(limited):
    device = limited.test_client()
    assert log_in(device, "ada@example.org", PASSWORD).status_code == 302
    device.post("/logout")
    for _ in range(3):
        assert log_in(device, "ada@example.org", "guess").status_code == 422
    assert log_in(device, "ada@example.org", "guess").status_code == 429
    # ... and those guesses did not count against the account for everyone else.
    assert log_in(limited.test_client(), "ada@example.org", PASSWORD).status_code == 302


def test_a_device_known_for_one_account_is_a_stranger_to_another(limited):
    device = limited.test_client()
    assert log_in(device, "bob@example.org", PASSWORD).status_code == 302
    device.post("/logout")
    attacker = limited.test_client()
    for _ in range(3):
        log_in(attacker, "ada@example.org", "guess")
    assert log_in(device, "ada@example.org", PASSWORD).status_code == 429


def test_a_forged_device_cookie_counts_for_nothing(limited):
    attacker = limited.test_client()
    attacker.set_cookie("known_device", "forged", domain="conference.test", path="/")
    for _ in range(3):
        log_in(attacker, "ada@example.org", "guess")
    assert log_in(attacker, "ada@example.org", "guess").status_code == 429
