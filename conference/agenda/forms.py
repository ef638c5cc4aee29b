"""Agenda editor forms. Fields only: the rules live in rooms.py, sessions.py and talks.py."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, Regexp

from conference.agenda.kinds import SESSION_KINDS
from conference.forms import FlaskForm
from conference.ids import whole_number


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _id_or_none(value):
    """Select values: "" means none, anything else an id (a ValueError if it cannot be one,
    which the field reports with its ``invalid_value_message``)."""
    if value in ("", None, "None"):
        return None
    return whole_number(value)


class RoomForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=100)])
    capacity = IntegerField(
        "Capacity",
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description="Seats. Empty: no limit.",
    )
    notes = TextAreaField(
        "Notes",
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
        description="For the team, e.g. “interpretation booth, step-free access”.",
    )
    position = IntegerField(
        "Order on the grid",
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1000)],
        description="Rooms are shown left to right from the lowest number.",
    )


class TrackForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=100)])
    colour = StringField(
        "Colour",
        default="#1f4e79",
        validators=[InputRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message="Use #rrggbb.")],
        render_kw={"type": "color"},
    )


class SessionForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k, label) for k, label in SESSION_KINDS.items()],
        validate_choice=False,
    )
    title = StringField("Title", validators=[InputRequired(), Length(max=300)])
    description = TextAreaField("Description", validators=[Length(max=5000)], render_kw={"rows": 3})
    room_id = SelectField(
        "Room",
        coerce=_id_or_none,
        validate_choice=False,
        invalid_value_message="Choose a room from the list.",
    )
    track_id = SelectField(
        "Track",
        coerce=_id_or_none,
        validate_choice=False,
        invalid_value_message="Choose a track from the list.",
    )
    day = SelectField("Day", validate_choice=False)
    starts = TimeField("Starts", validators=[InputRequired()], render_kw={"step": 300})
    ends = TimeField("Ends", validators=[InputRequired()], render_kw={"step": 300})
    capacity = IntegerField(
        "Capacity",
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description="Empty: the room's capacity.",
    )
    chair_ids = SelectMultipleField(
        "Chairs",
        coerce=whole_number,
        validate_choice=False,
        invalid_value_message="Choose the chairs from the list.",
        render_kw={"size": 8, "data-filter-label": "Find a chair"},
        description="Registrations of this event; hold Ctrl (⌘ on a Mac) to choose several.",
    )
    signed_up_only = BooleanField("Room check-in only for those signed up")


class TalkForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=300)])
    abstract = TextAreaField("Abstract", validators=[Length(max=10000)], render_kw={"rows": 4})
    presenter_ids = SelectMultipleField(
        "Presenters",
        coerce=whole_number,
        validate_choice=False,
        invalid_value_message="Choose the presenters from the list.",
        render_kw={"size": 8, "data-filter-label": "Find a presenter"},
        description="Registrations of this event; hold Ctrl (⌘ on a Mac) to choose several.",
    )
    duration_minutes = IntegerField(
        "Length (minutes)",
        default=15,
        validators=[InputRequired(), NumberRange(min=1, max=600)],
    )
    session_id = SelectField(
        "Session",
        coerce=_id_or_none,
        validate_choice=False,
        invalid_value_message="Choose a session from the list.",
        description="Empty: not placed yet (it waits beside the grid). A talk placed in a "
        "session goes last in its running order.",
    )
    starts = TimeField(
        "Start at",
        validators=[Optional()],
        render_kw={"step": 300},
        description="Optional. Empty: right after the talk before it, keeping the usual "
        "gap. The talks after it follow.",
    )
    fixed = BooleanField(
        "Keep it where it is",
        description="Proposals of parallel sessions leave it in its session, block and room.",
    )


class InterestForm(FlaskForm):
    """A delegate's interest in one talk: "yes" marks it, "no" unmarks it (never a toggle,
    so a form sent twice changes nothing more)."""

    interested = HiddenField(validators=[AnyOf(("yes", "no"))])
    next = HiddenField()


class InterestImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        validators=[FileRequired("Choose the CSV file to import.")],
        description="A first row naming the columns “email” (the delegate's address) and "
        "“paper” (the paper's id or its exact title); one interest a row.",
    )


def _block_field():
    return SelectField(
        "Block",
        validate_choice=False,
        validators=[InputRequired("Choose a block.")],
        description="A window in which parallel sessions run side by side.",
    )


def _reason_field(examples: str):
    return StringField(
        "Reason",
        validators=[InputRequired("Say why."), Length(max=200)],
        description=f"A few words: {examples}…",
    )


class PresenterBlockForm(FlaskForm):
    registration_id = SelectField(
        "Presenter",
        coerce=_id_or_none,
        validate_choice=False,
        validators=[InputRequired("Choose the presenter.")],
        invalid_value_message="Choose the presenter from the list.",
        render_kw={"data-filter-label": "Find a presenter"},
    )
    block = _block_field()
    reason = _reason_field("arriving late, leaving early, another duty")


class RoomBlockForm(FlaskForm):
    room_id = SelectField(
        "Room",
        coerce=_id_or_none,
        validate_choice=False,
        validators=[InputRequired("Choose the room.")],
        invalid_value_message="Choose the room from the list.",
    )
    block = _block_field()
    reason = _reason_field("set up for the dinner, a press conference, repairs")


class SimilarTracksForm(FlaskForm):
    track_id = SelectField(
        "Track",
        coerce=_id_or_none,
        validate_choice=False,
        validators=[InputRequired("Choose a track.")],
        invalid_value_message="Choose a track from the list.",
    )
    other_track_id = SelectField(
        "Similar to",
        coerce=_id_or_none,
        validate_choice=False,
        validators=[InputRequired("Choose the other track.")],
        invalid_value_message="Choose a track from the list.",
    )


def _weight_field(label: str, default: int, description: str):
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired("Give a weight: a whole number, 0 to ignore this."),
            NumberRange(min=0, max=1000, message="A weight is a whole number from 0 to 1000."),
        ],
        description=description,
    )


class ProposalForm(FlaskForm):
    """A proposal of parallel sessions: where, what, how to weigh, and for how long. The
    weights' fields are added from proposals.WEIGHTS (``weight_<term>``)."""

    block_ids = SelectMultipleField("Blocks", validate_choice=False)
    room_ids = SelectMultipleField(
        "Rooms",
        coerce=whole_number,
        validate_choice=False,
        invalid_value_message="Choose the rooms from the list.",
    )
    talk_ids = SelectMultipleField(
        "Talks to place",
        coerce=whole_number,
        validate_choice=False,
        invalid_value_message="Choose the talks from the list.",
    )
    time_limit = IntegerField(
        "Time limit (seconds)",
        validators=[
            InputRequired("Say how long the search may take, in seconds."),
            NumberRange(min=1, max=600, message="Between 1 and 600 seconds."),
        ],
        description="A first proposal comes within a second or two; the solver keeps "
        "improving it until then, and you can stop it earlier.",
    )
    previous = RadioField(
        "Keep talks where they are",
        choices=[
            SelectChoice("none", "No: place every talk afresh"),
            SelectChoice("published", "Keep the published agenda: move as few talks as possible"),
            SelectChoice("draft", "Keep the draft: move as few talks as possible"),
        ],
        default="none",
        validate_choice=True,
    )


def proposal_form(weights: dict, **defaults) -> ProposalForm:
    """The proposal form with one field per weight ({term: (default, label, description)});
    ``defaults`` fill it when nothing was posted."""

    class Form(ProposalForm):
        pass

    for term, (default, label, description) in weights.items():
        setattr(Form, f"weight_{term}", _weight_field(label, default, description))
    return Form(**defaults)
