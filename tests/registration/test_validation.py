"""The pure checks of what a delegate sends: no app, no database."""

from datetime import date
from types import SimpleNamespace

import pytest

from conference.registration.models import QUESTION_TYPES
from conference.registration.validation import (
    MAX_NUMBER,
    Errors,
    clean_answer,
    clean_number,
)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12", 12),
        (" 12.5 ", 12.5),
        ("12,5", 12.5),
        ("-3", -3),
        ("+4.0", 4),
        (".5", 0.5),
        ("1e3", 1000),
        (7, 7),
        (2.25, 2.25),
        (MAX_NUMBER, MAX_NUMBER),
        (-MAX_NUMBER, -MAX_NUMBER),
    ],
)
def test_clean_number_reads_finite_numbers_in_range(raw, number):
    value, problem = clean_number(raw)
    assert problem is None
    assert value == number and type(value) is type(number)


@pytest.mark.parametrize(
    "raw",
    [
        "nan",
        "NaN",
        "inf",
        "-inf",
        "+inf",
        "Infinity",
        "-Infinity",
        "1e999",
        "-1e999",
        float("nan"),
        float("inf"),
        float("-inf"),
        "1_000",
        "0x10",
        "twelve",
        "1.2.3",
        True,
        [1],
        {"n": 1},
        "9" * 5000,
    ],
)
def test_clean_number_refuses_what_is_not_a_finite_number(raw):
    value, problem = clean_number(raw)
    assert value is None
    assert problem


@pytest.mark.parametrize("raw", ["1e16", 10**16, -(10**16), 1e300, "1" + "0" * 400])
def test_clean_number_refuses_numbers_beyond_the_sane_range(raw):
    value, problem = clean_number(raw)
    assert value is None
    assert "15 digits" in problem


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", float("nan"), float("inf")])
def test_a_number_question_answer_must_be_finite(raw):
    question = SimpleNamespace(id=7, type="number", required=False)
    errors = Errors()
    assert clean_answer(question, raw, errors) is None
    assert list(errors) == ["q7"]


# Every question type: what it takes (and how it is stored), what it refuses and why.
CHOICES = ["Tea", "Coffee", "Water"]


def _answer(kind, value, required=False):
    question = SimpleNamespace(id=3, type=kind, required=required, choices=CHOICES)
    errors = Errors()
    stored = clean_answer(question, value, errors)
    return stored, errors.get("q3", [])


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("short_text", "  Son   La\x00 City ", "Son La City"),
        ("short_text", "x" * 300, "x" * 300),
        ("long_text", " First line \n  second   line ", "First line\nsecond line"),
        ("long_text", "x" * 5000, "x" * 5000),
        ("single_choice", "Coffee", "Coffee"),
        ("single_choice", ["Coffee"], "Coffee"),
        ("multiple_choice", ["Water", "Tea"], ["Tea", "Water"]),  # in the question's order
        ("multiple_choice", "Tea", ["Tea"]),
        ("checkbox", True, True),
        ("checkbox", "on", True),
        ("checkbox", "yes", True),
        ("checkbox", ["on"], True),
        ("number", "12,5", 12.5),
        ("number", 3.0, 3),
        ("date", "2027-01-03", "2027-01-03"),
        ("date", date(2027, 1, 3), "2027-01-03"),
        ("country", " th ", "TH"),
        ("country", "VN", "VN"),
    ],
)
def test_each_question_type_takes_its_answers(kind, value, stored):
    assert _answer(kind, value, required=True) == (stored, [])


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("short_text", "x" * 301, "Please keep this under 300 characters."),
        ("short_text", "\x00\x01", "Please answer this question."),
        ("long_text", "x" * 5001, "Please keep this under 5000 characters."),
        ("single_choice", "Juice", "Choose one of the options."),
        ("single_choice", ["Tea", "Coffee"], "Choose one of the options."),
        ("multiple_choice", ["Tea", "Juice"], "Choose from the options given."),
        ("checkbox", False, "Please tick this box to continue."),
        ("checkbox", "no", "Please tick this box to continue."),
        ("number", "twelve", "Enter a number, like 12 or 12.5."),
        ("number", "1e16", "Enter a number of at most 15 digits before the decimal point."),
        ("date", "03/01/2027", "Enter a date as YYYY-MM-DD."),
        ("date", "2027-02-30", "Enter a date as YYYY-MM-DD."),
        ("country", "XX", "Choose a country from the list."),
        ("country", "Thailand", "Choose a country from the list."),
    ],
)
def test_each_question_type_refuses_what_it_cannot_take(kind, value, message):
    assert _answer(kind, value, required=True)[1] == [message]


@pytest.mark.parametrize("kind", [k for k in QUESTION_TYPES if k != "checkbox"])
@pytest.mark.parametrize("value", [None, "", []])
def test_an_unanswered_question_is_refused_only_when_required(kind, value):
    assert _answer(kind, value, required=False) == (None, [])
    assert _answer(kind, value, required=True) == (None, ["Please answer this question."])


@pytest.mark.parametrize("value", [None, "", False, "no", []])
def test_an_unticked_optional_checkbox_is_stored_as_no(value):
    assert _answer("checkbox", value, required=False) == (False, [])


def _cleaned(**values):
    from conference.registration.validation import RegistrationData, clean_registration

    data = RegistrationData(
        category_id=1,
        given_name="Thị Minh Khai",
        family_name="Nguyễn",
        email="khai@hanoi.example",
        country="VN",
        organisation="Ha Noi People's Committee",
        privacy_accepted=True,
    )
    for name, value in values.items():
        setattr(data, name, value)
    return clean_registration(data, [], date(2024, 10, 1))


@pytest.mark.parametrize(
    ("country", "native", "order"),
    [
        ("VN", "", "family_first"),
        ("KH", "", "family_first"),
        ("TH", "", "given_first"),
        ("ID", "", "given_first"),
        ("SG", "李显龙", "family_first"),  # the script of the native name comes first
    ],
)
def test_the_name_order_defaults_from_the_country_and_script(country, native, order):
    cleaned, errors = _cleaned(country=country, native_name=native)
    assert not errors
    assert cleaned.name_order == order


def test_the_name_order_chosen_is_kept_and_an_unknown_one_refused():
    cleaned, errors = _cleaned(name_order="given_first")
    assert not errors and cleaned.name_order == "given_first"
    cleaned, errors = _cleaned(country="TH", name_order=" family_first ")
    assert not errors and cleaned.name_order == "family_first"
    _, errors = _cleaned(name_order="surname_first")
    assert errors == {"name_order": ["Choose “Surname first” or “Surname last”."]}


def test_one_name_only_needs_no_family_name_but_saying_so():
    _, errors = _cleaned(given_name="Sukarno", family_name="", country="ID")
    assert list(errors) == ["family_name"]
    assert "tick “one name only”" in errors["family_name"][0]

    cleaned, errors = _cleaned(given_name="Sukarno", family_name="", single_name=True)
    assert not errors
    assert (cleaned.given_name, cleaned.family_name, cleaned.single_name) == ("Sukarno", "", True)

    # Written in the family name's box alone, the one name is taken as it is.
    cleaned, errors = _cleaned(given_name="", family_name="Sukarno", single_name="yes")
    assert not errors and (cleaned.given_name, cleaned.family_name) == ("Sukarno", "")


def test_one_name_only_with_two_names_given_is_refused_field_by_field():
    _, errors = _cleaned(single_name=True)  # a given and a family name both
    assert list(errors) == ["family_name"]
    assert "leave this empty" in errors["family_name"][0]
    _, errors = _cleaned(given_name="", family_name="", single_name=True)
    assert errors == {"given_name": ["Enter your name."]}
