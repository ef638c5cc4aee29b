"""Checking what a delegate sends: pure functions, shared by the form, the API and imports.

Their messages are in the language of the request that asked (gettext); in English where
there is none (an import run as a command)."""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
import pycountry
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext

from conference.names import default_order, read_order
from conference.registration.fields import LIMITS, PASSPORT_BY_NAME
from conference.registration.models import TITLES

PASSPORT_NAME_MAX = PASSPORT_BY_NAME["passport_name"].max_length
PASSPORT_NUMBER_MAX = PASSPORT_BY_NAME["passport_number"].max_length
PASSPORT_RE = re.compile(rf"^[A-Z0-9]{{5,{PASSPORT_NUMBER_MAX}}}$")
# Numbers as people write them: digits, one decimal point or comma, an exponent. Not
# "nan", "inf", "1_000" or "0x10", which Python's float() would take.
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
MAX_NUMBER = 10**15  # 15 digits: every whole number up to it is exact as a float, and in JS


@dataclass
class PassportData:
    passport_name: str = ""
    passport_number: str = ""
    nationality: str = ""
    date_of_birth: date | None = None
    passport_expiry: date | None = None


@dataclass
class RegistrationData:
    """What a delegate (or an organiser, or an import row) says about one registration."""

    category_id: int | None = None
    title: str = ""
    given_name: str = ""
    family_name: str = ""
    single_name: bool = False  # one name only, in given_name: no family name
    name_order: str = ""  # a NameOrder; "": the default for the country and script
    native_name: str = ""
    badge_name: str = ""
    email: str = ""
    phone: str = ""
    country: str = ""
    organisation: str = ""
    position: str = ""
    dietary: str = ""
    accessibility: str = ""
    list_consent: bool = False
    privacy_accepted: bool = False
    delegation_id: int | None = None
    leads_delegation: bool = False  # a head creates the delegation named below
    new_delegation_name: str = ""
    answers: dict = field(default_factory=dict)  # question id -> value
    visa_requested: bool = False
    passport: PassportData | None = None


class Errors(dict):
    """Field name -> list of messages."""

    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def at_most(limit: int) -> str:
    """The message for text longer than a field takes."""
    return ngettext(
        "This can be at most %(num)d character.", "This can be at most %(num)d characters.", limit
    )


def clean_text(value) -> str:
    """NFC-normalised, trimmed, inner runs of whitespace collapsed, no control characters."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    return " ".join(text.split())


def clean_long_text(value) -> str:
    """Like clean_text, but keeps line breaks."""
    if value is None:
        return ""
    lines = [clean_text(line) for line in unicodedata.normalize("NFC", str(value)).splitlines()]
    return "\n".join(lines).strip()


def unprintable(text: str) -> str | None:
    """A message if the text has characters no badge font prints (so no box ever appears)."""
    from conference.pdf.text import unsupported_characters

    missing = unsupported_characters(text) if text else []
    if not missing:
        return None
    shown = ", ".join(f"“{ch}” (U+{ord(ch):04X})" for ch in missing[:5])
    return _(
        "We cannot print %(characters)s on badges. Please write this name in Latin letters "
        "or in another script we print (Thai, Vietnamese, Khmer, Lao, Burmese, Chinese, "
        "Japanese, Korean).",
        characters=shown,
    )


def fold(text: str) -> str:
    """Lower case without diacritics, for search: "Chiến" -> "chien", "Đà" -> "da"."""
    text = unicodedata.normalize("NFKD", text or "").replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def normalise_email(value) -> tuple[str, str | None]:
    """(normalised address, error message or None)."""
    text = clean_text(value)
    if not text:
        return "", _("Enter your e-mail address.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return text, _(
            "Enter a valid e-mail address, like %(example)s.", example="name@example.org"
        )
    return result.normalized.lower(), None


def normalise_phone(value, country: str) -> tuple[str, str | None]:
    """The number in E.164 (+66812345678), read with the country's conventions."""
    text = clean_text(value)
    if not text:
        return "", None
    try:
        number = phonenumbers.parse(text, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        return text, _(
            "Enter a phone number with its country code, like %(number)s.",
            number="+66 81 234 5678",
        )
    if not phonenumbers.is_valid_number(number):
        return text, _("This phone number does not exist; check it and its country code.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def valid_country(code) -> str | None:
    """The ISO 3166-1 alpha-2 code, upper case, or None."""
    text = clean_text(code).upper()
    if len(text) == 2 and pycountry.countries.get(alpha_2=text):
        return text
    return None


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "y", "on", "x"}


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def clean_number(value) -> tuple[int | float | None, str | None]:
    """(a finite number within ±MAX_NUMBER, None) or (None, the problem); whole numbers
    come back as int. Takes what a form or a JSON body sends: text or a number."""
    not_a_number = _("Enter a number, like %(whole)s or %(decimal)s.", whole="12", decimal="12.5")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, not_a_number
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if math.isnan(value):
            return None, not_a_number
        number = value
    else:
        text = value.strip()
        if not NUMBER_RE.fullmatch(text):
            return None, not_a_number
        number = float(text.replace(",", "."))  # very large ones become inf: refused below
    if not (isinstance(number, int) or math.isfinite(number)) or abs(number) > MAX_NUMBER:
        return None, _("Enter a number of at most 15 digits before the decimal point.")
    if isinstance(number, float) and number.is_integer():
        return int(number), None
    return number, None


def clean_answer(question, value, errors: Errors):
    """The stored form of one answer, or None for no answer; problems go to ``errors``."""
    name = f"q{question.id}"
    empty = value is None or value == "" or value == [] or value is False
    if question.type == "checkbox":
        checked = _as_bool(value) if not isinstance(value, list) else bool(value)
        if question.required and not checked:
            errors.add(name, _("Please tick this box to continue."))
        return checked
    if empty:
        if question.required:
            errors.add(name, _("Please answer this question."))
        return None
    if question.type in ("short_text", "long_text"):
        text = clean_text(value) if question.type == "short_text" else clean_long_text(value)
        limit = 300 if question.type == "short_text" else 5000
        if len(text) > limit:
            errors.add(name, _("Please keep this under %(limit)s characters.", limit=limit))
        if not text and question.required:
            errors.add(name, _("Please answer this question."))
        return text or None
    if question.type == "single_choice":
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        if value not in question.choices:
            errors.add(name, _("Choose one of the options."))
        return value
    if question.type == "multiple_choice":
        values = value if isinstance(value, list) else [value]
        if any(v not in question.choices for v in values):
            errors.add(name, _("Choose from the options given."))
        return [c for c in question.choices if c in values]
    if question.type == "number":
        number, problem = clean_number(value)
        if problem:
            errors.add(name, problem)
        return number
    if question.type == "date":
        parsed = _as_date(value)
        if parsed is None:
            errors.add(name, _("Enter a date as YYYY-MM-DD."))
            return None
        return parsed.isoformat()
    if question.type == "country":
        code = valid_country(value)
        if code is None:
            errors.add(name, _("Choose a country from the list."))
        return code
    raise ValueError(f"unknown question type {question.type!r}")  # pragma: no cover


def clean_passport(passport: PassportData | None, errors: Errors, today: date) -> PassportData:
    """Passport details are needed only for a visa letter; each is checked."""
    passport = passport or PassportData()
    cleaned = PassportData(
        passport_name=clean_text(passport.passport_name),
        passport_number=clean_text(passport.passport_number).replace(" ", "").upper(),
        nationality=valid_country(passport.nationality) or "",
        date_of_birth=_as_date(passport.date_of_birth),
        passport_expiry=_as_date(passport.passport_expiry),
    )
    if not cleaned.passport_name:
        errors.add("passport_name", _("Enter your name exactly as in your passport."))
    elif len(cleaned.passport_name) > PASSPORT_NAME_MAX:
        errors.add("passport_name", at_most(PASSPORT_NAME_MAX))
    if not PASSPORT_RE.match(cleaned.passport_number):
        errors.add(
            "passport_number",
            _(
                "Enter the passport number: 5 to %(max)s letters and digits.",
                max=PASSPORT_NUMBER_MAX,
            ),
        )
    if not cleaned.nationality:
        errors.add("nationality", _("Choose the country that issued your passport."))
    if cleaned.date_of_birth is None or not (date(1900, 1, 1) < cleaned.date_of_birth < today):
        errors.add("date_of_birth", _("Enter your date of birth."))
    if cleaned.passport_expiry is None:
        errors.add("passport_expiry", _("Enter the passport's expiry date."))
    elif cleaned.passport_expiry <= today:
        errors.add("passport_expiry", _("This passport has expired."))
    return cleaned


def _clean_names(data: RegistrationData, out: RegistrationData, errors: Errors) -> None:
    """A given name always; a family name unless the person has one name only, which
    goes in the given name (moved there when it came as the family name alone)."""
    out.single_name = _as_bool(data.single_name)
    if out.single_name and out.family_name and not out.given_name:
        out.given_name, out.family_name = out.family_name, ""
    if not out.given_name:
        errors.add(
            "given_name",
            _("Enter your name.") if out.single_name else _("Enter your given name."),
        )
    if out.single_name and out.family_name:
        errors.add(
            "family_name",
            _(
                "With one name only, write it as the given name and leave this empty (or "
                "untick “one name only”)."
            ),
        )
    elif not out.single_name and not out.family_name:
        errors.add(
            "family_name",
            _("Enter your family name (or tick “one name only” when there is none)."),
        )


def clean_registration(
    data: RegistrationData,
    questions,
    today: date,
    *,
    require_privacy: bool = True,
    require_email: bool = True,
) -> tuple[RegistrationData, Errors]:
    """A cleaned copy of the data and every problem found, field by field. Without
    ``require_email`` (a delegation member their head manages) the address may be empty."""
    errors = Errors()
    out = RegistrationData(
        category_id=data.category_id,
        delegation_id=data.delegation_id,
        leads_delegation=_as_bool(data.leads_delegation)
        or bool(clean_text(data.new_delegation_name)),
        list_consent=_as_bool(data.list_consent),
        privacy_accepted=_as_bool(data.privacy_accepted),
        visa_requested=_as_bool(data.visa_requested),
    )
    for name in LIMITS:
        value = clean_text(getattr(data, name))
        if len(value) > LIMITS[name]:
            errors.add(name, at_most(LIMITS[name]))
        setattr(out, name, value)
    if out.leads_delegation and not out.new_delegation_name:
        errors.add(
            "new_delegation_name",
            _("Give your delegation a name, e.g. “%(name)s”.", name="Son La City"),
        )
    for name in ("given_name", "family_name", "native_name", "badge_name"):
        problem = unprintable(getattr(out, name))
        if problem:
            errors.add(name, problem)
    if out.title not in TITLES:
        errors.add("title", _("Choose a title from the list, or none."))
    _clean_names(data, out, errors)
    if not out.organisation:
        errors.add("organisation", _("Enter your organisation (or “Independent”)."))
    if out.category_id is None:
        errors.add("category_id", _("Choose how you take part."))
    country = valid_country(data.country)
    if country is None:
        errors.add("country", _("Choose your country from the list."))
    out.country = country or clean_text(data.country)[:2].upper()
    order = clean_text(data.name_order)
    out.name_order = read_order(order) or default_order(out.country, out.native_name)
    if order and read_order(order) is None:
        errors.add("name_order", _("Choose “Surname first” or “Surname last”."))
    if require_email or clean_text(data.email):
        out.email, problem = normalise_email(data.email)
        if problem:
            errors.add("email", problem)
    out.phone, problem = normalise_phone(data.phone, out.country)
    if problem:
        errors.add("phone", problem)
    if require_privacy and not out.privacy_accepted:
        errors.add("privacy_accepted", _("Please agree to the privacy policy to register."))

    answers = data.answers or {}
    for question in questions:
        raw = answers.get(question.id, answers.get(str(question.id)))
        value = clean_answer(question, raw, errors)
        if value is not None and value != []:
            out.answers[question.id] = value
    known = {q.id for q in questions}
    unknown = [k for k in answers if str(k) not in {str(i) for i in known}]
    if unknown:
        errors.add(
            "answers",
            ngettext(
                "Unknown question: %(ids)s.",
                "Unknown questions: %(ids)s.",
                len(unknown),
                ids=", ".join(map(str, unknown)),
            ),
        )

    if out.visa_requested:
        out.passport = clean_passport(data.passport, errors, today)
    return out, errors
