"""How dates, times and choices read on pages and in e-mails (pure functions; filters)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache

import pycountry
from markupsafe import Markup, escape

from conference.names import name_and_native


def format_datetime(moment: datetime | None, tz: tzinfo | None = None) -> str:
    """'29 Oct 2024, 09:02 (Asia/Bangkok)': always with the zone it is shown in."""
    if moment is None:
        return ""
    zone = tz or UTC
    local = moment.astimezone(zone)
    label = getattr(zone, "key", None) or local.tzname() or "UTC"
    return f"{local.day} {local:%b %Y, %H:%M} ({label.replace('_', ' ')})"


def format_date_range(start: date, end: date) -> str:
    """'29–30 October 2024', '30 September – 2 October 2024', '30 Dec 2024 – 2 Jan 2025'."""
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if start.year != end.year:
        return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"
    if start.month != end.month:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day}–{end.day} {end:%B %Y}"


@lru_cache(maxsize=512)  # a few hundred codes, each looked up for many rows
def country_name(code: str | None) -> str:
    """'TH' -> 'Thailand' (the code itself when unknown)."""
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code.upper())
    return getattr(country, "common_name", None) or (country.name if country else code)


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


def register(app) -> None:
    """Make the formatters available to templates."""
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date_range, "daterange")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(answer_text, "answer_text")
    app.add_template_filter(reject_keys, "reject_keys")
    app.add_template_filter(options, "options")
    app.add_template_global(lambda: datetime.now(UTC), "now")
    app.add_template_global(name_and_native, "name_and_native")
