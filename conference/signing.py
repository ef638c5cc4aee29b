"""Signed tokens in one spelling only: the one the site issued.

Unpadded base64 leaves spare bits in its last character, and Python's decoder skips
characters outside the alphabet, so a token could be written several ways that decode to
the same bytes. Anything counted or remembered by its token (a rate limit, a replay guard,
a log) would then see several tokens. Every token the site issues is made here, and read
back here only in the spelling it was issued in: decoded, encoded again, compared.

The itsdangerous serializers (management links, e-mail proofs, password resets) sign their
payload as written, so only the signature's spelling is free; the canonical signers below
refuse any other. Badge tokens (Ed25519, :mod:`conference.badges.tokens`) use
:func:`b64decode`. No Flask here: the secret key is an argument.
"""

import base64
import binascii
import re

from itsdangerous import BadSignature, Signer, TimestampSigner, URLSafeSerializer
from itsdangerous import URLSafeTimedSerializer as _URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, want_bytes

__all__ = ["BadSignature", "b64decode", "b64encode", "serializer", "timed_serializer"]

UNPADDED_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64encode(data: bytes) -> str:
    """Unpadded base64url text of the bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """The bytes of unpadded base64url text in its canonical spelling; ValueError for any
    other (stray characters, padding, spare bits set)."""
    if not isinstance(text, str) or not UNPADDED_BASE64URL.fullmatch(text):
        raise ValueError("not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    if b64encode(data) != text:
        raise ValueError("not the canonical spelling")
    return data


class _Canonical:
    """A signer that accepts a signature only in the spelling it makes."""

    def verify_signature(self, value: str | bytes, sig: str | bytes) -> bool:
        sig = want_bytes(sig)
        try:
            if base64_encode(base64_decode(sig)) != sig:
                return False
        except Exception:  # itsdangerous' own check treats any decoding failure as "no"
            return False
        return super().verify_signature(value, sig)


class CanonicalSigner(_Canonical, Signer):
    """itsdangerous' Signer, refusing signatures in any but their issued spelling."""


class CanonicalTimestampSigner(_Canonical, TimestampSigner):
    """itsdangerous' TimestampSigner, refusing signatures in any but their issued spelling."""


def serializer(secret_key: str | bytes, salt: str) -> URLSafeSerializer:
    """A URL-safe serializer whose tokens are accepted in their issued spelling only."""
    return URLSafeSerializer(secret_key, salt=salt, signer=CanonicalSigner)


def timed_serializer(secret_key: str | bytes, salt: str) -> _URLSafeTimedSerializer:
    """A URL-safe serializer with a timestamp (``loads(max_age=...)``), canonical only."""
    return _URLSafeTimedSerializer(secret_key, salt=salt, signer=CanonicalTimestampSigner)
