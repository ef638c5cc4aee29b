"""The API's request bodies: JSON objects whose text is free of control characters."""

import json

from flask import current_app, request

from conference.json_provider import JSONBodyError
from conference.text import strip_controls_deep

SEND_AN_OBJECT = "Send a JSON object (Content-Type: application/json)."


def read_json_object() -> tuple[dict | None, str | None]:
    """The request's JSON object, every string in it without control characters; or None
    and why it is refused (for a 400).

    The API's text lands in the database (PostgreSQL refuses NUL outright), in exports and
    on badges, as the forms' text does; line breaks and tabs stay for multi-line fields."""
    if not request.is_json:
        return None, SEND_AN_OBJECT
    try:
        body = current_app.json.loads(request.get_data(cache=True))
    except JSONBodyError as exc:
        return None, str(exc)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return None, f"This is not valid JSON ({exc.msg}, {where}). {SEND_AN_OBJECT}"
    except ValueError:
        return None, f"This is not valid JSON. {SEND_AN_OBJECT}"
    if not isinstance(body, dict):
        return None, SEND_AN_OBJECT
    return strip_controls_deep(body), None


def json_object() -> dict | None:
    """The request's JSON object, cleaned as above; None when there is none."""
    return read_json_object()[0]
