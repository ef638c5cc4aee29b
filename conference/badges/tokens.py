"""Badge tokens: compact, versioned, Ed25519-signed; verifiable offline with the public key.

A token is base64url (no padding) of::

    version (1 byte) | key id | event id | registration id | reissue counter | signature

the four numbers as unsigned LEB128 varints, the signature Ed25519 (64 bytes) over
``DOMAIN + everything before it``. For the demo event that is 70 bytes, 94 characters: the
signature alone is 86 of them, so no Ed25519 token can be much shorter. Other signed
documents (certificates of attendance) sign the same shape under a domain of their own, so
that no token of one kind is ever read as a token of another. The alphabet (letters,
digits, ``-`` and ``_``) survives keyboard-wedge scanners on any layout. A token is read only
in the spelling it was issued in (:func:`conference.signing.b64decode`): the spare bits of
its last character and stray characters make no second spelling.

Pure functions: no Flask, no database.
"""

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from conference.signing import b64decode, b64encode

VERSION = 1
DOMAIN = b"conference-badge:"
SIGNATURE_BYTES = 64
MAX_TOKEN_CHARS = 200


class TokenError(ValueError):
    """A token that cannot be read; ``reason`` is "invalid" or "wrong_event"."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Claims:
    key_id: int
    event_id: int
    registration_id: int
    reissue: int


def _varint(n: int) -> bytes:
    if n < 0:
        raise ValueError("negative numbers have no varint")
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    for length in range(10):
        if at + length >= len(data):
            raise TokenError("invalid", "This badge code is incomplete.")
        byte = data[at + length]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at + length + 1
    raise TokenError("invalid", "This is not a badge code.")


def sign_token(private_key: Ed25519PrivateKey, claims: Claims, domain: bytes = DOMAIN) -> str:
    """The token for these claims, signed (as a badge's, unless another ``domain`` is given)."""
    body = bytes([VERSION]) + b"".join(
        _varint(n) for n in (claims.key_id, claims.event_id, claims.registration_id, claims.reissue)
    )
    signature = private_key.sign(domain + body)
    return b64encode(body + signature)


def read_claims(token: str) -> tuple[Claims, bytes, bytes]:
    """(claims, signed bytes, signature) of a token, before any signature check."""
    text = (token or "").strip()
    if not text or len(text) > MAX_TOKEN_CHARS:
        raise TokenError("invalid", "This is not a badge code.")
    try:
        raw = b64decode(text)
    except ValueError:
        raise TokenError("invalid", "This is not a badge code.") from None
    if not raw or raw[0] == 0 or raw[0] > 15:
        raise TokenError("invalid", "This is not a badge code.")
    if raw[0] != VERSION:
        raise TokenError(
            "invalid", "This badge comes from a newer version of the system: reload the scanner."
        )
    at = 1
    numbers = []
    for _ in range(4):
        value, at = _read_varint(raw, at)
        numbers.append(value)
    if len(raw) - at < SIGNATURE_BYTES:
        raise TokenError("invalid", "This badge code is incomplete.")
    if len(raw) - at > SIGNATURE_BYTES:
        raise TokenError("invalid", "This is not a badge code.")
    return Claims(*numbers), raw[:at], raw[at:]


def verify_token(token: str, public_keys: dict, event_id: int, domain: bytes = DOMAIN) -> Claims:
    """The claims of a genuine token of this event (a badge's, unless another ``domain``).

    ``public_keys`` maps key id -> (event id, Ed25519PublicKey). Raises TokenError with
    reason "invalid" (garbage, truncated, altered, forged) or "wrong_event".
    """
    claims, body, signature = read_claims(token)
    if claims.event_id != event_id:
        raise TokenError("wrong_event", "This badge is for another event.")
    entry = public_keys.get(claims.key_id)
    if entry is None:
        raise TokenError("invalid", "This badge was not signed by this event's keys.")
    key_event, public_key = entry
    if key_event != event_id:
        raise TokenError("wrong_event", "This badge is for another event.")
    try:
        public_key.verify(signature, domain + body)
    except InvalidSignature:
        raise TokenError("invalid", "This badge code has been altered or forged.") from None
    return claims


def new_private_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def public_key_from_bytes(data: bytes) -> Ed25519PublicKey:
    """The public key from its 32 raw bytes."""
    return Ed25519PublicKey.from_public_bytes(data)
