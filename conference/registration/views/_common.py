"""What the registration pages share: a registration as form data, and the services'
messages placed beside the fields they are about."""

from conference.extensions import db
from conference.pages import attempt
from conference.registration.fields import PASSPORT_FIELDS, PERSONAL_FIELDS
from conference.registration.registering import RegistrationInvalid

# The services name a field by its data; the forms name some otherwise.
ERROR_FIELDS = {"delegation_id": "delegation_choice"}


def attach_errors(form, errors: dict) -> None:
    """Put the services' messages beside the fields they are about."""
    for name, messages in errors.items():
        field = form._fields.get(ERROR_FIELDS.get(name, name))
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


class attempt_registration(attempt):  # noqa: N801  (a statement, as ``attempt`` is)
    """``conference.pages.attempt`` for the registration forms: a RegistrationInvalid puts
    each of its messages beside its own field instead of one message on the form."""

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, RegistrationInvalid) and self.form is not None:
            db.session.rollback()
            self.error = error
            attach_errors(self.form, error.errors)
            return True
        return super().__exit__(kind, error, traceback)


def registration_form_data(registration) -> dict:
    """A registration as form data, to fill in the edit form."""
    fields = (*PERSONAL_FIELDS, "list_consent", "visa_requested")
    data = {name: getattr(registration, name) for name in fields}
    if registration.visa is not None:
        for name in PASSPORT_FIELDS:
            data[name] = getattr(registration.visa, name)
    for answer in registration.answers:
        data[f"q{answer.question_id}"] = answer.value
    return data
