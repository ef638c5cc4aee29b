"""The placeholders an organiser writes in a message to delegates: ``{name}``,
``{manage_link}``... replaced by each recipient's own, in a text part and an HTML part.

The syntax is small and checked before anything is sent: a placeholder is a known word in
single braces; a brace itself is typed twice (``{{`` gives ``{``). Anything else between
braces (an unknown word, ``{name.__class__}``, ``{0}``, ``{name!r}``, ``{{name}}``) or a
lone brace is refused, each named, so that no delegate ever receives a half-made e-mail.

Substitution is one pass over the organiser's text: a value is never read again for
placeholders (a delegate named "{manage_link}" stays so named) and nothing is evaluated
(no ``str.format``, so no attribute or index lookups). In the HTML part every piece, the
organiser's words and the values alike, is escaped; link placeholders become links.

Pure: no Flask, no database.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape

# Each placeholder, with what it stands for (the compose page lists them).
PLACEHOLDERS = {
    "name": "their name as they write it (Nguyễn Thị Minh Khai, Somchai Jaidee)",
    "formal_name": "their title and name (Ms Nguyễn Thị Minh Khai)",
    "given_name": "their given name (Minh Khai, Somchai)",
    "event": "the event's title",
    "manage_link": "their private link to their registration",
    "badge_link": "their badge on their phone (for confirmed registrations)",
    "agenda_link": "their personal agenda",
}
LINKS = frozenset({"manage_link", "badge_link", "agenda_link"})

# A pair of braces and what is between them, a doubled brace, or a lone one.
_TOKEN = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]")
_WORD = re.compile(r"[a-z_]+")
# "{{name}}", "{{ name }}": a placeholder written as other template languages write them.
_DOUBLED = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")
_SHOWN = 40  # how much of a refused piece a message quotes


@dataclass(frozen=True)
class Placeholder:
    """A placeholder in a parsed text: the value of ``name`` goes there."""

    name: str


Piece = str | Placeholder


class PlaceholderError(ValueError):
    """The text holds placeholders that cannot be filled; ``problems`` says which."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _quoted(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _known_list() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def parse(template: str) -> tuple[Piece, ...]:
    """The text as literal pieces and placeholders; PlaceholderError naming every
    unknown or malformed placeholder (each once, in the order written)."""
    pieces: list[Piece] = []
    unknown: list[str] = []
    malformed: list[str] = []
    doubled_words: list[str] = []
    doubled = {m.start(): m for m in _DOUBLED.finditer(template)}
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() < position:
            continue  # inside a doubled placeholder already refused
        pieces.append(template[position : match.start()])
        token = match.group()
        position = match.end()
        if match.start() in doubled:
            whole = doubled[match.start()]
            doubled_words.append(whole.group())
            position = whole.end()
        elif token in ("{{", "}}"):
            pieces.append(token[0])
        elif len(token) == 1:
            malformed.append(token)
        else:
            inner = token[1:-1]
            if inner in PLACEHOLDERS:
                pieces.append(Placeholder(inner))
            elif _WORD.fullmatch(inner):
                unknown.append(token)
            else:
                malformed.append(token)
    pieces.append(template[position:])
    problems = []
    if unknown:
        distinct = list(dict.fromkeys(unknown))
        named = ", ".join(_quoted(t) for t in distinct)
        problems.append(f"Unknown placeholder{'s' if len(distinct) > 1 else ''}: {named}.")
    if malformed:
        named = ", ".join(_quoted(t) for t in dict.fromkeys(malformed))
        problems.append(
            f"Not a placeholder: {named}. Write a placeholder as one word in single braces, "
            "like {name}; to write a brace itself, type it twice: {{ or }}."
        )
    if doubled_words:
        named = ", ".join(_quoted(t) for t in dict.fromkeys(doubled_words))
        problems.append(f"Placeholders take single braces, like {{name}}: {named}.")
    if problems:
        problems.append(f"The placeholders are {_known_list()}.")
        raise PlaceholderError(problems)
    return tuple(p for p in pieces if p != "")


def problems(template: str) -> list[str]:
    """What is wrong with the placeholders of a text; empty when it can be sent."""
    try:
        parse(template)
    except PlaceholderError as exc:
        return exc.problems
    return []


def used(pieces: tuple[Piece, ...]) -> set[str]:
    """The placeholders a parsed text uses."""
    return {p.name for p in pieces if isinstance(p, Placeholder)}


def _one_line(value: str) -> str:
    # A value is a name or a link: it never brings line breaks (or paragraphs) of its own.
    return " ".join(str(value).split())


def render_text(pieces: tuple[Piece, ...], values: Mapping[str, str]) -> str:
    """The text with each placeholder replaced by its value (a missing value: nothing)."""
    return "".join(
        _one_line(values.get(p.name, "")) if isinstance(p, Placeholder) else p for p in pieces
    )


# An address the organiser typed, in escaped text: up to a space or the end of the text.
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)"


def _link(url: str) -> str:
    """An anchor for an already escaped address (its text and its href alike)."""
    return f'<a href="{url}">{url}</a>'


def _linked(escaped: str) -> str:
    """Escaped text with the web addresses in it made links (trailing punctuation left out)."""

    def replace(match: re.Match) -> str:
        url = match.group()
        stripped = url.rstrip(_TRAILING)
        # "&amp;" and the like are escaped characters of the address, not punctuation.
        return _link(stripped) + url[len(stripped) :]

    return _URL.sub(replace, escaped)


def render_html(pieces: tuple[Piece, ...], values: Mapping[str, str]) -> Markup:
    """The text as HTML paragraphs: everything escaped, a blank line a new paragraph, a
    line break a <br>, web addresses and link placeholders as links."""
    parts = []
    for piece in pieces:
        if isinstance(piece, Placeholder):
            value = str(escape(_one_line(values.get(piece.name, ""))))
            parts.append(_link(value) if piece.name in LINKS and value else value)
        else:
            parts.append(_linked(str(escape(piece))))
    html = "".join(parts).replace("\r\n", "\n")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", html)]
    return Markup(  # noqa: S704 (every piece was escaped above)
        "\n".join(f"<p>{p.replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs if p.strip())
    )
