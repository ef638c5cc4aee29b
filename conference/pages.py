"""What every page route shares: the skeleton of a route that changes something.

A route checks its form, calls a service, and then either commits, flashes and redirects,
or rolls back and shows the form again with the service's message (422). Written once:

    form = CategoryForm()
    if form.validate_on_submit():
        with attempt(form, field="name") as done:
            category = save_category(event, ...)
        if done:
            flash(f"The category “{category.name}” is saved.", "success")
            return redirect(url_for(".categories", slug=event.slug))
    return render_form("registration/organiser/categories.html", form, event=event)

Without a form (a button that posts), ``attempt()`` flashes the refusal instead.
"""

from flask import flash, render_template
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField

from conference.errors import ValidationError
from conference.extensions import db


class attempt:  # noqa: N801  (used as a statement: ``with attempt(form) as done``)
    """Run the block as one unit of work: commit when it ends normally; on a
    ValidationError roll back, put the message on the form (on the error's field, else
    ``field``, else the form as a whole) or flash it, and go on after the block.

    The value bound by ``as`` is true once the block has committed. Any other exception
    propagates after a rollback."""

    def __init__(self, form: FlaskForm | None = None, field: str | None = None):
        self.form = form
        self.field = field
        self.succeeded = False
        self.error: ValidationError | None = None

    def __bool__(self) -> bool:
        return self.succeeded

    def __enter__(self) -> "attempt":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None:
            db.session.commit()
            self.succeeded = True
            return False
        db.session.rollback()
        if not isinstance(error, ValidationError):
            return False
        self.error = error
        refuse(self.form, error, self.field)
        return True


def refuse(form: FlaskForm | None, error: ValidationError, field: str | None = None) -> None:
    """Show a service's refusal: under the field it names (or ``field``), as a message of
    the whole form, or flashed when there is no form."""
    if form is None:
        flash(error.message, "danger")
        return
    name = error.field or field
    target = field_named(form, name) if name else None
    if target is not None:
        target.errors = [*target.errors, error.message]  # a tuple until validated
    else:
        form.form_errors = [*form.form_errors, error.message]


def field_named(form, name: str):
    """The form's field of this full name, inside a list of subforms too
    (``criteria-2-name``), or None. A list itself is no field for a message: its errors
    are its rows'."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                found = field_named(entry.form, name) if isinstance(entry, FormField) else None
                if found is not None:
                    return found
        elif field.name == name:
            return field
    return None


def render_form(template: str, form: FlaskForm, **context):
    """The page with its form: 422 when the form holds errors (its own or a service's)."""
    failed = bool(form.errors or form.form_errors)
    return render_template(template, form=form, **context), 422 if failed else 200


def private_page(body, status: int = 200):
    """A page reached by a private link (a delegate's management link): never cached,
    never leaked to another site through Referer, never indexed."""
    headers = {
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
    }
    return body, status, headers


def page_window(page: int, pages: int, around: int = 3) -> list[int | None]:
    """The page numbers a list links to: the first, the last and ``around`` either side of
    ``page``, with None where numbers are left out. Bounded whatever the number of pages
    (100,000 registrations are 2,000 pages)."""
    shown = {1, pages, *range(max(page - around, 1), min(page + around, pages) + 1)}
    window: list[int | None] = []
    for number in sorted(shown):
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window
