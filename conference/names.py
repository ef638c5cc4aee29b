"""People's names as they write them: which comes first, the given or the family name, and
one name written twice (in Latin letters and in the person's own script) shown once.

A registration keeps a given name, a family name (empty for someone with one name only, as
many Indonesians and Burmese have) and the order in which the person writes them. That
order is the person's to choose; the default comes from the script of the name they write
in their own script, else from their country: Vietnamese, Khmer, Chinese, Japanese, Korean
and Hungarian names are written family name first ("Nguyễn Thị Minh Khai", "Wang Xiaoming",
"Kovács János"); Thai, Lao, Malay, Indonesian and Filipino names given name first.

Every page, badge, letter, e-mail, list and export composes a full name here. Pure
functions: no Flask, no database. ``static/js/names.js`` applies the same rules in the
browser (the registration form's preview, the scanner's offline list), with the defaults
handed to it by :func:`order_rules`.
"""

import unicodedata
from enum import StrEnum


class NameOrder(StrEnum):
    """How a person writes their name; equal to the string stored in ``registration.name_order``."""

    GIVEN_FIRST = "given_first"
    FAMILY_FIRST = "family_first"


NAME_ORDER_LABELS = {
    NameOrder.GIVEN_FIRST: "Given name first",
    NameOrder.FAMILY_FIRST: "Family name first",
}

# ISO 3166 countries whose people write the family name first. Everywhere else the given
# name comes first by default: Thailand, Laos, Malaysia, Indonesia, the Philippines,
# Myanmar (where most people have no family name), Singapore and Brunei among them.
FAMILY_FIRST_COUNTRIES = frozenset(
    {
        "CN",  # China
        "HK",  # Hong Kong
        "MO",  # Macao
        "TW",  # Taiwan
        "JP",  # Japan
        "KR",  # Republic of Korea
        "KP",  # Democratic People's Republic of Korea
        "VN",  # Viet Nam
        "KH",  # Cambodia
        "HU",  # Hungary
    }
)

# A name written in these scripts (or with these letters) says how the person writes it,
# whatever their country: a Chinese name from Singapore or Malaysia is written family name
# first, a Thai name given name first. (first code point, last code point, order).
SCRIPTS = (
    (0x0150, 0x0151, NameOrder.FAMILY_FIRST),  # Ő ő: Hungarian
    (0x0170, 0x0171, NameOrder.FAMILY_FIRST),  # Ű ű: Hungarian
    (0x01A0, 0x01A1, NameOrder.FAMILY_FIRST),  # Ơ ơ: Vietnamese
    (0x01AF, 0x01B0, NameOrder.FAMILY_FIRST),  # Ư ư: Vietnamese
    (0x0E00, 0x0E7F, NameOrder.GIVEN_FIRST),  # Thai
    (0x0E80, 0x0EFF, NameOrder.GIVEN_FIRST),  # Lao
    (0x1000, 0x109F, NameOrder.GIVEN_FIRST),  # Myanmar
    (0x1100, 0x11FF, NameOrder.FAMILY_FIRST),  # Hangul jamo
    (0x1780, 0x17FF, NameOrder.FAMILY_FIRST),  # Khmer
    (0x19E0, 0x19FF, NameOrder.FAMILY_FIRST),  # Khmer symbols
    (0x1EA0, 0x1EF9, NameOrder.FAMILY_FIRST),  # Vietnamese letters: ạ ả ấ ầ ẩ … ễ … ỹ
    (0x3040, 0x30FF, NameOrder.FAMILY_FIRST),  # Hiragana, Katakana
    (0x3130, 0x318F, NameOrder.FAMILY_FIRST),  # Hangul compatibility jamo
    (0x3400, 0x4DBF, NameOrder.FAMILY_FIRST),  # CJK unified ideographs, extension A
    (0x4E00, 0x9FFF, NameOrder.FAMILY_FIRST),  # CJK unified ideographs
    (0xAC00, 0xD7AF, NameOrder.FAMILY_FIRST),  # Hangul syllables
    (0xF900, 0xFAFF, NameOrder.FAMILY_FIRST),  # CJK compatibility ideographs
    (0x20000, 0x3134F, NameOrder.FAMILY_FIRST),  # CJK unified ideographs, extensions B to G
)


def order_of_script(text: str) -> NameOrder | None:
    """The order a name written so implies: from its first letter in one of SCRIPTS."""
    for char in unicodedata.normalize("NFC", text or ""):
        code = ord(char)
        for first, last, order in SCRIPTS:
            if first <= code <= last:
                return order
    return None


def default_order(country: str, native_name: str = "") -> NameOrder:
    """How a person most likely writes their name: as the script of the name in their own
    script says, else as is usual in their country, else given name first."""
    by_script = order_of_script(native_name)
    if by_script is not None:
        return by_script
    if (country or "").strip().upper() in FAMILY_FIRST_COUNTRIES:
        return NameOrder.FAMILY_FIRST
    return NameOrder.GIVEN_FIRST


def read_order(value) -> NameOrder | None:
    """The NameOrder a form or a JSON body names, or None for anything else."""
    try:
        return NameOrder(value)
    except ValueError:
        return None


def full_name(given: str, family: str, order: str) -> str:
    """The given and family names in the person's order: "Nguyễn Thị Minh Khai",
    "Somchai Jaidee"; one name alone when there is one ("Sukarno")."""
    parts = (family, given) if order == NameOrder.FAMILY_FIRST else (given, family)
    return " ".join(p.strip() for p in parts if p and p.strip())


def formal_name(title: str, given: str, family: str, order: str) -> str:
    """The full name after the title, as letters and e-mails address a person:
    "Ms Nguyễn Thị Minh Khai", "Dr Somchai Jaidee"."""
    return " ".join(p for p in ((title or "").strip(), full_name(given, family, order)) if p)


def sort_key(given: str, family: str) -> tuple[str, str]:
    """Lists sorted by family name: someone with one name only sorts by it."""
    given, family = (given or "").casefold(), (family or "").casefold()
    return (family or given, given if family else "")


_PUNCTUATION = ".,;:()[]\"'“”‘’"


def _fold(word: str) -> str:
    """Lower case, without diacritics or the punctuation around it: "Nguyễn," -> "nguyen"."""
    if word.isascii():
        return word.strip(_PUNCTUATION).casefold()
    text = unicodedata.normalize("NFKD", word).replace("đ", "d").replace("Đ", "D")
    return (
        "".join(ch for ch in text if not unicodedata.combining(ch)).strip(_PUNCTUATION).casefold()
    )


def _words(text: str) -> list[str]:
    """Folded words, punctuation around them aside."""
    words = (_fold(w) for w in (text or "").split())
    return [w for w in words if w]


def same_name(one: str, other: str) -> bool:
    """Whether two writings are one name: the same words in any order, letter case and
    diacritics aside ("Nguyen Thi Minh Khai" and "Thị Minh Khai Nguyễn" are)."""
    words = _words(one)
    return bool(words) and sorted(words) == sorted(_words(other))


def name_and_native(name: str, native: str) -> tuple[str, str]:
    """The name to show, and the name in the person's own script to show beside it.

    When the native name only writes the same name again (a Vietnamese name with its
    diacritics, in whatever order), it is shown once: in the native spelling, after what
    precedes the name (a title: "Ms"), and nothing beside it. A name in another script
    ("Somchai Jaidee", "สมชาย ใจดี") is shown beside."""
    name, native = (name or "").strip(), (native or "").strip()
    if not native:
        return name, ""
    if not name:
        return native, ""
    target = sorted(_words(native))
    words = name.split()
    folded = [_fold(w) for w in words]
    for start in range(len(words)):
        tail = [w for w in folded[start:] if w]
        if len(tail) < len(target):
            break
        if tail and sorted(tail) == target:
            return " ".join([*words[:start], native]), ""
    return name, native


def badge_names(
    *, title: str, given: str, family: str, order: str, native: str, badge_name: str = ""
) -> tuple[str, str]:
    """(the name in the person's own script, the name in Latin letters) as a badge prints
    them, the first "" when there is none or it is the same name: a badge never prints one
    name twice. The Latin name is the name chosen for the badge, else the formal name."""
    latin = (badge_name or "").strip() or formal_name(title, given, family, order)
    shown, beside = name_and_native(latin, native)
    return beside, shown


def order_rules() -> dict:
    """The defaults as data, for static/js/names.js: {"family_first_countries": [codes],
    "scripts": [[first code point, last code point, order], ...]}."""
    return {
        "family_first_countries": sorted(FAMILY_FIRST_COUNTRIES),
        "scripts": [[first, last, str(order)] for first, last, order in SCRIPTS],
    }
