"""Categories and registrations, through the services; what the form and the API receive."""

import itertools

from conference.extensions import db

_counter = itertools.count(1)


def make_category(event, name=None, **values):
    """A registration category, without a capacity or approval unless given."""
    from conference.registration.settings import save_category

    values.setdefault("capacity", None)
    values.setdefault("requires_approval", False)
    category = save_category(event, None, name=name or f"Category {next(_counter)}", **values)
    db.session.commit()
    return category


def registration_data(category=None, **overrides):
    """What a delegate gives when registering, as the services take it."""
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
    """A registration through the services (``ctx=`` a registering.Context)."""
    from conference.registration.registering import Context, register

    ctx = overrides.pop("ctx", None) or Context()
    registration = register(event, registration_data(category, **overrides), ctx)
    db.session.commit()
    return registration


def delegate(event, category, **overrides):
    """A confirmed registration, without its confirmation e-mail (to keep the outbox clean)."""
    from conference.registration.registering import Context

    return make_registration(event, category, ctx=Context(notify=False), **overrides)


def make_head(event, category, delegation="Phnom Penh Capital", **overrides):
    """A confirmed head of a new delegation, registered without e-mails."""
    values = {
        "given_name": "Sokha",
        "family_name": "Chan",
        "native_name": "ចាន់ សុខា",
        "country": "KH",
        "organisation": "Phnom Penh Capital Administration",
        "position": "Director",
    }
    values.update(overrides)
    return delegate(event, category, new_delegation_name=delegation, **values)


def make_invited_head(event, category, delegation="Phnom Penh Capital", **overrides):
    """A confirmed head of a new delegation in an invitation-only category (a Speaker, a
    VIP), registered with the category's code, without e-mails."""
    from conference.registration.registering import Context

    values = {
        "given_name": "Sokha",
        "family_name": "Chan",
        "country": "KH",
        "organisation": "Phnom Penh Capital Administration",
        "new_delegation_name": delegation,
    }
    values.update(overrides)
    ctx = Context(notify=False, invitation_code=category.invitation_code)
    return make_registration(event, category, ctx=ctx, **values)


def make_member(head, **overrides):
    """A member their head registers (without an address unless given one)."""
    from conference.registration.delegations import add_member

    values = {"email": "", "native_name": "", "country": "KH"}
    values.update(overrides)
    member = add_member(head, registration_data(None, **values))
    db.session.commit()
    return member


def passport(name="SOKHA CHAN", number="N01234567", nationality="KH"):
    """Valid passport details, for a visa letter."""
    from datetime import date, timedelta

    from conference.registration.validation import PassportData

    expiry = date.today() + timedelta(days=3 * 365)
    return PassportData(name, number, nationality, date(1980, 5, 17), expiry)


def registration_form(category, **overrides):
    """The registration form's fields as a browser posts them."""
    data = {
        "category_id": str(category.id),
        "title": "Mr",
        "given_name": "Trung Chiến",
        "family_name": "Hà",
        "native_name": "Hà Trung Chiến",
        "email": "chien@sonla.example",
        "phone": "+84 912 345 678",
        "country": "VN",
        "organisation": "Son La City People's Committee",
        "position": "Secretary",
        "delegation_choice": "none",
        "privacy_accepted": "y",
    }
    data.update(overrides)
    return data


def registration_json(category, **overrides):
    """A registration as a client posts it to the API."""
    data = {
        "category_id": category.id,
        "given_name": "Xiaoming",
        "family_name": "Wang",
        "native_name": "王晓明",
        "email": "wang.xiaoming@nanjing.example",
        "phone": "+86 139 1234 5678",
        "country": "CN",
        "organisation": "Nanjing Municipal Education Bureau",
        "privacy_accepted": True,
        "answers": {},
    }
    data.update(overrides)
    return data


def bulk_registrations(
    event, category, count: int, status: str = "confirmed", first: int = 0
) -> list[int]:
    """``count`` confirmed registrations inserted in one statement (no e-mails, no places
    counted): for tests of bulk operations above PostgreSQL's 65,535 parameters. The ids
    of the event's registrations. Numbered from ``first`` (names, addresses)."""
    from sqlalchemy import insert, select

    from conference.dbtypes import utcnow
    from conference.registration.models import Registration

    now = utcnow()
    db.session.execute(
        insert(Registration),
        [
            {
                "event_id": event.id,
                "category_id": category.id,
                "status": status,
                "given_name": f"Delegate{n}",
                "family_name": f"Bulk{n:06d}",
                "email": f"bulk{n}@example.org",
                "country": "TH",
                "organisation": "Bulk",
                "privacy_accepted_at": now,
                "manage_nonce": f"{n:032x}",
            }
            for n in range(first, first + count)
        ],
    )
    db.session.commit()
    query = select(Registration.id).where(Registration.event_id == event.id)
    return list(db.session.scalars(query.order_by(Registration.id)))


def bulk_answers(question, registration_ids, value) -> None:
    """An answer to ``question`` for each registration, inserted in one statement;
    ``value(registration_id)`` gives each answer (or one value for all)."""
    from sqlalchemy import insert

    from conference.registration.models import Answer

    value_of = value if callable(value) else (lambda _id: value)
    db.session.execute(
        insert(Answer),
        [
            {"registration_id": rid, "question_id": question.id, "value": value_of(rid)}
            for rid in registration_ids
        ],
    )
    db.session.commit()
