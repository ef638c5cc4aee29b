"""The project's form bases: every form's text arrives without control characters.

Every form imports ``FlaskForm`` (or ``Form``, for forms nested in a ``FormField``) from
here rather than from flask_wtf or wtforms, so no text field can forget the cleaning:
one-line fields lose every control character (a line break or tab becomes a space),
text areas keep their line breaks and tabs. Passwords are left as typed: they are only
ever hashed, never stored, shown or exported. Files are not text.
"""

from dataclasses import dataclass

import flask_wtf
import wtforms
from wtforms.fields import FieldList, FileField, FormField, PasswordField, TextAreaField

from conference.text import strip_controls


def _cleaned(value, multiline: bool):
    if isinstance(value, str):
        return strip_controls(value, multiline=multiline)
    if isinstance(value, list):  # SelectMultipleField
        return [_cleaned(v, multiline) for v in value]
    return value


def clean_fields(fields) -> None:
    """Strip control characters from the data of these fields, nested forms included."""
    for field in fields:
        if isinstance(field, FormField):
            clean_fields(field.form)
        elif isinstance(field, FieldList):
            clean_fields(field.entries)
        elif not isinstance(field, PasswordField | FileField):
            field.data = _cleaned(field.data, isinstance(field, TextAreaField))


class FlaskForm(flask_wtf.FlaskForm):
    """flask_wtf's form (CSRF, files) whose text is free of control characters."""

    def post_process(self, formdata=None):
        clean_fields(self)
        super().post_process(formdata)


class Form(wtforms.Form):
    """A form nested in another (no CSRF of its own), its text free of control characters."""

    def post_process(self, formdata=None):
        clean_fields(self)
        super().post_process(formdata)


# The error summary at the top of a form (templates/_partials/forms.html) ----------------

# Fields drawn as a group of options: each option has the field's id and its number.
_OPTION_GROUPS = ("RadioField", "SelectMultipleField")


@dataclass(frozen=True)
class ErrorItem:
    """One problem of a submitted form: what it is about, the id of the control that moves
    the person there (None for the form as a whole, or a field nobody sees), the message."""

    label: str
    target: str | None
    message: str


def _field_items(field, prefix: str = "") -> list[ErrorItem]:
    if isinstance(field, FieldList):
        items = []
        for number, entry in enumerate(field.entries, start=1):
            inner = f"{prefix}{field.label.text} {number}"
            if isinstance(entry, FormField):
                for sub in entry.form:
                    items.extend(_field_items(sub, f"{inner}: "))
            else:
                items.extend(_field_items(entry, f"{inner}: ") if entry.errors else [])
        return items
    if isinstance(field, FormField):
        return [item for sub in field.form for item in _field_items(sub, prefix)]
    if not field.errors:
        return []
    if field.type in ("HiddenField", "CSRFTokenField"):
        target = None
    elif field.type in _OPTION_GROUPS:
        target = f"{field.id}-0"
    else:
        target = field.id
    label = f"{prefix}{field.label.text}"
    messages = field.errors if isinstance(field.errors, list | tuple) else [field.errors]
    # A message is text, or a translation made when it is shown (a lazy string: __html__).
    return [
        ErrorItem(label, target, str(m))
        for m in messages
        if isinstance(m, str) or hasattr(m, "__html__")
    ]


def error_items(form) -> list[ErrorItem]:
    """Every problem of a submitted form, in the order of its fields, then the form's own
    messages: what the error summary lists and links."""
    if form is None:
        return []
    items = [item for field in form for item in _field_items(field)]
    items.extend(ErrorItem("", None, str(m)) for m in getattr(form, "form_errors", ()))
    return items
