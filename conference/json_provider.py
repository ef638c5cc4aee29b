"""The app's one JSON provider: strict JSON in both directions.

Python's ``json`` writes non-finite floats as the bare words ``NaN`` and ``Infinity``,
which are not JSON (RFC 8259) and which strict clients refuse, and reads them back; and it
recurses once per nesting level, so a body of 100,000 ``[`` ends in a RecursionError (a
500). This provider writes non-finite floats as ``null``, refuses ``NaN``/``Infinity`` in
what it reads, and refuses anything nested deeper than ``MAX_DEPTH``. Its refusals are
ValueErrors, as other bad JSON is: ``request.get_json(silent=True)`` gives None for them
and Flask-WTF a 400.
"""

import math

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32  # far deeper than anything the app sends or reads


class JSONBodyError(ValueError):
    """JSON this app does not read; the message says why and is safe to show."""


def _refuse_constant(name: str):
    raise JSONBodyError(f"{name} is not a JSON number: send finite numbers only.")


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects are nested more than ``limit`` levels (without recursing)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


def finite_only(value):
    """The value with every non-finite float (NaN, ±Infinity) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite_only(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_only(item) for item in value]
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's provider (dates, dataclasses, sorted keys), never writing NaN or Infinity and
    refusing them, and deep nesting, in what it reads."""

    max_depth = MAX_DEPTH

    def dumps(self, obj, **kwargs) -> str:
        """JSON text; non-finite floats become null."""
        kwargs["allow_nan"] = False
        try:
            return super().dumps(obj, **kwargs)
        except ValueError:
            # Rare (bad data stored before numbers were checked): walk the value only then.
            default = kwargs.pop("default", self.default)
            kwargs["default"] = lambda o: finite_only(default(o))
            return super().dumps(finite_only(obj), **kwargs)

    def loads(self, s, **kwargs):
        """The value of JSON text; JSONBodyError for NaN, Infinity or deep nesting."""
        kwargs.setdefault("parse_constant", _refuse_constant)
        too_deep_message = f"The JSON is nested more than {self.max_depth} levels deep."
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            # The C scanner recurses per level and stops cleanly at the interpreter's limit.
            raise JSONBodyError(too_deep_message) from None
        if too_deep(value, self.max_depth):
            raise JSONBodyError(too_deep_message)
        return value
