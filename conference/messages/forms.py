"""The compose form. Fields only: the filter's choices come from the view, the rules from
services.py (``read_draft``) and placeholders.py."""

from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length
from wtforms.validators import ValidationError as WTFormsValidationError

from conference.forms import FlaskForm
from conference.messages.models import KIND_LABELS, MessageKind
from conference.messages.placeholders import problems
from conference.messages.services import BODY_MAX, SUBJECT_MAX

KIND_CHOICES = [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
KIND_HELP = {
    MessageKind.REGISTRATION: "Practical information (the venue, transport, their badge): "
    "goes to everyone selected who has an e-mail address.",
    MessageKind.NEWS: "Anything not about their own registration (a newsletter, another "
    "event): goes only to those who agreed to be in the participant list.",
}
# The filter's fields, named as the audience reads them.
FILTER_FIELDS = ("status", "category_id", "country", "delegation_id", "session_id", "arrived")


def _placeholders_known(form, field) -> None:
    found = problems(field.data or "")
    if found:
        raise WTFormsValidationError(" ".join(found))


def _select(label: str, **kwargs) -> SelectField:
    # The service checks the value (one of this event's), naming the field.
    return SelectField(label, choices=[], validate_choice=False, **kwargs)


class MessageForm(FlaskForm):
    kind = RadioField(
        "What is it about?",
        choices=KIND_CHOICES,
        default=MessageKind.REGISTRATION.value,
        validate_choice=False,
    )
    subject = StringField(
        "Subject",
        validators=[
            InputRequired("Write a subject."),
            Length(max=SUBJECT_MAX),
            _placeholders_known,
        ],
        render_kw={"maxlength": SUBJECT_MAX},
    )
    body = TextAreaField(
        "Message",
        validators=[InputRequired("Write the message."), Length(max=BODY_MAX), _placeholders_known],
        render_kw={"rows": 12, "maxlength": BODY_MAX},
    )
    status = _select("Status", default="confirmed")
    category_id = _select("Category")
    country = _select("Country")
    delegation_id = _select("Delegation")
    session_id = _select("Signed up for the session")
    arrived = _select("Arrived")
    preview_id = _select("Preview for")
    preview_search = StringField(
        "Find someone to preview for", render_kw={"maxlength": 100, "type": "search"}
    )
    # What the preview showed (the draft's fingerprint) and how many it counted: sending
    # checks both still hold.
    previewed = HiddenField()
    expected = HiddenField()

    def filters(self) -> dict:
        """The filter's values as typed, for ``read_audience``."""
        return {name: self[name].data for name in FILTER_FIELDS}


def as_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as a select's choices, each value a string."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def build_message_form(choices, **kwargs) -> MessageForm:
    """The compose form with this event's filter choices (a FilterChoices)."""
    form = MessageForm(**kwargs)
    form.status.choices = as_choices(choices.statuses)
    form.category_id.choices = as_choices(choices.categories)
    form.country.choices = as_choices(choices.countries)
    form.delegation_id.choices = as_choices(choices.delegations)
    form.session_id.choices = as_choices(choices.sessions)
    form.arrived.choices = as_choices(choices.arrived)
    return form
