"""The API's request bodies: JSON objects whose text is free of control characters."""

from flask import request

from conference.text import strip_controls_deep


def json_object() -> dict | None:
    """The request's JSON object, every string in it without control characters; else None.

    The API's text lands in the database (PostgreSQL refuses NUL outright), in exports and
    on badges, as the forms' text does; line breaks and tabs stay for multi-line fields."""
    body = request.get_json(silent=True)
    return strip_controls_deep(body) if isinstance(body, dict) else None
