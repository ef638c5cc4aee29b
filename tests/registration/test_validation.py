"""The pure checks of what a delegate sends: no app, no database."""

from types import SimpleNamespace

import pytest

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
