"""The languages the site speaks, and which one a person gets: pure functions, no Flask.

Every delegate-facing page and e-mail is in English and in the national languages of
ASEAN+3. A language is named by its code (what ``?lang=``, the cookie, the database and
the API hold, and what ``<html lang>`` says) and read from its Babel locale (the folder of
its catalogue, ``conference/translations/<locale>``).

The order in which a language is chosen (:func:`choose_language`): the one asked for in the
address (``?lang=th``), then the one remembered in the browser's cookie, then the one
stored with the person (their registration, where the page knows it, else their account),
then the best match of the browser's Accept-Language, else English. A code the site does
not know, asked for in the address, gives English.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as the address, the cookie, the database and <html lang> hold it
    locale: str  # Babel's locale: the catalogue's folder, the dates' and countries' rules
    name: str  # its own name, in its own script (the language switcher's label)


ENGLISH = "en"
LANGUAGES = {
    language.code: language
    for language in (
        Language("en", "en", "English"),
        Language("th", "th", "ไทย"),
        Language("vi", "vi", "Tiếng Việt"),
        Language("id", "id", "Bahasa Indonesia"),
        Language("ms", "ms", "Bahasa Melayu"),
        Language("fil", "fil", "Filipino"),
        Language("km", "km", "ខ្មែរ"),
        Language("lo", "lo", "ລາວ"),
        Language("my", "my", "မြန်မာ"),
        Language("zh-Hans", "zh_Hans", "简体中文"),
        Language("ja", "ja", "日本語"),
        Language("ko", "ko", "한국어"),
    )
}
CODES = tuple(LANGUAGES)
TRANSLATED = tuple(code for code in CODES if code != ENGLISH)  # each has a catalogue
BY_LOCALE = {language.locale: language for language in LANGUAGES.values()}

# Tags browsers and people send for one of our languages under another name: Tagalog
# (Filipino is its standard form), the old code of Indonesian, Chinese without a script
# (zh-CN, zh-SG; zh-TW and zh-HK readers read Simplified better than English), Standard Malay.
ALIASES = {"tl": "fil", "in": "id", "zh": "zh-Hans", "zsm": "ms", "zlm": "ms"}
_LOWER = {code.lower(): code for code in CODES}


def read_language(tag: str | None) -> str | None:
    """The code of one of our languages that a language tag means, or None:
    "th", "th-TH", "TH" -> "th"; "zh-CN", "zh_Hans", "zh" -> "zh-Hans"; "tl" -> "fil"."""
    if not tag or not isinstance(tag, str) or len(tag) > 35:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag in _LOWER:
        return _LOWER[tag]
    primary = tag.split("-", 1)[0]
    if primary in _LOWER:
        return _LOWER[primary]
    return ALIASES.get(primary)


def best_accepted(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The language of ours a browser prefers most, from Accept-Language's (tag, quality)
    pairs; None when it accepts none of them."""
    ranked = sorted(
        ((quality, -position, tag) for position, (tag, quality) in enumerate(accepted)),
        reverse=True,
    )
    for quality, _, tag in ranked:
        if quality > 0:
            code = read_language(tag)
            if code:
                return code
    return None


def choose_language(
    asked: str | None,
    remembered: str | None,
    stored: Iterable[str | None],
    accepted: Iterable[tuple[str, float]],
) -> str:
    """The language of a page: ``asked`` (the address's ``lang``; one we do not know gives
    English), else ``remembered`` (the cookie), else the first of ``stored`` (the person's
    registration, their account), else the browser's best match, else English."""
    if asked is not None and asked != "":
        return read_language(asked) or ENGLISH
    for candidate in (remembered, *stored):
        code = read_language(candidate)
        if code:
            return code
    return best_accepted(accepted) or ENGLISH


def locale_of(code: str | None) -> str:
    """The Babel locale of a language code (English for one we do not know)."""
    return LANGUAGES[read_language(code) or ENGLISH].locale


def code_of(locale) -> str:
    """The language code of a Babel locale (or its name): "zh_Hans" -> "zh-Hans"."""
    language = BY_LOCALE.get(str(locale)) if locale is not None else None
    return language.code if language else ENGLISH


def N_(message: str) -> str:  # noqa: N802  (gettext's name for a marker)
    """Mark a message for translation where it is defined (a label in a table of fields);
    it is translated where it is shown, with ``gettext(message)``."""
    return message
