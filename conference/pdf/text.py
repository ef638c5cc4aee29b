"""Text in every PDF: Latin with Vietnamese, Thai, Khmer, Lao, Burmese, Chinese, Japanese, Korean.

All PDF code draws and measures text through this module, so a name prints the same way on a
badge, a letter or in the programme: shaped (stacked Thai/Khmer/Lao/Burmese marks, reordering)
and with no missing-glyph boxes.

How it works: text is NFC-normalised, cut into runs, each run in the first font of a fallback
chain whose character map covers it (combining marks and spaces stay with the run they belong
to), each run shaped with HarfBuzz through ReportLab (``shapeStr``) and measured, and the runs
are drawn one after the other. The fonts are vendored in ``fonts/`` (see its README) and
registered lazily, once per process.

The fallback chain is Noto Sans (Latin, Vietnamese) first, then Noto Sans Thai, Khmer, Lao and
Myanmar, then the CJK fonts. Latin must come first because the CJK fonts lack some Vietnamese
letters. Han characters have different preferred forms in China, Japan and Korea, so the CJK
font comes from the delegate's country; Hangul always prefers the Korean font and kana the
Japanese one.

The text layer (what a reader copies, searches and extracts) holds the characters typed:
each glyph is named by the character it was shaped from, not by another one the font gives
the same glyph (IPAexGothic lists Kangxi radicals first for 山 田 木 子 高 一), and a run
whose glyphs cannot spell it (shaped Thai, Khmer, Lao, Burmese: private-use glyphs, vowels
drawn before their consonant, marks moved onto their base) carries it as ActualText.

A character that no font covers (an emoji, a private-use character) is never drawn as a silent
box. By default it is printed as ``?`` and a warning is logged, so a whole batch of badges is
not lost to one odd character; with ``strict=True`` a :class:`MissingGlyphError` is raised
instead. :func:`unsupported_characters` lets a form reject such names before any PDF is made.
"""

import functools
import logging
import math
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeFragWord, shapeStr

if ttfonts.uharfbuzz is None:
    # Without it ReportLab silently draws Thai, Khmer, Lao and Burmese unshaped.
    raise ImportError("conference.pdf.text needs uharfbuzz for shaping: pip install uharfbuzz")

__all__ = [
    "CJK_FONT_BY_COUNTRY",
    "FONT_DIR",
    "MissingGlyphError",
    "base_font",
    "draw_paragraph",
    "draw_text",
    "fit_size",
    "register_fonts",
    "text_runs",
    "text_width",
    "unsupported_characters",
    "wrap_lines",
]

log = logging.getLogger(__name__)

# ASCII85 makes every compressed stream a quarter bigger (5 characters per 4 bytes) and costs
# time; every PDF reader takes binary streams. Set here, as every PDF passes through here.
rl_config.useA85 = 0

FONT_DIR = Path(__file__).with_name("fonts")

# Face key -> (regular file, bold file or None). Without a bold file, bold is made by stroking
# the outlines (see _FAKE_BOLD_STROKE): no CJK bold face is worth its megabytes here.
_FACE_FILES: dict[str, tuple[str, str | None]] = {
    "latin": ("noto/NotoSans-Regular.ttf", "noto/NotoSans-Bold.ttf"),
    "thai": ("noto/NotoSansThai-Regular.ttf", "noto/NotoSansThai-Bold.ttf"),
    "khmer": ("noto/NotoSansKhmer-Regular.ttf", "noto/NotoSansKhmer-Bold.ttf"),
    "lao": ("noto/NotoSansLao-Regular.ttf", "noto/NotoSansLao-Bold.ttf"),
    "myanmar": ("noto/NotoSansMyanmar-Regular.ttf", "noto/NotoSansMyanmar-Bold.ttf"),
    "zh": ("wqy-zenhei/wqy-zenhei.ttf", None),
    "ja": ("ipaexfont/ipaexg.ttf", None),
    "ko": ("nanum/NanumGothic.ttf", None),
}
_SCRIPT_FACES = ("latin", "thai", "khmer", "lao", "myanmar")
_CJK_FACES = ("zh", "ja", "ko")

# ISO 3166 alpha-2 -> CJK face whose Han glyph forms the delegate expects.
CJK_FONT_BY_COUNTRY = {
    "CN": "zh",
    "TW": "zh",
    "HK": "zh",
    "MO": "zh",
    "SG": "zh",
    "JP": "ja",
    "KR": "ko",
    "KP": "ko",
}

# Stroke width, in em, that emboldens a face that has no bold file.
_FAKE_BOLD_STROKE = 0.03

# First baseline of a paragraph sits this many em below its top; default leading in em.
_FIRST_BASELINE = 1.0
_LEADING = 1.4

_MISSING_REPLACEMENT = "?"

# Latin without ligatures: a ligature glyph extracts as one character (U+FB03 for "ffi"),
# so "Officer" or a name copied out of a letter would not match. ReportLab's defaults
# (kern, liga, dlig) stay for the other scripts.
_LATIN_FEATURES = {"kern": True, "liga": False, "dlig": False}

_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))


class MissingGlyphError(ValueError):
    """No bundled font has a glyph for a character of the text."""

    def __init__(self, char: str, text: str):
        self.char = char
        self.codepoint = ord(char)
        self.text = text
        name = unicodedata.name(char, "unnamed character")
        super().__init__(f"No font covers U+{ord(char):04X} {name} ({char!r}) in {text!r}")


@dataclass(frozen=True)
class _Face:
    font_name: str
    coverage: frozenset[int]
    fake_bold: bool
    ligatures: bool


@dataclass(frozen=True)
class _Run:
    font_name: str
    source: str  # the characters of the run, after NFC and any '?' substitution
    drawable: str  # what canvas.drawString draws: a ShapedStr, or the plain text
    em_width: float  # advance width at 1 pt
    fake_bold: bool
    # The marked-content operator that gives the text layer the source characters when the
    # drawn glyphs do not spell them (see _actual_text); None when they do.
    actual_text: str | None = None


_load_lock = threading.Lock()
_shape_lock = threading.Lock()  # shapeStr adds private-use code points to the font's maps
_faces: dict[tuple[str, bool], _Face] = {}


def _face(key: str, bold: bool) -> _Face:
    face = _faces.get((key, bold))
    if face is None:
        with _load_lock:
            face = _faces.get((key, bold))
            if face is None:
                face = _faces[(key, bold)] = _load_face(key, bold)
    return face


def _load_face(key: str, bold: bool) -> _Face:
    regular, bold_file = _FACE_FILES[key]
    filename = bold_file if bold and bold_file else regular
    font_name = Path(filename).stem
    if font_name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(font_name)
    else:
        font = TTFont(font_name, str(FONT_DIR / filename))
        pdfmetrics.registerFont(font)
    # Copy the character map now: shaping later adds private-use code points to it.
    coverage = frozenset(font.face.charToGlyph)
    return _Face(
        font_name, coverage, fake_bold=bold and bold_file is None, ligatures=key != "latin"
    )


def base_font(bold: bool = False) -> str:
    """Register the Latin font (Noto Sans) and return its name, e.g. for a canvas's initial font."""
    return _face("latin", bold).font_name


def register_fonts() -> None:
    """Load and register every bundled font now (e.g. when a worker starts) instead of lazily."""
    for key in _FACE_FILES:
        _face(key, False)
        _face(key, True)


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _cjk_first(country: str | None, text: str) -> str:
    key = CJK_FONT_BY_COUNTRY.get((country or "").strip().upper())
    if key:
        return key
    # Unknown country: kana means a Japanese name, Hangul a Korean one, anything else Chinese.
    for ch in text:
        cp = ord(ch)
        if cp >= 0x1100:
            if _in(cp, _KANA):
                return "ja"
            if _in(cp, _HANGUL):
                return "ko"
    return "zh"


def _paragraph_country(country: str | None, text: str) -> str | None:
    """Fix the CJK choice from the whole paragraph, so every line uses the same Han forms."""
    if (country or "").strip().upper() in CJK_FONT_BY_COUNTRY:
        return country
    return {"zh": "CN", "ja": "JP", "ko": "KR"}[_cjk_first(None, text)]


@lru_cache(maxsize=8)
def _chain(cjk_first: str) -> tuple[str, ...]:
    return _SCRIPT_FACES + (cjk_first,) + tuple(k for k in _CJK_FACES if k != cjk_first)


def _candidates(base: str, cjk_first: str) -> tuple[str, ...]:
    cp = ord(base)
    if cp >= 0x1100:
        if _in(cp, _HANGUL):
            return _chain("ko")
        if _in(cp, _KANA):
            return _chain("ja")
    return _chain(cjk_first)


def _ignorable(ch: str) -> bool:
    """Zero-width joiners, variation selectors, soft hyphens: HarfBuzz hides them if absent."""
    cp = ord(ch)
    return unicodedata.category(ch) == "Cf" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _joins_previous(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or _ignorable(ch)


def _clusters(text: str) -> Iterator[str]:
    """A base character with the marks and joiners after it: never split across fonts."""
    start = 0
    for i in range(1, len(text)):
        if not _joins_previous(text[i]):
            yield text[start:i]
            start = i
    if text:
        yield text[start:]


# Line breaks between clusters: never after these (Thai/Lao leading vowels, Khmer coeng,
# Burmese virama, opening brackets) nor before these (Thai/Lao following vowels, closing
# punctuation). Not word breaking, which needs a dictionary, but no broken syllable either.
_NO_BREAK_AFTER = frozenset(
    "\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4\u17d2\u1039"
    "([{\u2018\u201c\uff08\u300c\u300e\u3010\u3014\u3008\u300a"
)
_NO_BREAK_BEFORE = frozenset(
    "\u0e30\u0e32\u0e33\u0e45\u0eb0\u0eb2\u0eb3"
    ")]},.;:!?%\u2019\u201d\uff09\u300d\u300f\u3011\u3015\u3009\u300b"
    "\u3001\u3002\uff0c\uff0e\uff1a\uff1b\uff1f\uff01\u30fb\u30fc\u17d4\u17d5\u104a\u104b"
)

# A consonant carrying one of these (Burmese asat, Khmer bantoc/toandakhiat) is the final
# consonant of the syllable before it.
_FINAL_MARKS = frozenset("\u103a\u17cb\u17cd")


def _break_units(word: str) -> list[str]:
    """Where a word too long for a line may be cut: between clusters, with the rules above."""
    units: list[str] = []
    for cluster in _clusters(word):
        if units and (
            units[-1][-1] in _NO_BREAK_AFTER
            or cluster[0] in _NO_BREAK_BEFORE
            or cluster[1:2] in _FINAL_MARKS
        ):
            units[-1] += cluster
        else:
            units.append(cluster)
    return units


def _missing(ch: str, text: str, strict: bool) -> str:
    if strict:
        raise MissingGlyphError(ch, text)
    log.warning(
        "No font covers U+%04X %s in %r; printed as %r",
        ord(ch),
        unicodedata.name(ch, "unnamed character"),
        text,
        _MISSING_REPLACEMENT,
    )
    return _MISSING_REPLACEMENT


def _pieces(
    cluster: str, current: _Face | None, text: str, bold: bool, cjk_first: str, strict: bool
) -> list[tuple[_Face, str]]:
    needed = [ord(c) for c in cluster if not _ignorable(c)]
    if not needed:
        return [(current or _face("latin", bold), cluster)]
    base = cluster[0]
    if current is not None and base.isspace() and all(cp in current.coverage for cp in needed):
        return [(current, cluster)]
    chain = _candidates(base, cjk_first)
    for key in chain:
        face = _face(key, bold)
        if all(cp in face.coverage for cp in needed):
            return [(face, cluster)]
    # No one font has the whole cluster: place each character on its own.
    pieces = []
    for ch in cluster:
        if _ignorable(ch):
            continue
        for key in chain:
            face = _face(key, bold)
            if ord(ch) in face.coverage:
                pieces.append((face, ch))
                break
        else:
            pieces.append((_face("latin", bold), _missing(ch, text, strict)))
    return pieces


@lru_cache(maxsize=16384)
def _shape(font_name: str, text: str, ligatures: bool) -> tuple[str, float]:
    """Shaped string and its width at 1 pt; advances do not depend on the size."""
    with _shape_lock:
        if ligatures:
            shaped = shapeStr(text, font_name, 1000)
        else:
            frag = ABag(fontName=font_name, fontSize=1000)
            shaped = shapeFragWord([0, (frag, text)], features=_LATIN_FEATURES)[1][1]
        if isinstance(shaped, ShapedStr):
            shaped = _typed_code_points(shaped, text, font_name)
    if isinstance(shaped, ShapedStr):
        return shaped, sum(d.x_advance for d in shaped.__shapeData__) / 1000
    return shaped, pdfmetrics.stringWidth(text, font_name, 1)


def _typed_code_points(shaped: ShapedStr, text: str, font_name: str) -> ShapedStr:
    """The shaped string with each glyph named by the character that was typed for it.

    ReportLab names a shaped glyph by the first character the font's character map gives
    it, and that character is what the PDF's text layer says. Fonts give one glyph to
    several characters: IPAexGothic draws 山 (U+5C71) and the Kangxi radical ⼭ (U+2F2D) with
    the same glyph and lists the radical first, so "山田" was searched and copied as "⼭⽥".
    Where a glyph is the typed character's own glyph, it is named by that character.
    """
    char_to_glyph = pdfmetrics.getFont(font_name).face.charToGlyph
    chars = list(shaped)
    changed = False
    for i, (char, data) in enumerate(zip(chars, shaped.__shapeData__, strict=True)):
        if not 0 <= data.cluster < len(text):
            continue
        typed = text[data.cluster]
        if typed != char and char_to_glyph.get(ord(typed), -1) == char_to_glyph.get(ord(char)):
            chars[i] = typed
            changed = True
    return ShapedStr("".join(chars), shapeData=shaped.__shapeData__) if changed else shaped


def _actual_text(source: str, drawable: str) -> str | None:
    """The text layer's words for a run whose glyphs do not spell what was typed.

    Shaped Thai, Khmer and Burmese draw glyphs with no character of their own (a Khmer
    subscript, a Thai vowel and tone mark stacked as one glyph: ReportLab names them with
    private-use code points), in another order than typed (a Khmer or Burmese vowel drawn
    before its consonant), and marks moved onto their base, which text extraction reads as
    characters of their own, out of place ("ศรีสข ุ" for "ศรีสุข"). Such a run is wrapped in a
    marked-content span whose ActualText holds the typed characters, which PDF readers copy,
    search and extract instead of the glyphs' names.
    """
    shape_data = getattr(drawable, "__shapeData__", None) or ()
    placed = any(d.x_offset or d.y_offset or not d.x_advance for d in shape_data)
    if str(drawable) == source and not placed:
        return None
    return f"/Span <</ActualText <FEFF{source.encode('utf-16-be').hex().upper()}>>> BDC"


@lru_cache(maxsize=8192)
def _layout(text: str, bold: bool, cjk_first: str, strict: bool) -> tuple[_Run, ...]:
    groups: list[tuple[_Face, list[str]]] = []
    current: _Face | None = None
    for cluster in _clusters(text):
        for face, piece in _pieces(cluster, current, text, bold, cjk_first, strict):
            if face is current:
                groups[-1][1].append(piece)
            else:
                groups.append((face, [piece]))
                current = face
    runs = []
    for face, parts in groups:
        source = "".join(parts)
        drawable, em_width = _shape(face.font_name, source, face.ligatures)
        actual_text = _actual_text(source, drawable)
        runs.append(_Run(face.font_name, source, drawable, em_width, face.fake_bold, actual_text))
    return tuple(runs)


def _single_line(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    if any(c in text for c in "\t\n\r\v\f\u2028\u2029"):
        text = " ".join(text.split())
    return text


@lru_cache(maxsize=16384)
def _runs(text: str, country: str | None, bold: bool, strict: bool) -> tuple[_Run, ...]:
    # Cached as well as _layout: measuring and drawing ask for the same strings many times,
    # and normalising them and choosing their CJK font each time cost as much as the rest.
    text = _single_line(text)
    if not text:
        return ()
    return _layout(text, bold, _cjk_first(country, text), strict)


def text_runs(
    text: str, *, country: str | None = None, bold: bool = False, strict: bool = False
) -> list[tuple[str, str]]:
    """The (registered font name, characters) runs the text is drawn in, in order."""
    return [(run.font_name, run.source) for run in _runs(text, country, bold, strict)]


@functools.cache
def _all_coverage() -> frozenset[int]:
    """Every code point some bundled font prints (computed once per process)."""
    covered: set[int] = set()
    for key in _FACE_FILES:
        covered |= _face(key, False).coverage
    return frozenset(covered)


def unsupported_characters(text: str) -> list[str]:
    """The characters of the text that no bundled font can print, each once, in order."""
    text = unicodedata.normalize("NFC", text)
    covered = _all_coverage()
    seen: list[str] = []
    for ch in text:
        if ch.isspace() or _ignorable(ch) or ord(ch) in covered or ch in seen:
            continue
        seen.append(ch)
    return seen


def text_width(
    text: str, size: float, *, country: str | None = None, bold: bool = False, strict: bool = False
) -> float:
    """Width in points of the text on one line at the given size, shaped."""
    return size * sum(run.em_width for run in _runs(text, country, bold, strict))


def draw_text(
    canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    country: str | None = None,
    bold: bool = False,
    align: str = "left",
    strict: bool = False,
) -> float:
    """Draw one line of text with its baseline at y, aligned on x; return the width drawn.

    Leaves the canvas's current font changed; colours and other state are kept.
    """
    runs = _runs(text, country, bold, strict)
    width = size * sum(run.em_width for run in runs)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    elif align != "left":
        raise ValueError(f"align must be 'left', 'center' or 'right', not {align!r}")
    for run in runs:
        canvas.setFont(run.font_name, size)
        if run.actual_text:
            canvas.addLiteral(run.actual_text)
        if run.fake_bold:
            canvas.saveState()
            # Stroke in the fill colour; the canvas has no public getter for it.
            canvas.setStrokeColor(canvas._fillColorObj)
            canvas.setLineWidth(size * _FAKE_BOLD_STROKE)
            canvas.setLineJoin(1)  # round joins: mitred corners would spike
            canvas.drawString(x, y, run.drawable, mode=2)  # 2 = fill, then stroke
            canvas.restoreState()
        else:
            canvas.drawString(x, y, run.drawable)
        x += size * run.em_width
        if run.actual_text:
            # A reader ends the span where its last glyph ends; a mark moved back over its
            # base would end it short of the run's width, and a space would be read before
            # what follows. An invisible zero-width space at the run's end ends it there.
            canvas.setFont(base_font(), size)
            canvas.drawString(x, y, "\u200b", mode=3)  # 3 = invisible
            canvas.addLiteral("EMC")
    return width


def fit_size(
    text: str,
    max_width: float,
    size: float,
    *,
    min_size: float = 6,
    country: str | None = None,
    bold: bool = False,
    strict: bool = False,
) -> float:
    """The largest size <= size (in 0.01 pt steps) at which the text fits max_width.

    Names in Thai, Khmer, Lao, Burmese and CJK have no spaces to wrap at, so they shrink
    instead. Returns min_size when even that is too wide: the caller decides whether to clip.
    """
    em_width = text_width(text, 1, country=country, bold=bold, strict=strict)
    if em_width * size <= max_width:
        return size
    fitted = math.floor(max_width / em_width * 100) / 100
    return min(size, max(min_size, fitted))


def _wrap_hard_line(line: str, max_width: float, width) -> list[str]:
    # Pieces are (text, starts a new word). Words wider than a line are cut into clusters
    # that continue the current line; that is also how Thai or CJK text without spaces wraps.
    pieces: list[tuple[str, bool]] = []
    for word in line.replace("\t", " ").split(" "):
        if not word:
            continue
        if width(word) <= max_width:
            pieces.append((word, True))
        else:
            pieces.extend((u, i == 0) for i, u in enumerate(_break_units(word)))
    space = width(" ")
    lines: list[str] = []
    i = 0
    while i < len(pieces):
        # Add widths of cached pieces (fast), then measure the joined line once, exactly:
        # shaping across a word boundary can differ a little from the sum.
        end, used = i, 0.0
        while end < len(pieces):
            piece, spaced = pieces[end]
            extra = width(piece) + (space if spaced and end > i else 0)
            if end > i and used + extra > max_width:
                break
            used += extra
            end += 1
        while True:
            text = "".join(
                (" " if spaced and k > i else "") + piece
                for k, (piece, spaced) in enumerate(pieces[i:end], start=i)
            )
            if end - i == 1 or width(text) <= max_width:
                break
            end -= 1
        lines.append(text)
        i = end
    return lines or [""]


def wrap_lines(
    text: str,
    max_width: float,
    size: float,
    *,
    country: str | None = None,
    bold: bool = False,
    strict: bool = False,
) -> list[str]:
    """Greedy wrapping at spaces for paragraphs; explicit newlines are kept as line breaks.

    A word wider than a whole line is broken between characters, never inside a cluster (a base
    character and its marks, a Thai syllable's vowels, a Khmer subscript) nor before closing
    punctuation; that is also how text without spaces (CJK, Thai) wraps, though Thai and Lao
    then break between syllables rather than words. No line is wider than max_width unless a
    single such unit is.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    country = _paragraph_country(country, text)

    def width(s: str) -> float:
        return text_width(s, size, country=country, bold=bold, strict=strict)

    lines = [ln for hard in text.split("\n") for ln in _wrap_hard_line(hard, max_width, width)]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def draw_paragraph(
    canvas,
    x: float,
    y_top: float,
    text: str,
    max_width: float,
    size: float,
    *,
    leading: float | None = None,
    country: str | None = None,
    bold: bool = False,
    align: str = "left",
    strict: bool = False,
) -> float:
    """Draw text wrapped to max_width from y_top down; return the y just below the last line.

    The first baseline is one em below y_top; each line takes `leading` (default 1.4 em), so
    n lines end n * leading below y_top. Stacked Thai/Burmese marks rise about 0.3 em above
    y_top: leave that headroom above a paragraph that may hold them.
    """
    leading = _LEADING * size if leading is None else leading
    country = _paragraph_country(country, text)
    lines = wrap_lines(text, max_width, size, country=country, bold=bold, strict=strict)
    anchor = {"left": x, "center": x + max_width / 2, "right": x + max_width}.get(align)
    if anchor is None:
        raise ValueError(f"align must be 'left', 'center' or 'right', not {align!r}")
    baseline = y_top - _FIRST_BASELINE * size
    for line in lines:
        draw_text(
            canvas,
            anchor,
            baseline,
            line,
            size,
            country=country,
            bold=bold,
            align=align,
            strict=strict,
        )
        baseline -= leading
    return y_top - len(lines) * leading
