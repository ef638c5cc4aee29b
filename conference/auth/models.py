"""Accounts, their signed-in sessions, per-event roles and API tokens."""

from datetime import datetime
from hashlib import sha256

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.dbtypes import UTCDateTime, one_of, utcnow
from conference.extensions import db
from conference.languages import CODES as LANGUAGE_CODES

ROLES = ("organiser", "reviewer", "checkin")
ROLE_LABELS = {"organiser": "Organiser", "reviewer": "Reviewer", "checkin": "Check-in staff"}


class User(UserMixin, db.Model):
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        one_of("language", LANGUAGE_CODES, name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language chosen with the switcher while signed in (None: never chosen, and the
    # browser's is used); conference/i18n.py.
    language: Mapped[str | None] = mapped_column(String(8))

    roles: Mapped[list["EventRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    api_tokens: Mapped[list["ApiToken"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The signed-in session (UserSession.id) this object was loaded for or signs in with;
    # not a column. ``auth.services.start_session`` and the session loader set it.
    session_id = ""

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def session_stamp(self) -> str:
        """Changes with the password, so a reset signs out every other session."""
        return sha256((self.password_hash or "").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """What the session cookie carries: the account, its password stamp, the session."""
        return f"{self.id}:{self.session_stamp}:{self.session_id}"

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(db.Model):
    """A browser signed in to an account. Its random id travels in the (signed) session and
    remember-me cookies; signing out revokes it here, so a copy of the cookie is useless."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EventRole(db.Model):
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "role"),
        CheckConstraint("role IN ('organiser', 'reviewer', 'checkin')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    event: Mapped["Event"] = relationship(back_populates="roles")  # noqa: F821

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.role]


class ApiToken(db.Model):
    """A personal bearer token; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
