"""The message catalogues: the messages the code uses (extracted from the Python code and the
templates, as babel.cfg says), each language's catalogue brought up to date, compiled, and
checked for a message missing. Babel only: no Flask, no database.

``flask --app conference translations extract|update|compile|check`` runs these
(docs/development.md, "Translations").
"""

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from conference.files import atomic_write
from conference.languages import LANGUAGES, TRANSLATED

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "conference" / "translations"
MAPPING = ROOT / "babel.cfg"
DOMAIN = "messages"
# gettext's own names, and Flask-Babel's lazy ones (form labels, made before any request).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}
COMMENT_TAGS = ("TRANSLATORS:",)
SEARCHED = ("conference", "templates")  # never node_modules, static or the tests


def catalogue_path(locale: str, source: Path = SOURCE, suffix: str = ".po") -> Path:
    """Where a locale's catalogue lives: ``<source>/<locale>/LC_MESSAGES/messages.po``."""
    return source / locale / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def extract(root: Path = ROOT, mapping: Path = MAPPING) -> Catalog:
    """Every message the code and the templates mark for translation, with where it is."""
    with mapping.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(mapping))

    def searched(path: str) -> bool:
        relative = os.path.relpath(path, root)
        return relative == "." or relative.split(os.sep)[0] in SEARCHED

    template = Catalog(project="conference", charset="utf-8", fuzzy=False)
    found = extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=searched,
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            None,
            [(filename.replace(os.sep, "/"), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    """A .po file as a Catalog."""
    with path.open("rb") as po:
        return read_po(po, locale=locale, domain=DOMAIN)


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    """A Catalog as a .po file: sorted by where each message is used, file names without
    line numbers (so a line added above a message does not change every catalogue)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, path.with_name(f"{path.name}.{os.getpid()}.part")) as out:
        write_po(out, catalogue, width=100, include_lineno=False, ignore_obsolete=True)


def update(
    template: Catalog, source: Path = SOURCE, codes: Iterable[str] = TRANSLATED
) -> list[Path]:
    """Bring each language's catalogue up to date with the messages the code uses: new ones
    added untranslated, gone ones dropped (a changed one is kept, marked fuzzy, for its
    translator to check). A language without a catalogue gets one."""
    written = []
    for code in codes:
        locale = LANGUAGES[code].locale
        path = catalogue_path(locale, source)
        if path.exists():
            catalogue = read_catalogue(path, locale)
        else:
            catalogue = Catalog(locale=locale, project="conference", charset="utf-8")
        catalogue.update(template, update_header_comment=False)
        catalogue.header_comment = (
            f"# {LANGUAGES[code].name} ({code}): the conference site's delegate-facing pages and "
            f"e-mails.\n# Its words: conference/translations/glossary/{code}.md."
        )
        catalogue.fuzzy = False  # the header; a message's own flag says whether to confirm it
        catalogue.last_translator = "conference contributors"
        catalogue.language_team = f"{LANGUAGES[code].name} <{code}>"
        write_catalogue(catalogue, path)
        written.append(path)
    return written


def compile_catalogue(po: Path, mo: Path) -> None:
    """A .po compiled to its .mo (what gettext reads), written whole or not at all; fuzzy
    translations are left out (the English shows until a translator confirms them)."""
    catalogue = read_catalogue(po)
    mo.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(mo, mo.with_name(f"{mo.name}.{os.getpid()}.part")) as out:
        write_mo(out, catalogue, use_fuzzy=False)


def compile_all(source: Path = SOURCE, target: Path | None = None, *, force: bool = False):
    """Compile every catalogue under ``source`` into ``target`` (beside each .po when None)
    whose compiled copy is missing or older than it; the compiled ones' paths."""
    target = target or source
    compiled = []
    for po in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            compile_catalogue(po, mo)
            compiled.append(mo)
    return compiled


_ready: dict[tuple[Path, Path], Path] = {}


def ensure_compiled(source: Path, fallback: Path) -> Path:
    """The folder of compiled catalogues, compiled first where missing or stale: beside the
    sources when their folder can be written (a checkout), else in ``fallback`` (an
    installation whose package is read-only). Checked once per process."""
    key = (source, fallback)
    if key not in _ready:
        target = source if os.access(source, os.W_OK) else fallback
        compile_all(source, target)
        _ready[key] = target
    return _ready[key]


@dataclass(frozen=True)
class Problem:
    """A message a catalogue lacks (untranslated, or fuzzy: not confirmed) or gets wrong
    (a placeholder missing from its translation)."""

    code: str
    message: str
    problem: str


def check(template: Catalog, source: Path = SOURCE, codes: Iterable[str] = TRANSLATED):
    """Every problem of every language's catalogue against the messages the code uses."""
    problems: list[Problem] = []
    for code in codes:
        locale = LANGUAGES[code].locale
        path = catalogue_path(locale, source)
        if not path.exists():
            problems.append(Problem(code, "", f"no catalogue at {path}"))
            continue
        catalogue = read_catalogue(path, locale)
        for message in template:
            if not message.id:
                continue
            translated = catalogue.get(message.id, context=message.context)
            if translated is None:
                problems.append(Problem(code, _shown(message.id), "missing"))
            elif translated.fuzzy:
                problems.append(Problem(code, _shown(message.id), "fuzzy: to confirm"))
            elif not all(translated.string if message.pluralizable else [translated.string]):
                problems.append(Problem(code, _shown(message.id), "not translated"))
            else:
                problems.extend(
                    Problem(code, _shown(message.id), problem)
                    for problem in kept_apart(message.id, translated.string)
                )
        for message, errors in catalogue.check():
            if message.id and not message.fuzzy:
                for error in errors:
                    problems.append(Problem(code, _shown(message.id), str(error)))
    return problems


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_TAG = re.compile(r"<[^>]+>")


def kept_apart(message_id, string) -> list[str]:
    """What a translation lost of its message: a named placeholder (the event's title, a
    date) or a piece of markup (a link, the name's preview). Babel's own check finds only a
    placeholder the English does not have."""
    ids = list(message_id) if isinstance(message_id, tuple | list) else [message_id]
    strings = list(string) if isinstance(string, tuple | list) else [string]
    problems = []
    # Every form carries the plural's placeholders (a language's "one" may hold 21, 31...).
    needed = set(_PLACEHOLDER.findall(ids[-1]))
    for form in strings:
        lost = needed - set(_PLACEHOLDER.findall(form))
        if lost:
            problems.append(f"placeholder lost: {', '.join(sorted(lost))}")
        if sorted(_TAG.findall(form)) != sorted(_TAG.findall(ids[-1])):
            problems.append("markup changed: keep every tag of the English as it is")
    return problems


def _shown(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple | list) else message_id
