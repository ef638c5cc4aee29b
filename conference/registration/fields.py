"""A registration's fields, written once.

Each field's name (the model's attribute, the form's field, the export's column header and
the API's key alike), its label, its kind, its length limit and where it appears. The
validation limits, the form's ``maxlength``, the CSV/XLSX export's columns, the API's
registration JSON and the OpenAPI schemas are derived from ``FIELDS`` and ``PASSPORT``.
"""

from dataclasses import dataclass

from conference.languages import CODES as LANGUAGE_CODES
from conference.languages import N_
from conference.names import NameOrder
from conference.registration.models import TITLES, RegistrationStatus

# What a delegate gives, by kind: text is cleaned and held to its length, a title is one
# of TITLES, a name order one of NameOrder (absent: the default, conference/names.py),
# e-mail, phone and country are read as such, yes_no is true or false.
GIVEN_KINDS = ("text", "title", "name_order", "email", "phone", "country", "yes_no")
TEXT_KINDS = ("text", "title", "name_order", "email", "phone", "country")


@dataclass(frozen=True)
class Field:
    """One field of a registration as delegates give it and organisers read it."""

    name: str
    label: str = ""  # marked for translation (N_): the forms show it in the page's language
    # One of GIVEN_KINDS for what a delegate gives; "made" for what the app works out.
    kind: str = "text"
    max_length: int | None = None  # what the form takes and validation allows
    required: bool = False  # a delegate must give it
    required_unless: str = ""  # ... unless this yes_no field is true
    stored: bool = True  # an attribute of the Registration of the same name
    exported: bool = True  # a column of the export (and of imports)
    in_api: bool = True  # a key of the API's registration JSON
    at_door: bool = False  # shown to door staff as it is (the API's Person)
    # The API document's schema of the value the API answers (for "made" fields, and a
    # given one whose answer may be null); and a description of what a client sends.
    schema: dict | None = None
    description: str = ""

    @property
    def given(self) -> bool:
        """A delegate gives it: the form, the API and imports take it, validation checks it."""
        return self.kind in GIVEN_KINDS


def _made(name: str, schema: dict | None = None, *, exported=True, in_api=True) -> Field:
    return Field(name, kind="made", schema=schema, exported=exported, in_api=in_api)


_STRING = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}

# In the export's column order (the API's keys are sorted anyway).
FIELDS = (
    _made("id", {"type": "integer"}),
    _made("status", {"enum": [str(status) for status in RegistrationStatus]}),
    _made("category", {"type": "object"}),
    _made("category_id", {"type": "integer"}, exported=False),
    Field("title", N_("Title"), "title", max_length=20),
    Field("given_name", N_("Given name"), max_length=100, required=True),
    Field(
        "family_name",
        N_("Family name"),
        max_length=100,
        required=True,
        required_unless="single_name",
        description="required unless single_name is true",
    ),
    Field(
        "single_name",
        N_("I have one name only"),
        "yes_no",
        stored=False,  # a registration without a family name
        description="one name only, given as given_name; family_name is then empty",
    ),
    Field(
        "name_order",
        N_("How you write your name"),
        "name_order",
        description="how the person writes their name; absent: from the script of "
        "native_name, else from the country (family_first for Viet Nam, Cambodia, China, "
        "Japan, Korea and Hungary among others; given_first elsewhere)",
    ),
    _made(
        "full_name",
        {"type": "string", "description": "given_name and family_name in the person's name_order"},
    ),
    Field("native_name", N_("Name in your own script"), max_length=200, at_door=True),
    Field("badge_name", N_("Name on your badge"), max_length=200),
    Field(
        "email",
        N_("E-mail"),
        "email",
        max_length=254,
        required=True,
        # null: a delegation member without an address, whom their head manages.
        schema={"type": ["string", "null"]},
    ),
    Field(
        "phone",
        N_("Mobile phone"),
        "phone",
        max_length=30,
        description="international, e.g. +66 81 234 5678",
    ),
    Field(
        "country",
        N_("Country"),
        "country",
        required=True,
        at_door=True,
        description="ISO 3166-1 alpha-2",
    ),
    _made("country_name", in_api=False),
    Field("organisation", N_("Organisation"), max_length=200, required=True, at_door=True),
    Field("position", N_("Position"), max_length=200),
    _made("delegation", {"type": ["object", "null"]}),
    _made("head_of_delegation", in_api=False),
    _made("delegation_id", {"type": ["integer", "null"]}, exported=False),
    Field("dietary", N_("Dietary needs"), max_length=500),
    Field("accessibility", N_("Accessibility needs"), max_length=500),
    Field(
        "new_delegation_name",
        N_("Name of your delegation"),
        max_length=200,
        stored=False,
        exported=False,
        in_api=False,
        description="lead a new delegation",
    ),
    Field(
        "list_consent",
        N_("Show my name, organisation and country in the participant list"),
        "yes_no",
    ),
    Field(
        "privacy_accepted",
        N_("I agree to the privacy policy"),
        "yes_no",
        required=True,
        stored=False,
        exported=False,
        in_api=False,
    ),
    Field("visa_requested", N_("I need a visa invitation letter"), "yes_no"),
    # The delegate's language: the e-mails' (the API takes it as NewRegistration.language).
    _made("language", {"enum": list(LANGUAGE_CODES)}),
    _made("answers", {"type": "object"}, exported=False),
    _made("email_verified", {"type": "boolean"}),
    _made("registered_at", in_api=False),
    _made("created_at", _TIME, exported=False),
    _made("updated_at", _TIME, exported=False),
)
BY_NAME = {f.name: f for f in FIELDS}

# The delegate's own details stored on the registration under their names, as
# RegistrationData, the model and the forms name them.
PERSONAL_FIELDS = tuple(f.name for f in FIELDS if f.stored and f.kind in TEXT_KINDS)
# What a delegate sends as text, and as true or false (the API checks the JSON types).
TEXT_FIELDS = tuple(f.name for f in FIELDS if f.kind in TEXT_KINDS)
YES_NO_FIELDS = tuple(f.name for f in FIELDS if f.kind == "yes_no")
# Text held to its length by validation (e-mail, phone and country are read as such).
LIMITS = {f.name: f.max_length for f in FIELDS if f.kind in ("text", "title")}
# What a registration must have, as the form marks it and an import's header names it.
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.required and f.stored)
EXPORTED = tuple(f for f in FIELDS if f.exported)
IN_API = tuple(f for f in FIELDS if f.in_api)

# Passport details, asked only for a visa letter (the VisaDetails model's attributes).
PASSPORT = (
    Field("passport_name", N_("Name as in the passport"), max_length=200),
    Field("passport_number", N_("Passport number"), max_length=20),
    Field(
        "nationality",
        N_("Nationality (issuing country)"),
        "country",
        description="ISO 3166-1 alpha-2",
    ),
    Field("date_of_birth", N_("Date of birth"), "date"),
    Field("passport_expiry", N_("Passport expiry date"), "date"),
)
PASSPORT_BY_NAME = {f.name: f for f in PASSPORT}
PASSPORT_FIELDS = tuple(f.name for f in PASSPORT)


def output_schema(field: Field) -> dict:
    """The OpenAPI schema of the field's value in the API's registration JSON."""
    if field.schema is not None:
        return field.schema
    if field.kind == "name_order":
        return {"enum": [str(order) for order in NameOrder]}
    return {"type": "boolean"} if field.kind == "yes_no" else dict(_STRING)


def input_schema(field: Field) -> dict:
    """The OpenAPI schema of the field as a client sends it (NewRegistration)."""
    if field.kind == "yes_no":
        return {"type": "boolean", "const": True} if field.required else {"type": "boolean"}
    schema = dict(_STRING)
    if field.kind == "title":
        schema["enum"] = list(TITLES)
    elif field.kind == "name_order":
        schema["enum"] = [str(order) for order in NameOrder]
    elif field.kind in ("email", "date"):
        schema["format"] = field.kind
    elif field.kind == "text":
        if field.required and not field.required_unless:
            schema["minLength"] = 1
        schema["maxLength"] = field.max_length
    if field.description:
        schema["description"] = field.description
    return schema
