"""Registration forms. Fields only: the rules live in validation.py and services.py."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as WTFormsValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from conference.formatting import country_choices as countries_in
from conference.forms import FlaskForm, Form
from conference.i18n import current_locale
from conference.ids import id_or_none
from conference.names import NameOrder, default_order, formal_name, order_rules
from conference.registration.fields import (
    BY_NAME,
    PASSPORT_BY_NAME,
    PERSONAL_FIELDS,
    REQUIRED_FIELDS,
)
from conference.registration.models import QUESTION_TYPES, TITLES
from conference.registration.participants import VISIBILITY_LABELS
from conference.registration.validation import PassportData, RegistrationData

NO_DELEGATION, NEW_DELEGATION, JOIN_DELEGATION = "none", "new", "join"


def _countries() -> list[SelectChoice]:
    """Every country, named and ordered as the page's language names them."""
    return [SelectChoice(code, name) for code, name in countries_in(current_locale())]


def _select(label, choices, **kwargs):
    return SelectField(label, choices=choices, validate_choice=False, **kwargs)


def _label(name: str):
    """The field list's label of a registration or passport field, in the page's language."""
    return _l((BY_NAME.get(name) or PASSPORT_BY_NAME[name]).label)


def _text(name: str, field_class=StringField, description: str = "", **render_kw):
    """A text input for a field of the list: its label, and its length limit as maxlength."""
    render_kw["maxlength"] = (BY_NAME.get(name) or PASSPORT_BY_NAME[name]).max_length
    return field_class(_label(name), description=description, render_kw=render_kw)


class PersonFields(FlaskForm):
    """The fields of one person: shared by the delegate's, the member's and the organiser's form."""

    title = _select(_label("title"), [SelectChoice(t, t or "—") for t in TITLES])
    given_name = _text(
        "given_name",
        description=_l("As in your passport, in Latin letters."),
        autocomplete="given-name",
    )
    family_name = _text("family_name", autocomplete="family-name")
    single_name = BooleanField(
        _label("single_name"),
        description=_l(
            "No family name, as many Indonesians and Burmese: write the name as the given name."
        ),
    )
    name_order = RadioField(
        _label("name_order"),
        choices=[
            SelectChoice("", _l("As is usual for the country")),
            # Not "Family name first": a label of its own names the family name field alone.
            SelectChoice(
                NameOrder.FAMILY_FIRST,
                _l("Surname first, e.g. %(name)s", name="Nguyễn Thị Minh Khai"),
            ),
            SelectChoice(
                NameOrder.GIVEN_FIRST, _l("Surname last, e.g. %(name)s", name="Somchai Jaidee")
            ),
        ],
        default="",
        validate_choice=False,
    )
    native_name = _text(
        "native_name",
        description=_l(
            "Optional, e.g. %(names)s.", names="Hà Trung Chiến, ศักดิ์ชัย ทองดี, 王晓明, 김민준"
        ),
    )
    badge_name = _text(
        "badge_name",
        description=_l(
            "Optional: how you want to be called, e.g. “%(name)s”. "
            "Empty: your given and family name.",
            name="Dr Somchai",
        ),
    )
    email = _text("email", EmailField, autocomplete="email")
    phone = _text(
        "phone",
        TelField,
        description=_l("With the country code, e.g. %(number)s.", number="+66 81 234 5678"),
        autocomplete="tel",
    )
    country = _select(_label("country"), [])
    organisation = _text("organisation", autocomplete="organization")
    position = _text("position", autocomplete="organization-title")
    dietary = _text("dietary", description=_l("E.g. halal, vegetarian, allergies."))
    accessibility = _text(
        "accessibility",
        description=_l("E.g. wheelchair access, sign-language interpretation."),
    )
    list_consent = BooleanField(_label("list_consent"))
    visa_requested = BooleanField(_label("visa_requested"))
    passport_name = _text("passport_name")
    passport_number = _text("passport_number")
    nationality = _select(_label("nationality"), [])
    date_of_birth = DateField(_label("date_of_birth"), validators=[Optional()])
    passport_expiry = DateField(_label("passport_expiry"), validators=[Optional()])

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        countries = [SelectChoice("", _l("Choose…")), *_countries()]
        self.country.choices = countries
        self.nationality.choices = countries
        self.questions = list(questions)
        # Marked as required for people (the asterisk); the services do the checking.
        for name in REQUIRED_FIELDS:
            self[name].flags.required = True
        for question in self.questions:
            self[f"q{question.id}"].flags.required = question.required
        # The passport is needed once a letter is asked for (marked again in the browser as
        # the box changes: static/js/error-summary.js).
        if self.visa_requested.data:
            for name in PASSPORT_BY_NAME:
                self[name].flags.required = True

    def name_preview(self) -> str:
        """The name as it will print, from what the form holds ("" before a name is given);
        the browser keeps it up to date as the person types (static/js/name-order.js)."""
        given = (self.given_name.data or "").strip()
        family = "" if self.single_name.data else (self.family_name.data or "").strip()
        if not (given or family):
            return ""
        order = self.name_order.data or default_order(
            self.country.data or "", self.native_name.data or ""
        )
        return formal_name(self.title.data or "", given, family, order)

    def name_rules(self) -> dict:
        """The default orders as data, for the browser's preview."""
        return order_rules()

    def question_fields(self):
        """(question, field) pairs, in order."""
        return [(q, self[f"q{q.id}"]) for q in self.questions]

    def registration_data(self) -> RegistrationData:
        """What the form says, as the services take it."""
        data = RegistrationData(
            **{name: self[name].data or "" for name in PERSONAL_FIELDS},
            single_name=bool(self.single_name.data),
            list_consent=bool(self.list_consent.data),
            visa_requested=bool(self.visa_requested.data),
        )
        if data.visa_requested:
            data.passport = PassportData(
                passport_name=self.passport_name.data or "",
                passport_number=self.passport_number.data or "",
                nationality=self.nationality.data or "",
                date_of_birth=self.date_of_birth.data,
                passport_expiry=self.passport_expiry.data,
            )
        for question, field in self.question_fields():
            data.answers[question.id] = field.data
        return data


def _question_field(question):
    label, help_text = question.label, question.help_text or None
    kw = {"description": help_text}
    if question.type == "short_text":
        return StringField(label, render_kw={"maxlength": 300}, **kw)
    if question.type == "long_text":
        return TextAreaField(label, render_kw={"rows": 4, "maxlength": 5000}, **kw)
    if question.type == "single_choice":
        return RadioField(
            label,
            choices=[SelectChoice(c, c) for c in question.choices],
            validate_choice=False,
            **kw,
        )
    if question.type == "multiple_choice":
        return SelectMultipleField(
            label,
            choices=[SelectChoice(c, c) for c in question.choices],
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            **kw,
        )
    if question.type == "checkbox":
        return BooleanField(label, **kw)
    if question.type == "number":
        return StringField(label, render_kw={"inputmode": "decimal"}, **kw)
    if question.type == "date":
        return StringField(label, render_kw={"type": "date"}, **kw)
    if question.type == "country":
        return _select(label, [SelectChoice("", _l("Choose…")), *_countries()], **kw)
    raise ValueError(f"unknown question type {question.type!r}")


def person_form_class(base, questions):
    """A form class with a field ``q<id>`` for each custom question."""
    attrs = {f"q{q.id}": _question_field(q) for q in questions}
    return type(f"{base.__name__}WithQuestions", (base,), attrs)


class RegistrationForm(PersonFields):
    """The delegate's own form (and the organiser's "add by hand")."""

    category_id = RadioField(_l("How you take part"), choices=[], validate_choice=False, coerce=str)
    delegation_choice = RadioField(
        _l("Delegation"), choices=[], validate_choice=False, default=NO_DELEGATION
    )
    delegation_id = _select(_l("Your delegation"), [])
    new_delegation_name = _text(
        "new_delegation_name", description=_l("E.g. “%(name)s”.", name="Son La City")
    )
    privacy_accepted = BooleanField(_label("privacy_accepted"))

    def registration_data(self) -> RegistrationData:
        data = super().registration_data()
        data.category_id = id_or_none(self.category_id.data)
        choice = self.delegation_choice.data or NO_DELEGATION
        if choice == NEW_DELEGATION:
            data.leads_delegation = True
            data.new_delegation_name = self.new_delegation_name.data or ""
        elif choice == JOIN_DELEGATION:
            delegation = str(self.delegation_id.data or "")
            data.delegation_id = id_or_none(delegation) or -1  # -1: none of the list
        data.privacy_accepted = bool(self.privacy_accepted.data)
        return data


def build_registration_form(questions, categories, delegations, **kwargs) -> RegistrationForm:
    """The delegate's form for an event, with its categories, delegations and questions."""
    form = person_form_class(RegistrationForm, questions)(questions=questions, **kwargs)
    form.category_id.choices = [SelectChoice(str(c.id), c.name) for c in categories]
    form.categories = categories
    form.delegation_choice.choices = [
        SelectChoice(NO_DELEGATION, _l("I register on my own")),
        SelectChoice(NEW_DELEGATION, _l("I lead a delegation, and will add its members")),
    ]
    if delegations:
        form.delegation_choice.choices.append(
            SelectChoice(JOIN_DELEGATION, _l("I am a member of a delegation registered already"))
        )
    form.delegation_id.choices = [
        SelectChoice("", _l("Choose…")),
        *[SelectChoice(str(d.id), f"{d.name} ({d.country})") for d in delegations],
    ]
    return form


def build_person_form(questions, **kwargs) -> PersonFields:
    """The form for editing a registration, or a head adding a member."""
    return person_form_class(PersonFields, questions)(questions=questions, **kwargs)


# The member form speaks to the head about the member: (label, description) by field;
# None keeps the delegate's own.
FOR_THE_HEAD = {
    "given_name": (None, "As in their passport, in Latin letters."),
    "single_name": (
        "They have one name only",
        "No family name, as many Indonesians and Burmese: write the name as the given name.",
    ),
    "name_order": ("How they write their name", None),
    "native_name": (
        "Their name in their own script",
        "Optional, e.g. Hà Trung Chiến, ศักดิ์ชัย ทองดี, 王晓明, 김민준.",
    ),
    "badge_name": (
        "Name on their badge",
        "Optional: how they want to be called, e.g. “Dr Somchai”. "
        "Empty: their given and family name.",
    ),
    "email": (
        "Their e-mail",
        "Optional. With an address they receive their own link and can change their "
        "registration themselves; without one, you manage it for them and they receive "
        "no e-mail from us.",
    ),
    "phone": ("Their mobile phone", None),
    "list_consent": ("Show their name, organisation and country in the participant list", None),
    "visa_requested": ("They need a visa invitation letter", None),
    "passport_name": ("Their name as in their passport", None),
}


def _member_category_id(field) -> int | None:
    """The category chosen for a member: None when none was sent (the service takes the
    default one), -1 for a value that is no id (refused, not silently replaced)."""
    value = str(field.data or "").strip()
    return id_or_none(value) or (-1 if value else None)


def category_notes(categories) -> str:
    """What a new member gets in the categories offered, where it is not simply a place:
    "Delegate is full: new members join its waiting list." (empty when nothing to say)."""
    notes = []
    for category in categories:
        if category.places_left == 0:
            notes.append(f"{category.name} is full: new members join its waiting list.")
        elif category.requires_approval:
            notes.append(f"{category.name}: the organisers approve each new member.")
    return " ".join(notes)


def _member_category_field(categories, default):
    """The select of the categories a head may register a member in (see
    ``delegations.member_categories``), the default one chosen; its description says which
    are full or need approval."""
    return _select(
        "They take part as",
        [SelectChoice(str(c.id), c.name) for c in categories],
        default=str(default.id) if default is not None else None,
        description=category_notes(categories),
    )


class NewMemberFields(PersonFields):
    """The member form when a head adds a member: the person, and their category."""

    def registration_data(self) -> RegistrationData:
        data = super().registration_data()
        data.category_id = _member_category_id(self.category_id)
        return data


def build_member_form(questions, categories=None, default=None, **kwargs) -> PersonFields:
    """The person form as a head fills it in for a member: it speaks of "them", and the
    address is optional. With ``categories`` (adding a member), it asks their category
    among them, ``default`` chosen."""
    if categories is None:
        form = build_person_form(questions, **kwargs)
    else:
        base = type(
            "NewMemberForm",
            (NewMemberFields,),
            {"category_id": _member_category_field(categories, default)},
        )
        form = person_form_class(base, questions)(questions=questions, **kwargs)
    for name, (label, description) in FOR_THE_HEAD.items():
        if label:
            form[name].label.text = label
        if description:
            form[name].description = description
    form.email.flags.required = False
    return form


class MemberRowForm(Form):
    """One row of the "add several members" table: the essentials; the member's own page
    takes the rest. Organisation and country are the head's until changed there."""

    given_name = _text("given_name", autocomplete="off")
    family_name = _text("family_name", autocomplete="off")
    single_name = BooleanField("One name only")
    native_name = _text("native_name", autocomplete="off")
    position = _text("position", autocomplete="off")
    email = _text("email", EmailField, autocomplete="off")

    PERSON = ("given_name", "family_name", "native_name", "position", "email")

    def is_blank(self) -> bool:
        """Nothing typed about the person (answers alone make no member)."""
        return not any((self[name].data or "").strip() for name in self.PERSON)

    def question_fields(self):
        return [(q, self[f"q{q.id}"]) for q in self.questions]

    def registration_data(self) -> RegistrationData:
        data = RegistrationData(**{name: self[name].data or "" for name in self.PERSON})
        data.single_name = bool(self.single_name.data)
        data.category_id = _member_category_id(self.category_id)
        for question, field in self.question_fields():
            data.answers[question.id] = field.data
        return data


def _row_question_field(question):
    """A required question as a cell of the table: a single choice is a drop-down there."""
    if question.type == "single_choice":
        choices = [SelectChoice("", _l("Choose…")), *(SelectChoice(c, c) for c in question.choices)]
        return _select(question.label, choices)
    return _question_field(question)


def _at_most(max_rows: int):
    def validate_members(form, field):
        if len(field.entries) > max_rows:
            raise WTFormsValidationError(f"Send at most {max_rows} rows at a time.")

    return validate_members


def build_members_form(questions, rows: int, max_rows: int, categories=(), default=None, **kwargs):
    """The "add several members" form: ``rows`` rows to start with (at most ``max_rows``),
    each with the member's category (among ``categories``, ``default`` chosen) and a
    column per required question of the event. More rows sent are refused (and never more
    than one too many read)."""
    required = [q for q in questions if q.required]
    row_class = type(
        "MemberRowWithQuestions",
        (MemberRowForm,),
        {
            "questions": required,
            "category_id": _member_category_field(categories, default),
            **{f"q{q.id}": _row_question_field(q) for q in required},
        },
    )
    members = FieldList(FormField(row_class), min_entries=rows, max_entries=max_rows + 1)
    form_class = type(
        "MembersForm",
        (FlaskForm,),
        {"members": members, "validate_members": staticmethod(_at_most(max_rows))},
    )
    form = form_class(**kwargs)
    form.questions = required  # the table's header marks them, and the names, as required
    form.categories = list(categories)
    form.category_notes = category_notes(categories)
    return form


class CategoryForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=100)])
    description = TextAreaField("Description", validators=[Length(max=2000)], render_kw={"rows": 2})
    capacity = IntegerField(
        "Capacity",
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
        description="Empty: no limit.",
    )
    requires_approval = BooleanField("Organisers approve each registration")
    opens_at = DateTimeLocalField(
        "Opens",
        validators=[Optional()],
        description="In the event's time zone. Empty: with the event.",
    )
    closes_at = DateTimeLocalField(
        "Closes", validators=[Optional()], description="Empty: with the event."
    )
    invitation_code = StringField(
        "Invitation code",
        validators=[Optional(), Length(min=6, max=64)],
        description="Set one to make the category reachable by invitation only.",
    )
    badge_colour = StringField(
        "Badge colour",
        default="#1f4e79",
        validators=[InputRequired(), Regexp(r"^#[0-9a-fA-F]{6}$", message="Use #RRGGBB.")],
        render_kw={"type": "color"},
    )


class QuestionForm(FlaskForm):
    label = StringField("Question", validators=[InputRequired(), Length(max=300)])
    help_text = StringField("Help text", validators=[Length(max=500)])
    type = SelectField(
        "Kind of answer", choices=[SelectChoice(k, v) for k, v in QUESTION_TYPES.items()]
    )
    required = BooleanField("An answer is required")
    choices = TextAreaField(
        "Choices",
        description="For single and multiple choice: one per line.",
        render_kw={"rows": 4},
    )


class SettingsForm(FlaskForm):
    edit_deadline = DateTimeLocalField(
        "Delegates can change their registration until",
        validators=[Optional()],
        description="In the event's time zone. Empty: until the event ends.",
    )
    privacy_policy = TextAreaField(
        "Privacy policy",
        validators=[Length(max=20000)],
        render_kw={"rows": 6},
        description="Shown on the registration form; delegates must agree to it.",
    )
    visa_letter_text = TextAreaField(
        "Visa invitation letter text",
        validators=[Length(max=20000)],
        render_kw={"rows": 8},
        description="Paragraphs separated by an empty line. Placeholders: {name}, "
        "{passport_number}, {nationality}, {event_title}, {event_dates}, {city}, {country}, "
        "{organisation}, {position}.",
    )
    visa_signatory_name = StringField("Signed by", validators=[Length(max=200)])
    visa_signatory_title = StringField("Signatory's title", validators=[Length(max=200)])
    visa_letters_need_approval = BooleanField(
        "Each letter waits for an organiser's approval",
        description="Delegates see their letter once an organiser has approved it in the "
        "visa requests; untick to offer it as soon as a registration is confirmed.",
    )
    reply_to = EmailField(
        "Replies go to",
        validators=[Length(max=254)],
        render_kw={"autocomplete": "email"},
        description="The organisers' address: delegates' replies to the event's e-mails reach "
        "it. Empty: replies go to the site's sender address.",
    )


class VisaRefusalForm(FlaskForm):
    reason = TextAreaField(
        "Why the letter is refused",
        validators=[InputRequired(message="Say why: the delegate reads it."), Length(max=1000)],
        render_kw={"rows": 2, "maxlength": 1000},
        description="The delegate reads it in their e-mail.",
    )


class LostLinkForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            InputRequired(message=_l("Enter your e-mail address.")),
            Length(max=254, message=_l("This can be at most %(max)d characters.")),
        ],
    )


class ImportForm(FlaskForm):
    file = FileField("CSV or Excel file (.csv, .xlsx)")


class ParticipantListForm(FlaskForm):
    participant_list = RadioField(
        "Who sees the participant list",
        choices=[SelectChoice(str(value), label) for value, label in VISIBILITY_LABELS.items()],
        validators=[InputRequired(message="Choose who sees the participant list.")],
        validate_choice=False,  # the service refuses anything else, with its message
        description="It lists the confirmed delegates who ticked “show my name, organisation "
        "and country in the participant list”, with just that; nobody else.",
    )
