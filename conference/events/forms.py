"""Event and team forms."""

from functools import cache
from zoneinfo import available_timezones

import pycountry
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from conference.auth.models import ROLE_LABELS
from conference.forms import FlaskForm
from conference.papers.uploads import format_size


@cache
def country_choices() -> list[SelectChoice]:
    """ISO 3166-1 countries, by name."""
    countries = sorted(pycountry.countries, key=lambda c: c.name)
    return [SelectChoice(c.alpha_2, c.name) for c in countries]


@cache
def timezone_choices() -> list[SelectChoice]:
    """IANA time zones with a region (Asia/Bangkok), not the legacy aliases."""
    zones = sorted(
        z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [SelectChoice(z, z.replace("_", " ")) for z in zones]


class EventForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Short name in the address",
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message="Use lower-case letters, digits and single hyphens, like asean3-2024.",
            ),
        ],
        description="Lower-case letters, digits and hyphens, e.g. asean3-2024.",
    )
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    city = StringField("City", validators=[Optional(), Length(max=100)])
    country = SelectField("Country", validators=[DataRequired(message="Choose a country.")])
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired(message="Choose the time zone the event runs in.")],
        description="All times of the event are shown in this zone.",
    )
    start_date = DateField("First day", validators=[DataRequired(message="Enter a date.")])
    end_date = DateField("Last day", validators=[DataRequired(message="Enter a date.")])
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 8},
        description="Shown on the public page; separate paragraphs with an empty line.",
    )
    registration_opens = DateTimeLocalField(
        "Registration opens",
        validators=[Optional()],
        description="In the event's time zone. Empty: open now.",
    )
    registration_closes = DateTimeLocalField(
        "Registration closes",
        validators=[Optional()],
        description="In the event's time zone. Empty: open until the event ends.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [SelectChoice("", "Choose a country…"), *country_choices()]
        self.timezone.choices = [SelectChoice("", "Choose a time zone…"), *timezone_choices()]

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("The event cannot end before it starts.")


class RoleForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    name = StringField(
        "Name", validators=[Optional(), Length(max=200)], description="For a new account."
    )
    role = SelectField(
        "Role",
        choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        default="checkin",
        validators=[DataRequired()],
    )


class BrandColourForm(FlaskForm):
    colour = StringField(
        "Colour",
        validators=[Optional(), Length(max=20, message="Write the colour like #1f4e79.")],
        description=(
            "For the event's pages, e-mails and badges: # and six hexadecimal digits, like "
            "#1f4e79. Text on it is made readable (black or white). Empty: the site's colours."
        ),
        render_kw={
            "placeholder": "#1f4e79",
            "spellcheck": "false",
            "autocomplete": "off",
            "data-colour-picker": "",
        },
    )


class LogoForm(FlaskForm):
    logo = FileField(
        "Logo",
        validators=[FileRequired("Choose the logo's file.")],
        render_kw={"accept": ".png,.jpg,.jpeg,image/png,image/jpeg"},
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.logo.description = (
            f"PNG or JPEG, at most {format_size(max_bytes)}. It is shown on a white ground: "
            "a transparent PNG, or one on white, looks best. Larger images are scaled down "
            "to 1200 pixels."
        )
