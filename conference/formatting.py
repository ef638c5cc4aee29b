"""How dates, times and choices read on pages and in e-mails (pure functions; filters).

English is written as it always was here ("29–30 October 2024", "29 Oct 2024, 09:02
(Asia/Bangkok)"); every other language as Babel (the Unicode CLDR) says it writes dates,
time zones and country names. ``locale`` is a Babel locale name ("th", "zh_Hans"); None or
"en" is English.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from functools import cache, lru_cache

import pycountry
from babel import Locale
from babel.dates import format_interval, format_skeleton, get_timezone_location
from markupsafe import Markup, escape

from conference.names import name_and_native


def _english(locale: str | None) -> bool:
    return not locale or locale == "en"


def timezone_name(zone: tzinfo | str | None, locale: str | None = None) -> str:
    """The time zone named as the reader knows it: "Asia/Bangkok" in English, "เวลาประเทศไทย",
    "Giờ Thái Lan", "タイ時間" in Thai, Vietnamese, Japanese."""
    key = zone if isinstance(zone, str) else getattr(zone, "key", None)
    if not key:
        return (zone.tzname(None) if zone is not None else None) or "UTC"
    if not _english(locale):
        try:
            return get_timezone_location(key, locale=locale)
        except (LookupError, ValueError):
            pass  # a zone CLDR does not know: its name as is
    return key.replace("_", " ")


def format_datetime(
    moment: datetime | None, tz: tzinfo | None = None, locale: str | None = None
) -> str:
    """'29 Oct 2024, 09:02 (Asia/Bangkok)': always with the zone it is shown in."""
    if moment is None:
        return ""
    zone = tz or UTC
    local = moment.astimezone(zone)
    if _english(locale):
        label = getattr(zone, "key", None) or local.tzname() or "UTC"
        return f"{local.day} {local:%b %Y, %H:%M} ({label.replace('_', ' ')})"
    # CLDR has no date-and-time skeleton in most languages (yMMMdHm raised KeyError in
    # every one): the date and the 24-hour time, joined as the language joins them.
    naive = local.replace(tzinfo=None)
    joined = str(Locale.parse(locale).datetime_formats["medium"])
    when = joined.replace("{1}", format_skeleton("yMMMd", naive, locale=locale)).replace(
        "{0}", format_skeleton("Hm", naive, locale=locale)
    )
    return f"{when} ({timezone_name(zone, locale)})"


def format_date_range(start: date, end: date, locale: str | None = None) -> str:
    """'29–30 October 2024', '30 September – 2 October 2024', '30 Dec 2024 – 2 Jan 2025';
    '29–30 ตุลาคม 2024', '2024年10月29日～30日' in Thai and Japanese."""
    if not _english(locale):
        return format_interval(start, end, "yMMMMd", locale=locale)
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if start.year != end.year:
        return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day}–{end.day} {end:%B %Y}"


@lru_cache(maxsize=512)  # a few hundred codes, each looked up for many rows
def country_name(code: str | None, locale: str | None = None) -> str:
    """'TH' -> 'Thailand' ('ประเทศไทย' in Thai; the code itself when unknown)."""
    if not code:
        return ""
    if not _english(locale):
        return country_names(locale).get(code.upper(), code)
    country = pycountry.countries.get(alpha_2=code.upper())
    return getattr(country, "common_name", None) or (country.name if country else code)


@cache
def country_names(locale: str | None = None) -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's name in this locale, for every country ISO
    lists (English: as ISO names it, "Viet Nam"; a name CLDR lacks: ISO's)."""
    territories = {} if _english(locale) else Locale.parse(locale).territories
    return {c.alpha_2: territories.get(c.alpha_2) or c.name for c in pycountry.countries}


_THAI_LEADING_VOWELS = "เแโใไ"


def _sort_key(name: str) -> str:
    """Dictionary order, near enough: Thai sorts a leading vowel after its consonant."""
    if name[:1] in _THAI_LEADING_VOWELS and len(name) > 1:
        name = name[1] + name[0] + name[2:]
    return name.casefold()


@cache
def country_choices(locale: str | None = None) -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, in the order of their names in this locale."""
    return tuple(sorted(country_names(locale).items(), key=lambda item: _sort_key(item[1])))


def answer_text(value) -> str:
    """An answer to a custom question, as a person reads it."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "" if value is None else str(value)


def reject_keys(mapping, *keys) -> dict:
    """The mapping without some keys (to rebuild a query string)."""
    return {k: v for k, v in mapping.items() if k not in keys}


def options(choices: Iterable[tuple], selected=None) -> Markup:
    """<option> elements for (value, label) pairs, the one whose value is ``selected``
    marked: made in one join, where a template loop over an event's thousand delegations
    cost the list page several milliseconds."""
    return Markup(  # noqa: S704 (every value and label is escaped here)
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


def register(app, locale=lambda: None) -> None:
    """Make the formatters available to templates; ``locale`` gives the Babel locale being
    rendered (conference/i18n.py's ``current_locale``)."""
    app.add_template_filter(
        lambda moment, tz=None: format_datetime(moment, tz, locale()), "datetime"
    )
    app.add_template_filter(lambda start, end: format_date_range(start, end, locale()), "daterange")
    app.add_template_filter(lambda zone: timezone_name(zone, locale()), "timezone_name")
    app.add_template_filter(lambda code: country_name(code, locale()), "country_name")
    app.add_template_filter(answer_text, "answer_text")
    app.add_template_filter(reject_keys, "reject_keys")
    app.add_template_filter(options, "options")
    app.add_template_global(lambda: datetime.now(UTC), "now")
    app.add_template_global(name_and_native, "name_and_native")
