"""Badges: a registration's badge token."""

from conference.badges.services import badge_token as _badge_token
from conference.extensions import db


def badge_token(registration):
    """The registration's token, committed (the first signing key is made on first use)."""
    token = _badge_token(registration)
    db.session.commit()
    return token
