"""How the editor's services find an event's rows and tidy what organisers type for them.

Ids come from outside (forms, JSON bodies, URLs): anything that cannot be an id finds
nothing, and a row of another event is as good as none.
"""

from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.ids import is_id


def get_by_id(model, row_id):
    """The row of ``model`` with this id, or None (also for a value that cannot be an id:
    10**20, a float, a bool, a string)."""
    return db.session.get(model, row_id) if is_id(row_id) else None


def of_event(event, row):
    """``row`` if it belongs to ``event``, else None."""
    return row if row is not None and row.event_id == event.id else None


def found(row, what: str):
    """``row``, or NotFound naming ``what`` ("room") when the event has no such row."""
    if row is None:
        raise NotFound(f"There is no such {what} in this event.")
    return row


def one_line(text: str | None) -> str:
    """A name or title as one line: runs of white space become one space, none at the ends."""
    return " ".join((text or "").split())


def required_line(text: str | None, what: str, part: str = "title", most: int = 300) -> str:
    """A title (or a name: ``part``) as one line; refused when empty or longer than ``most``
    characters, on the form field named ``part``."""
    value = one_line(text)
    if not value:
        raise ValidationError(f"Give the {what} a {part}.", field=part)
    if len(value) > most:
        raise ValidationError(f"The {part} can be at most {most} characters.", field=part)
    return value
