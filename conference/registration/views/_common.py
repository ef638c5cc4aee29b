"""What the registration pages share: a registration as form data, and the services'
messages placed beside the fields they are about (spoken to a head of delegation on the
forms where they fill in a member's details)."""

import re

from conference.errors import ValidationError
from conference.extensions import db
from conference.formatting import country_name
from conference.pages import attempt, page_window
from conference.registration.fields import PASSPORT_FIELDS, PERSONAL_FIELDS
from conference.registration.participants import participants_page
from conference.registration.registering import RegistrationInvalid
from conference.registration.search import country_filter

# The services name a field by its data; the forms name some otherwise.
ERROR_FIELDS = {"delegation_id": "delegation_choice"}


_YOUR = re.compile(r"\b([Yy])our\b")


def to_the_head(message: str) -> str:
    """A message written to a delegate about their own details, as a head reads it about a
    member's: "Enter your given name." -> "Enter their given name."."""
    return _YOUR.sub(lambda found: "Their" if found.group(1) == "Y" else "their", message)


def attach_errors(form, errors: dict, *, for_head: bool = False) -> None:
    """Put the services' messages beside the fields they are about; ``for_head``: worded
    for a head filling in a member's details."""
    for name, messages in errors.items():
        if for_head:
            messages = [to_the_head(message) for message in messages]
        field = form._fields.get(ERROR_FIELDS.get(name, name))
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


class attempt_registration(attempt):  # noqa: N801  (a statement, as ``attempt`` is)
    """``conference.pages.attempt`` for the registration forms: a RegistrationInvalid puts
    each of its messages beside its own field instead of one message on the form
    (``for_head``: worded for a head filling in a member's details)."""

    def __init__(self, form=None, field=None, *, for_head: bool = False):
        super().__init__(form, field)
        self.for_head = for_head

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, RegistrationInvalid) and self.form is not None:
            db.session.rollback()
            self.error = error
            attach_errors(self.form, error.errors, for_head=self.for_head)
            return True
        return super().__exit__(kind, error, traceback)


def registration_form_data(registration) -> dict:
    """A registration as form data, to fill in the edit form."""
    fields = (*PERSONAL_FIELDS, "single_name", "list_consent", "visa_requested")
    data = {name: getattr(registration, name) for name in fields}
    if registration.visa is not None:
        for name in PASSPORT_FIELDS:
            data[name] = getattr(registration.visa, name)
    for answer in registration.answers:
        data[f"q{answer.question_id}"] = answer.value
    return data


def participants_context(event, args, page_endpoint: str, **url_values) -> tuple[dict, int]:
    """What the participant list's template needs for this query string (a search, a
    country by name or code, a page), and its status: 422 with the message when the
    country is unknown, listing nobody. ``page_endpoint`` and ``url_values`` make the
    page links."""
    q = (args.get("q") or "").strip()[:100]
    context = {
        "event": event,
        "q": q,
        "country_text": (args.get("country") or "").strip()[:100],
        "error": None,
        "page_endpoint": page_endpoint,
        "url_values": url_values,
    }
    try:
        country = country_filter(args.get("country"))
    except ValidationError as exc:
        context.update(error=exc.message, listing=None, page_links=[])
        return context, 422
    listing = participants_page(event, q=q, country=country, page=args.get("page", 1, type=int))
    context.update(listing=listing, page_links=page_window(listing.page, listing.pages))
    if country:
        context["country_text"] = country_name(country)
    return context, 200
