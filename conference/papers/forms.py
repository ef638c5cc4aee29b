"""Paper forms: fields and field-level checks only; the rules live in the services."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput

from conference.forms import FlaskForm, Form
from conference.ids import whole_number
from conference.papers.calls import MAX_CRITERIA, CriterionDetails
from conference.papers.models import FILE_KINDS, RECOMMENDATIONS
from conference.papers.reviewing import COMMENT_LIMIT
from conference.papers.submissions import MAX_AUTHORS, AuthorDetails

MEGABYTE = 1024 * 1024
DECISION_CHOICES = [
    SelectChoice("accept", "Accept: it becomes a talk waiting to be placed in the agenda"),
    SelectChoice("revise", "Ask for a revision: the authors upload a new version"),
    SelectChoice("reject", "Reject"),
]


def _id_or_none(value):
    """Select values: "" means none, anything else an id."""
    if value in ("", None, "None"):
        return None
    return whole_number(value)


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes (rendered one by one in the template)."""

    option_widget = CheckboxInput()


class CriterionForm(Form):
    name = StringField("Criterion", validators=[Optional(), Length(max=100)])
    max_score = IntegerField(
        "Highest score", default=5, validators=[Optional(), NumberRange(min=1, max=100)]
    )
    weight = IntegerField("Weight", default=1, validators=[Optional(), NumberRange(min=1, max=100)])
    description = StringField("What reviewers look for", validators=[Length(max=1000)])

    def is_blank(self) -> bool:
        return not (self.name.data or "").strip()


# Minutes are enough: shown without seconds, read with or without them.
LOCAL_TIME = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class CallForm(FlaskForm):
    opens_at = DateTimeLocalField("Opens", format=LOCAL_TIME, validators=[InputRequired()])
    closes_at = DateTimeLocalField("Closes", format=LOCAL_TIME, validators=[InputRequired()])
    edit_deadline = DateTimeLocalField(
        "New versions until",
        format=LOCAL_TIME,
        validators=[Optional()],
        description="Empty: until the call closes. Papers sent back for revision accept "
        "new versions after it too.",
    )
    allowed_kinds = CheckboxesField(
        "Accepted files", choices=[SelectChoice(k, v) for k, v in FILE_KINDS.items()]
    )
    max_mb = IntegerField(
        "Largest file (MB)",
        default=20,
        validators=[InputRequired(), NumberRange(min=1, max=2048)],
    )
    abstract_word_limit = IntegerField(
        "Abstract word limit",
        default=300,
        validators=[InputRequired(), NumberRange(min=1, max=10_000)],
    )
    talk_minutes = IntegerField(
        "Talk length (minutes)",
        default=15,
        validators=[InputRequired(), NumberRange(min=1, max=480)],
        description="An accepted paper becomes a talk of this length in the agenda.",
    )
    topic_ids = CheckboxesField("Topics", coerce=whole_number, validate_choice=False)
    anonymous_review = BooleanField(
        "Anonymous review: reviewers see neither the authors' names nor their organisations",
        description="Reviewers then download a copy of each file without the author details "
        "documents carry (properties, the authors of comments and changes); you keep the "
        "original. A file that cannot be cleaned is refused at upload, saying why.",
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=MAX_CRITERIA)

    def criteria_details(self) -> tuple[CriterionDetails, ...]:
        """The criteria rows that have a name, in order."""
        return tuple(
            CriterionDetails(
                name=row.form.name.data or "",
                max_score=row.form.max_score.data or 5,
                weight=row.form.weight.data or 1,
                description=row.form.description.data or "",
            )
            for row in self.criteria
            if not row.form.is_blank()
        )


class AuthorForm(Form):
    name = StringField("Name", validators=[Length(max=200)])
    organisation = StringField("Organisation", validators=[Length(max=200)])
    email = EmailField("E-mail", validators=[Length(max=254)])

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.name, self.organisation, self.email))


class SubmissionForm(FlaskForm):
    title = StringField("Title", validators=[InputRequired(), Length(max=300)])
    abstract = TextAreaField("Abstract", validators=[InputRequired()], render_kw={"rows": 10})
    track_id = SelectField("Topic", coerce=_id_or_none, validate_choice=False)
    authors = FieldList(FormField(AuthorForm), min_entries=1, max_entries=MAX_AUTHORS)
    presenting = IntegerField("Presenting author", validators=[Optional()])
    file = FileField("The paper", validators=[FileRequired("Choose the file of your paper.")])

    def author_rows(self) -> list[tuple[int, FormField]]:
        """(index in the field names, row): the presenting radio button names a row by it."""
        return [(int(row.name.rsplit("-", 1)[1]), row) for row in self.authors]

    def author_details(self) -> list[AuthorDetails]:
        """The filled-in author rows, the one ticked as presenting marked."""
        return [
            AuthorDetails(
                name=row.form.name.data or "",
                organisation=row.form.organisation.data or "",
                email=row.form.email.data or "",
                presenting=n == self.presenting.data,
            )
            for n, row in self.author_rows()
            if not row.form.is_blank()
        ]


class VersionForm(FlaskForm):
    file = FileField("New version", validators=[FileRequired("Choose the new file.")])


class DecisionForm(FlaskForm):
    decision = RadioField("Decision", choices=DECISION_CHOICES)
    note = TextAreaField(
        "Note to the authors",
        validators=[Length(max=COMMENT_LIMIT)],
        render_kw={"rows": 4},
        description="Sent with the decision, with the reviewers' comments for the authors "
        "(never their names). Required when asking for a revision.",
    )


class AssignForm(FlaskForm):
    reviewer_id = SelectField("Reviewer", coerce=_id_or_none, validate_choice=False)


class AutoAssignForm(FlaskForm):
    per_paper = IntegerField(
        "Reviewers per paper", default=2, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )


class ReviewForm(FlaskForm):
    """The fixed part of a review; ``build_review_form`` adds one score per criterion."""

    recommendation = RadioField(
        "Recommendation",
        choices=[SelectChoice(k, v) for k, v in RECOMMENDATIONS.items()],
        validators=[InputRequired("Recommend accept, revise or reject.")],
    )
    comments_to_authors = TextAreaField(
        "Comments for the authors",
        validators=[Length(max=COMMENT_LIMIT)],
        render_kw={"rows": 6},
        description="Sent to the authors with the decision, without your name.",
    )
    confidential_comments = TextAreaField(
        "Confidential comments for the organisers",
        validators=[Length(max=COMMENT_LIMIT)],
        render_kw={"rows": 3},
        description="Only the organisers read these.",
    )


def build_review_form(criteria, **kwargs) -> ReviewForm:
    """A review form with a ``score_<criterion id>`` field for each of the call's criteria."""

    class Scored(ReviewForm):
        pass

    for criterion in criteria:
        setattr(
            Scored,
            f"score_{criterion.id}",
            IntegerField(
                criterion.name,
                validators=[
                    InputRequired(f"Score “{criterion.name}”."),
                    NumberRange(min=0, max=criterion.max_score),
                ],
                description=criterion.description,
                render_kw={"min": 0, "max": criterion.max_score, "inputmode": "numeric"},
            ),
        )
    return Scored(**kwargs)


def score_fields(form, criteria) -> list:
    """(criterion, its score field) in the criteria's order."""
    return [(c, form[f"score_{c.id}"]) for c in criteria]


class OwnBlockForm(FlaskForm):
    """A presenter's block of parallel sessions, on their paper's page: ``block``, and why
    they cannot make it (the button ``available`` unmarks it instead)."""

    block = HiddenField(validators=[InputRequired()])
    reason = StringField("Why not", validators=[Optional(), Length(max=200)])
