"""The project's form bases: every form's text arrives without control characters.

Every form imports ``FlaskForm`` (or ``Form``, for forms nested in a ``FormField``) from
here rather than from flask_wtf or wtforms, so no text field can forget the cleaning:
one-line fields lose every control character (a line break or tab becomes a space),
text areas keep their line breaks and tabs. Passwords are left as typed: they are only
ever hashed, never stored, shown or exported. Files are not text.
"""

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
