"""Who is calling the API: a bearer token, or the browser's own session with CSRF."""

from functools import wraps

from flask import g, request
from flask_login import current_user

from conference.auth.services import user_for_api_token
from conference.errors import ConferenceError
from conference.extensions import csrf, db


class Unauthorized(ConferenceError):
    status_code = 401


def current_api_user():
    """The user behind this request, or None; raises Unauthorized for a bad token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        user = user_for_api_token(token.strip())
        if user is None:
            raise Unauthorized("The token is unknown or revoked.")
        if db.session.dirty:
            db.session.commit()  # last_used_at, at most once a minute
        return user
    if current_user.is_authenticated:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            csrf.protect()
        return current_user._get_current_object()
    return None


def api_login_required(view):
    """Require a bearer token or a signed-in browser session; sets ``g.api_user``."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        user = current_api_user()
        if user is None:
            raise Unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
