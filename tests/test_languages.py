"""Which language a person gets: the order of the choices, and the tags browsers send."""

import re

import pytest

from conference.languages import (
    CODES,
    LANGUAGES,
    best_accepted,
    choose_language,
    code_of,
    locale_of,
    read_language,
)


def test_the_site_speaks_english_and_the_languages_of_asean_plus_three():
    assert CODES == ("en", "th", "vi", "id", "ms", "fil", "km", "lo", "my", "zh-Hans", "ja", "ko")


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("th", "th"),
        ("th-TH", "th"),
        ("TH", "th"),
        ("zh-Hans", "zh-Hans"),
        ("zh_Hans", "zh-Hans"),
        ("zh-hans-CN", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("tl", "fil"),
        ("fil-PH", "fil"),
        ("in", "id"),
        ("ms-MY", "ms"),
        ("my-MM", "my"),
        ("en-GB", "en"),
        ("fr", None),
        ("*", None),
        ("", None),
        (None, None),
        ("x" * 100, None),
    ],
)
def test_a_language_tag_is_read_as_one_of_our_languages_or_none(tag, code):
    assert read_language(tag) == code


def test_the_browsers_most_wanted_language_we_speak_wins():
    assert best_accepted([("fr-FR", 1.0), ("vi", 0.8), ("en", 0.5)]) == "vi"
    assert best_accepted([("en", 0.4), ("ja", 0.9)]) == "ja"  # by quality, not by order
    assert best_accepted([("ko", 0.5), ("th", 0.5)]) == "ko"  # a tie: the first said
    assert best_accepted([("th", 0)]) is None  # q=0: "not this one"
    assert best_accepted([("fr", 1.0), ("de", 0.9)]) is None
    assert best_accepted([]) is None


def test_the_address_comes_first_then_the_cookie_then_the_stored_then_the_browser():
    accepted = [("ja", 1.0)]
    assert choose_language("th", "vi", ["km", "lo"], accepted) == "th"
    assert choose_language(None, "vi", ["km", "lo"], accepted) == "vi"
    assert choose_language(None, None, ["km", "lo"], accepted) == "km"
    assert choose_language(None, None, [None, "lo"], accepted) == "lo"
    assert choose_language(None, None, [None, None], accepted) == "ja"
    assert choose_language(None, None, [], []) == "en"


def test_an_unknown_language_in_the_address_gives_english():
    assert choose_language("xx", "vi", ["km"], [("ja", 1.0)]) == "en"
    assert choose_language("", "vi", [], []) == "vi"  # an empty lang= asks for nothing


def test_a_cookie_or_stored_value_we_do_not_know_is_passed_over():
    assert choose_language(None, "klingon", ["nope", "my"], []) == "my"


def test_codes_and_babel_locales_map_both_ways():
    assert locale_of("zh-Hans") == "zh_Hans"
    assert locale_of("fil") == "fil"
    assert locale_of("xx") == "en"
    assert code_of("zh_Hans") == "zh-Hans"
    assert code_of("km") == "km"
    assert code_of(None) == "en"


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_a_moment_is_written_in_every_language_with_its_date_time_and_zone(code):
    """The event page's "registration closes" line, the history's times...: CLDR has no
    date-and-time skeleton in most languages, and asking for one raised in all of them."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from conference.formatting import format_datetime

    written = format_datetime(
        datetime(2024, 10, 29, 2, 5, tzinfo=UTC), ZoneInfo("Asia/Bangkok"), LANGUAGES[code].locale
    )
    assert "2024" in written and re.search(r"\b0?9[:.]05\b", written), written
    assert written.endswith(")") and "(" in written  # the zone, always named
