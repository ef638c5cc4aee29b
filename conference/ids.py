"""Ids from forms, JSON bodies and URLs: whole numbers that the database's integer holds.

Anything else (a bool, a float, 10**20, "1.5") is refused before it reaches a query, where it
would be silently cut (1.7 -> 1, true -> 1) or crash the request (OverflowError on SQLite,
DataError on PostgreSQL).
"""

from conference.errors import ValidationError

MAX_ID = 2**31 - 1  # the database's integer: no larger id exists


def is_id(value) -> bool:
    """Whether ``value`` is an int (not a bool) that can be a row's id."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def whole_number(value, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """``value`` (an int, not a bool, or a string of ASCII digits) as an int from ``minimum``
    to ``maximum``; ValueError for anything else. Select fields use it as their coerce."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
        return value
    raise ValueError(f"{value!r} is not a whole number from {minimum} to {maximum}")


def id_or_none(value) -> int | None:
    """An id from a form or an address if it is one; None for anything else (empty, text,
    "²", 10**20), for callers that treat a bad id as none chosen."""
    try:
        return whole_number(value)
    except ValueError:
        return None


def read_id(value, field: str, what: str) -> int | None:
    """An id as a form or a JSON body gives it: None when empty, else a whole number from 1
    to MAX_ID; anything else is refused naming ``what`` ("The room")."""
    if value is None or value == "":
        return None
    try:
        return whole_number(value)
    except ValueError:
        raise ValidationError(
            f"{what} must be a whole number from 1 to {MAX_ID}.", field=field
        ) from None


# Ids per IN list: well under PostgreSQL's 65,535 bound parameters per statement (and
# SQLite's 32,766), so that a bulk operation on any number of rows is a few statements.
IN_LIST_SIZE = 5_000


def in_chunks(ids, size: int = IN_LIST_SIZE):
    """``ids`` as lists of at most ``size``, for ``column.in_(chunk)`` one chunk at a time."""
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
