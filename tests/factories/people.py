"""Accounts and their roles: users, an event's organisers and reviewers, API tokens."""

import itertools

from conference.auth.services import create_api_token, create_user, grant_role
from conference.extensions import db

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(email=None, password=PASSWORD, name="", is_admin=False):
    """A user account with a unique address unless one is given."""
    n = next(_counter)
    user = create_user(
        email or f"user{n}@example.org", password=password, name=name, is_admin=is_admin
    )
    db.session.commit()
    return user


def give_role(event, user, role):
    """``user`` gets ``role`` ("organiser", "reviewer", "checkin", …) on ``event``."""
    grant = grant_role(event, user, role)
    db.session.commit()
    return grant


def organiser_of(event):
    """The organiser who created the event."""
    return event.roles[0].user


def make_organiser(event, name="Olivia Organiser"):
    """A second organiser of the event, with an account of their own."""
    user = make_user(name=name)
    give_role(event, user, "organiser")
    return user


def make_reviewer(event, email=None, name="Ada Reviewer"):
    """A reviewer of the event's papers."""
    user = make_user(email=email, name=name)
    give_role(event, user, "reviewer")
    return user


def bearer(user, name="test"):
    """The Authorization header of a new API token of ``user``."""
    _, plain = create_api_token(user, name)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}
