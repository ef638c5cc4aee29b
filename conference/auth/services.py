"""Accounts, passwords, signed-in sessions, per-event permissions and API tokens."""

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from conference import signing
from conference.auth.models import ROLES, ApiToken, EventRole, User, UserSession
from conference.dbtypes import utcnow
from conference.errors import PermissionDenied, ValidationError
from conference.extensions import db

TOKEN_PREFIX = "cft_"  # noqa: S105  (a public marker, not a secret)


@functools.cache
def _dummy_hash() -> str:
    """A real hash to compare against when the e-mail is unknown, so timing does not tell."""
    return generate_password_hash(secrets.token_hex(16))


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively: we keep them in lower case."""
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The user with this e-mail address, in any letter case."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or all one character."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(f"Use at least {minimum} characters.", field="password")
    if len(password) > 256:
        raise ValidationError("Use at most 256 characters.", field="password")
    if len(set(password)) < 4:
        raise ValidationError("Use a less repetitive password.", field="password")


def set_password(user: User, password: str) -> None:
    """Hash and store a new password (scrypt, salted); other sessions are signed out."""
    check_password_strength(password)
    user.password_hash = generate_password_hash(password)


def create_user(email: str, password: str | None = None, name: str = "", is_admin=False) -> User:
    """A new account; the e-mail must not be taken in any letter case."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise ValidationError("Enter a valid e-mail address.", field="email")
    if find_user(email):
        raise ValidationError("An account with this e-mail address exists already.", field="email")
    user = User(email=email, name=name.strip(), is_admin=is_admin)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost either way)."""
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def _session_lifetime() -> timedelta:
    """The longest a signed-in session lasts: as long as a remember-me cookie does."""
    longest = current_app.config.get("REMEMBER_COOKIE_DURATION") or timedelta(days=365)
    return longest if isinstance(longest, timedelta) else timedelta(seconds=int(longest))


def start_session(user: User) -> UserSession:
    """A new signed-in session for the user (call before ``login_user``, whose cookie then
    carries its id); the user's sessions that ended or expired long ago are cleared."""
    longest = _session_lifetime()
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.revoked_at.is_not(None), UserSession.created_at < utcnow() - longest),
        )
    )
    session = UserSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(session)
    db.session.flush()
    user.session_id = session.id
    return session


def end_session(session_id: str) -> None:
    """Revoke a signed-in session: its cookies, and any copy of them, stop working."""
    if session_id:
        session = db.session.get(UserSession, session_id)
        if session is not None and session.revoked_at is None:
            session.revoked_at = utcnow()


def load_user_from_session(user_id: str) -> User | None:
    """Flask-Login's loader: the id names a session that must still be open, and carries a
    stamp that a password change invalidates."""
    raw_id, _, rest = user_id.partition(":")
    stamp, _, session_id = rest.partition(":")
    if not raw_id.isdigit() or not session_id:
        return None
    longest = _session_lifetime()
    user = db.session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == int(raw_id),
            UserSession.id == session_id,
            UserSession.revoked_at.is_(None),
            UserSession.created_at >= utcnow() - longest,
        )
    )
    if user is None or not hmac.compare_digest(user.session_stamp, stamp):
        return None
    user.session_id = session_id
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return signing.timed_serializer(current_app.config["SECRET_KEY"], salt="password-reset")


def password_reset_token(user: User, purpose: str = "reset") -> str:
    """A signed token bound to the current password, so it works once.

    ``purpose`` is "reset" (valid PASSWORD_RESET_MAX_AGE) or "invite" (a new account
    choosing its first password; valid INVITATION_MAX_AGE).
    """
    return _reset_serializer().dumps({"uid": user.id, "stamp": user.session_stamp, "p": purpose})


def send_password_reset(email: str) -> None:
    """E-mail a reset link to the account using this address, if there is an active one;
    nothing otherwise (the caller answers the same either way)."""
    from conference.mail.services import queue_templated_mail
    from conference.web import external_url

    user = find_user(email)
    if user is None or not user.active:
        return
    link = external_url("auth.reset", token=password_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_templated_mail(
        user.email, "Reset your password", "password_reset", link=link, minutes=minutes
    )


def user_from_reset_token(token: str) -> User:
    """The user a reset token was made for; raises ValidationError when it is no good."""
    config = current_app.config
    longest = max(config["PASSWORD_RESET_MAX_AGE"], config["INVITATION_MAX_AGE"])
    expired = ValidationError("This link has expired. Ask for a new one.")
    try:
        data, signed_at = _reset_serializer().loads(token, max_age=longest, return_timestamp=True)
    except SignatureExpired:
        raise expired from None
    except BadSignature:
        raise ValidationError("This link is not valid. Ask for a new one.") from None
    if not isinstance(data, dict):
        raise ValidationError("This link is not valid. Ask for a new one.")
    invite = data.get("p") == "invite"
    max_age = config["INVITATION_MAX_AGE" if invite else "PASSWORD_RESET_MAX_AGE"]
    if (utcnow() - signed_at).total_seconds() > max_age:
        raise expired
    user = db.session.get(User, data.get("uid"))
    if user is None or not hmac.compare_digest(user.session_stamp, str(data.get("stamp"))):
        raise ValidationError("This link has been used already. Ask for a new one.")
    return user


# Per-event roles -------------------------------------------------------------------


def has_event_role(user, event, *roles: str) -> bool:
    """True if the user holds one of the roles at this event (site admins hold them all)."""
    return not roles_of(user, event).isdisjoint(roles)


def require_event_role(user, event, *roles: str) -> None:
    """Raise PermissionDenied unless the user holds one of the roles at the event."""
    if not has_event_role(user, event, *roles):
        names = " or ".join(roles)
        raise PermissionDenied(f"You need the {names} role for {event.title}.")


def roles_of(user, event) -> set[str]:
    """The roles a user holds at an event (all of them for a site admin)."""
    if user is None or not user.is_authenticated:
        return set()
    if user.is_admin:
        return set(ROLES)
    return set(
        db.session.scalars(
            select(EventRole.role).where(
                EventRole.event_id == event.id, EventRole.user_id == user.id
            )
        )
    )


def events_with_roles(user) -> list[tuple]:
    """(event, sorted role names) for every event where the user holds a role."""
    from conference.events.models import Event

    rows = db.session.execute(
        select(Event, EventRole.role)
        .join(EventRole, EventRole.event_id == Event.id)
        .where(EventRole.user_id == user.id)
        .order_by(Event.start_date.desc(), Event.id, EventRole.role)
    )
    grouped: dict = {}
    for event, role in rows:
        grouped.setdefault(event, []).append(role)
    return list(grouped.items())


def event_ids_with_role(user, *roles: str) -> set[int]:
    """The ids of the events where the user holds one of the roles (a site admin: every
    event); none for someone signed out."""
    from conference.events.models import Event

    if user is None or not user.is_authenticated:
        return set()
    if user.is_admin:
        return set(db.session.scalars(select(Event.id)))
    return set(
        db.session.scalars(
            select(EventRole.event_id).where(
                EventRole.user_id == user.id, EventRole.role.in_(roles)
            )
        )
    )


def landing_page(user) -> tuple[str, str] | None:
    """Where an account lands after signing in, as (endpoint, event slug): the organiser of
    one event on its dashboard; check-in staff with no other role, at one event, on its
    scanner. None for everyone else (an organiser of several events, a reviewer, a site
    admin), who land on the events list, where each event they run links its dashboard."""
    from conference.events.models import Event

    if user.is_admin:
        return None
    held: dict[str, set[str]] = {}
    for role, slug in db.session.execute(
        select(EventRole.role, Event.slug)
        .join(Event, Event.id == EventRole.event_id)
        .where(EventRole.user_id == user.id)
    ):
        held.setdefault(role, set()).add(slug)
    organised = held.get("organiser", set())
    if organised:
        return ("events.dashboard", next(iter(organised))) if len(organised) == 1 else None
    staff = held.get("checkin", set())
    if len(staff) == 1 and set(held) == {"checkin"}:
        return "checkin.scanner", next(iter(staff))
    return None


def can_create_events(user) -> bool:
    """Site admins, and anyone who organises an event already, may create events."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(EventRole.id).where(EventRole.user_id == user.id, EventRole.role == "organiser")
        )
        is not None
    )


def grant_role(event, user: User, role: str) -> EventRole:
    """Give a user a role at an event; granting a role held already changes nothing."""
    if role not in ROLES:
        raise ValidationError(f"Unknown role {role!r}.", field="role")
    existing = db.session.scalar(
        select(EventRole).where(
            EventRole.event_id == event.id, EventRole.user_id == user.id, EventRole.role == role
        )
    )
    if existing:
        return existing
    grant = EventRole(event=event, user=user, role=role)
    db.session.add(grant)
    db.session.flush()
    return grant


def revoke_role(event, grant_id: int) -> EventRole:
    """Take a role away; an event never loses its last organiser."""
    grant = db.session.get(EventRole, grant_id)
    if grant is None or grant.event_id != event.id:
        raise ValidationError("That role assignment does not exist.")
    if grant.role == "organiser":
        organisers = db.session.scalar(
            select(func.count(EventRole.id)).where(
                EventRole.event_id == event.id, EventRole.role == "organiser"
            )
        )
        if organisers <= 1:
            raise ValidationError("An event needs at least one organiser.")
    db.session.delete(grant)
    db.session.flush()
    return grant


# API tokens ------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token; the plain text is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("Give the token a name, so you recognise it later.", field="name")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], token_hash=_hash_token(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    return token, plain


def user_for_api_token(plain: str) -> User | None:
    """The active user behind an active token, or None."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _hash_token(plain))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.is_active or not token.user.active:
        return None
    now = utcnow()
    # Recorded to the minute: a scanner's hundreds of calls a second need no write each.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise ValidationError("That token does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token
