"""Known devices: a browser that signed in to an account keeps a signed cookie saying so.

An account's sign-in limit is there against guessing, and anyone can fill it by guessing; a
browser holding this cookie is counted on a budget of its own instead, so an attacker
filling the account's limit never locks its owner out of the devices they use. No Flask
here: the secret key comes in, cookie values go out.
"""

import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "known_device"
_SALT = "known-device"


def _account(secret_key: str, email: str) -> str:
    """A keyed digest of the normalised address: the cookie does not show the address."""
    digest = hmac.new(secret_key.encode(), email.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def device_cookie(secret_key: str, email: str, device_id: str | None = None) -> tuple[str, str]:
    """The cookie value marking this browser as known for the account, and the device's id
    (a new one unless given: a device keeps its id, and its budget, across sign-ins)."""
    device_id = device_id or secrets.token_urlsafe(16)
    value = URLSafeTimedSerializer(secret_key, salt=_SALT).dumps(
        {"a": _account(secret_key, email), "d": device_id}
    )
    return value, device_id


def known_device(secret_key: str, cookie: str | None, email: str, max_age: int) -> str | None:
    """The device's id when the cookie is genuine, recent enough and for this account."""
    if not cookie or not email or len(cookie) > 500:
        return None
    try:
        data = URLSafeTimedSerializer(secret_key, salt=_SALT).loads(cookie, max_age=max_age)
    except BadSignature:  # also an expired one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    if not hmac.compare_digest(str(data.get("a")), _account(secret_key, email)):
        return None
    return data["d"]
