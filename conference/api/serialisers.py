"""Every JSON shape the API answers with, beside the OpenAPI document that describes them."""

from conference.registration.fields import IN_API


def _iso(moment):
    return moment.isoformat() if moment else None


def event_json(event) -> dict:
    """The public description of an event."""
    return {
        "slug": event.slug,
        "title": event.title,
        "venue": event.venue,
        "city": event.city,
        "country": event.country,
        "timezone": event.timezone,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "description": event.description,
        "registration_opens_at": _iso(event.registration_opens_at),
        "registration_closes_at": _iso(event.registration_closes_at),
        "registration_open": event.registration_is_open(),
    }


def category_json(category) -> dict:
    """A category as delegates choose it."""
    return {
        "id": category.id,
        "name": category.name,
        "description": category.description,
        "capacity": category.capacity,
        "places_left": category.places_left,
        "requires_approval": category.requires_approval,
        "open": category.is_open(),
        "badge_colour": category.badge_colour,
    }


def question_json(question) -> dict:
    """One of the event's own questions."""
    return {
        "id": question.id,
        "label": question.label,
        "help_text": question.help_text,
        "type": question.type,
        "required": question.required,
        "choices": question.choices,
    }


# Values the API works out; every other key of IN_API is the registration's attribute.
MADE_VALUES = {
    "category": lambda r: {"id": r.category_id, "name": r.category.name},
    "single_name": lambda r: r.single_name,
    "full_name": lambda r: r.full_name,
    "badge_name": lambda r: r.name_on_badge,
    "delegation": lambda r: (
        {"id": r.delegation_id, "name": r.delegation.name, "is_head": r.is_head}
        if r.delegation
        else None
    ),
    "answers": lambda r: {str(a.question_id): a.value for a in r.answers},
    "email_verified": lambda r: r.email_verified_at is not None,
    "created_at": lambda r: r.created_at.isoformat(),
    "updated_at": lambda r: r.updated_at.isoformat(),
}


def registration_json(r) -> dict:
    """One registration as organisers (and the delegate who made it) see it."""
    return {
        field.name: MADE_VALUES[field.name](r)
        if field.name in MADE_VALUES
        else getattr(r, field.name)
        for field in IN_API
    }


def user_json(user) -> dict:
    """The caller: who they are and their roles per event."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "is_admin": user.is_admin,
        "roles": [
            {"event": grant.event.slug, "role": grant.role}
            for grant in sorted(user.roles, key=lambda r: (r.event.slug, r.role))
        ],
    }
