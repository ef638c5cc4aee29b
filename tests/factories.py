"""Test data through the services, committed so that requests see it."""

import itertools
from datetime import date, timedelta

from conference.auth.services import create_user, grant_role
from conference.events.services import EventDetails, create_event
from conference.extensions import db

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_user(email=None, password=PASSWORD, name="", is_admin=False):
    n = next(_counter)
    user = create_user(
        email or f"user{n}@example.org", password=password, name=name, is_admin=is_admin
    )
    db.session.commit()
    return user


def event_details(**overrides) -> EventDetails:
    n = next(_counter)
    start = date.today() + timedelta(days=30)
    values = {
        "title": f"Learning Cities Forum {n}",
        "slug": f"forum-{n}",
        "country": "TH",
        "timezone": "Asia/Bangkok",
        "start_date": start,
        "end_date": start + timedelta(days=1),
        "city": "Bangkok",
    }
    values.update(overrides)
    return EventDetails(**values)


def make_event(organiser=None, **overrides):
    organiser = organiser or make_user()
    event = create_event(event_details(**overrides), organiser)
    db.session.commit()
    return event


def give_role(event, user, role):
    grant = grant_role(event, user, role)
    db.session.commit()
    return grant


def make_category(event, name=None, **values):
    from conference.registration.settings import save_category

    values.setdefault("capacity", None)
    values.setdefault("requires_approval", False)
    category = save_category(event, None, name=name or f"Category {next(_counter)}", **values)
    db.session.commit()
    return category


def registration_data(category=None, **overrides):
    from conference.registration.validation import RegistrationData

    n = next(_counter)
    values = {
        "category_id": category.id if category is not None else None,
        "title": "Mr",
        "given_name": "Trung Chiến",
        "family_name": "Hà",
        "native_name": "Hà Trung Chiến",
        "email": f"delegate{n}@sonla.example",
        "phone": "+84 912 345 678",
        "country": "VN",
        "organisation": "Son La City People's Committee",
        "position": "Secretary",
        "privacy_accepted": True,
    }
    values.update(overrides)
    return RegistrationData(**values)


def make_registration(event, category, **overrides):
    from conference.registration.registering import Context, register

    ctx = overrides.pop("ctx", None) or Context()
    registration = register(event, registration_data(category, **overrides), ctx)
    db.session.commit()
    return registration
