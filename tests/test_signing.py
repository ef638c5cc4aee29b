"""Signed tokens are accepted in one spelling only: the one the site issued.

Unpadded base64 leaves spare bits in the last character (2 bits when the length is 3 mod
4, 4 bits when it is 2 mod 4), and Python's decoder skips characters outside the alphabet:
a token could be written in several ways that all decode to the same bytes. Anything
counted or remembered by token (a rate limit, a replay guard) would count each spelling
apart. Every spelling but the issued one is refused.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conference import signing
from conference.auth.services import password_reset_token, user_from_reset_token
from conference.badges.services import badge_token, create_key
from conference.badges.tokens import Claims, TokenError, new_private_key, sign_token, verify_token
from conference.errors import NotFound, ValidationError
from conference.registration.links import (
    email_proof,
    manage_token,
    registration_from_token,
    verify_email,
)
from tests.factories import make_category, make_event, make_registration, make_user, other_spellings

ROOT = Path(__file__).resolve().parent.parent


def test_every_spelling_of_the_same_bytes_decodes_alike_in_plain_base64():
    # The premise: without the canonical check, these all verify.
    import base64

    token = signing.b64encode(b"\x01" * 20)  # 27 characters, 2 spare bits
    spellings = [token, *other_spellings(token)]
    assert len(spellings) == 5  # four with the spare bits, one with a stray character
    assert {base64.urlsafe_b64decode(s + "=") for s in spellings} == {b"\x01" * 20}


def test_only_the_canonical_base64_spelling_decodes():
    token = signing.b64encode(b"\x01" * 20)
    assert signing.b64decode(token) == b"\x01" * 20
    for spelling in [*other_spellings(token), token[:5] + "." + token[5:], token + "="]:
        with pytest.raises(ValueError):
            signing.b64decode(spelling)


def test_the_serializer_accepts_only_the_token_it_issued():
    serializer = signing.serializer("s" * 32, "testing")
    token = serializer.dumps([12, "abc"])
    assert serializer.loads(token) == [12, "abc"]
    for spelling in other_spellings(token):
        with pytest.raises(signing.BadSignature):
            serializer.loads(spelling)
    for noise in ("!", "~", "\u00e9"):
        with pytest.raises(signing.BadSignature):
            serializer.loads(token + noise)


def test_the_timed_serializer_accepts_only_the_token_it_issued():
    serializer = signing.timed_serializer("s" * 32, "testing")
    token = serializer.dumps({"uid": 1})
    assert serializer.loads(token, max_age=60) == {"uid": 1}
    for spelling in other_spellings(token):
        with pytest.raises(signing.BadSignature):
            serializer.loads(spelling, max_age=60)


def test_a_management_link_works_in_its_issued_spelling_only(db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    token = manage_token(registration)
    assert registration_from_token(event, token) == registration
    for spelling in other_spellings(token):
        with pytest.raises(NotFound):
            registration_from_token(event, spelling)


def test_an_e_mail_proof_works_in_its_issued_spelling_only(db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    proof = email_proof(registration)
    for spelling in other_spellings(proof):
        assert verify_email(registration, spelling) is False
    assert registration.email_verified_at is None
    assert verify_email(registration, proof) is True


def test_a_password_reset_link_works_in_its_issued_spelling_only(app, db):
    user = make_user()
    with app.test_request_context():
        token = password_reset_token(user)
    for spelling in other_spellings(token):
        with pytest.raises(ValidationError, match="not valid"):
            user_from_reset_token(spelling)
    assert user_from_reset_token(token) == user


def test_a_badge_token_verifies_in_its_issued_spelling_only():
    private = new_private_key()
    public = {7: (3, private.public_key())}
    token = sign_token(private, Claims(7, 3, 300, 0))
    spellings = other_spellings(token)
    assert len(token) == 94 and len(spellings) == 16  # 4 spare bits, and a stray "~"
    for spelling in spellings:
        with pytest.raises(TokenError) as caught:
            verify_token(spelling, public, 3)
        assert caught.value.reason == "invalid"
    assert verify_token(token, public, 3) == Claims(7, 3, 300, 0)


def test_a_badge_scanned_in_another_spelling_is_refused_at_the_door(app, db):
    from conference.badges.services import verify_scan

    event = make_event()
    registration = make_registration(event, make_category(event))
    create_key(event)
    db.session.commit()
    token = badge_token(registration)
    for spelling in other_spellings(token):
        with pytest.raises(TokenError):
            verify_scan(event, spelling)
    assert verify_scan(event, token)[0].registration_id == registration.id


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the scanner's module")
def test_the_scanner_reads_a_badge_in_its_issued_spelling_only(tmp_path):
    private = new_private_key()
    token = sign_token(private, Claims(7, 3, 300, 0))
    module = json.dumps((ROOT / "static/js/checkin/token.js").as_uri())
    script = tmp_path / "check.mjs"
    script.write_text(
        f"import {{ readClaims }} from {module};\n"
        "const results = JSON.parse(process.argv[2]).map((token) => {\n"
        "  try { return readClaims(token).registrationId; } catch (e) { return e.reason; }\n"
        "});\n"
        "console.log(JSON.stringify(results));\n"
    )
    spellings = [token, *other_spellings(token)]
    out = subprocess.run(
        ["node", str(script), json.dumps(spellings)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert json.loads(out.stdout) == [300] + ["invalid"] * 16
