"""Countries as people name them: the list a filter offers (names, each standing for its
ISO 3166-1 code) and the code a typed name or code stands for. Pure: no Flask, no database.
"""

import unicodedata
from functools import cache

import pycountry
from markupsafe import Markup, escape

from conference.formatting import country_name


def _folded(text: str) -> str:
    """Lower case without diacritics or spaces around: " Côte d'Ivoire" -> "cote d'ivoire"."""
    text = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).casefold().split())


@cache
def country_list() -> tuple[tuple[str, str], ...]:
    """(code, name) of every country, by the name pages show (country_name)."""
    return tuple(
        sorted(
            ((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries),
            key=lambda pair: _folded(pair[1]),
        )
    )


@cache
def _codes_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("official_name", "name", "common_name"):  # the shorter names win
            value = getattr(country, attribute, None)
            if value:
                names[_folded(value)] = country.alpha_2
        names[_folded(country_name(country.alpha_2))] = country.alpha_2
    return names


def find_country(text: str | None) -> str | None:
    """The code of the country ``text`` names: its code of two or three letters in either
    case ("TH", "th", "THA") or its name, as pages show it or as ISO 3166 writes it
    ("Vietnam", "Viet Nam", "viet nam"); None when it names none."""
    text = (text or "").strip()
    if len(text) in (2, 3) and text.isascii() and text.isalpha():
        key = "alpha_2" if len(text) == 2 else "alpha_3"
        country = pycountry.countries.get(**{key: text.upper()})
        if country is not None or len(text) == 2:
            return country.alpha_2 if country else None
    return _codes_by_name().get(_folded(text))


@cache
def country_datalist_options() -> Markup:
    """The <option>s of a <datalist> of every country: the name to fill in, the code beside."""
    return Markup(  # noqa: S704 (every name and code is escaped here)
        "".join(
            f'<option value="{escape(name)}">{escape(code)}</option>'
            for code, name in country_list()
        )
    )
