"""Badge tokens, without an app: signing, reading, refusing."""

import base64

import pytest

from conference.badges.tokens import (
    Claims,
    TokenError,
    new_private_key,
    read_claims,
    sign_token,
    verify_token,
)


@pytest.fixture
def keys():
    private = new_private_key()
    return private, {7: (3, private.public_key())}


def test_a_signed_token_verifies_and_carries_its_claims(keys):
    private, public = keys
    token = sign_token(private, Claims(7, 3, 1234, 2))
    assert verify_token(token, public, 3) == Claims(7, 3, 1234, 2)


def test_tokens_are_compact_and_scanner_safe(keys):
    private, _ = keys
    token = sign_token(private, Claims(7, 3, 20_000, 0))
    assert len(token) <= 96  # 86 of them are the Ed25519 signature
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_every_one_character_change_is_refused(keys):
    private, public = keys
    token = sign_token(private, Claims(7, 3, 42, 0))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index in range(len(token) - 1):  # the last character holds padding bits
        changed = alphabet[(alphabet.index(token[index]) + 1) % 64]
        altered = token[:index] + changed + token[index + 1 :]
        with pytest.raises(TokenError) as caught:
            verify_token(altered, public, 3)
        assert caught.value.reason in ("invalid", "wrong_event")


def test_a_token_from_another_events_key_is_wrong_event(keys):
    _, public = keys
    other = new_private_key()
    token = sign_token(other, Claims(9, 4, 42, 0))
    with pytest.raises(TokenError) as caught:
        verify_token(token, public, 3)
    assert caught.value.reason == "wrong_event"


def test_a_forged_token_claiming_this_event_is_invalid(keys):
    _, public = keys
    forger = new_private_key()
    token = sign_token(forger, Claims(7, 3, 42, 0))
    with pytest.raises(TokenError, match="altered or forged") as caught:
        verify_token(token, public, 3)
    assert caught.value.reason == "invalid"


@pytest.mark.parametrize(
    ("garbage", "message"),
    [
        ("", "not a badge code"),
        ("hello world", "not a badge code"),
        ("%%%%", "not a badge code"),
        ("A" * 500, "not a badge code"),
        (base64.urlsafe_b64encode(b"\x02abc").rstrip(b"=").decode(), "newer version"),
    ],
)
def test_garbage_is_refused_with_a_clear_reason(keys, garbage, message):
    _, public = keys
    with pytest.raises(TokenError, match=message) as caught:
        verify_token(garbage, public, 3)
    assert caught.value.reason == "invalid"


def test_a_truncated_token_is_incomplete(keys):
    private, public = keys
    token = sign_token(private, Claims(7, 3, 42, 0))
    with pytest.raises(TokenError, match="incomplete"):
        verify_token(token[:40], public, 3)
    claims, _, signature = read_claims(token)
    assert claims.registration_id == 42 and len(signature) == 64
