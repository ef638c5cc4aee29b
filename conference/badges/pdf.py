"""Name badges as print-ready PDFs: data in, a PDF stream out (no Flask, no database).

A badge's front shows the event's name, a band in the category's colour with the category,
the delegate's name large (in their own script when given, the Latin form below it), the
organisation, delegation and country, and a QR code of the badge token for check-in. The
optional back (for duplex printing) repeats the band, the event, the name and the QR code
(scanners at room doors may see either side) and asks a finder to return the badge.

An event with a brand (``conference.events.brand.Brand``: a colour or a logo) gets a header
band in its colour across the top of both faces, holding its logo on a white plate (logos are
drawn for white) and its name in the colour's readable text colour; the category band below
keeps the category's colour, which door staff go by. The logo is embedded once per file.

Every layout is computed first as boxes (:func:`front_face`, :func:`back_face`) and only then
drawn, so tests can prove that no text leaves its box or touches the QR code's quiet zone.
Names shrink to fit their line down to a minimum size and are then cut with an ellipsis; a
column that would still be too tall shrinks as a whole. No element touches the trim edge
(every layout keeps a safe margin), so no bleed is needed: a cut a millimetre off, label
stock a little out of register or a desktop printer's unprintable margin changes nothing.

All text goes through :mod:`conference.pdf.text` (shaped, in the right font for every
ASEAN+3 script, embedded). A character no bundled font has is logged once and printed as
that module's visible fallback.

Layouts (see :data:`LAYOUTS`): one badge per page (``a6``, ``a7``, ``4x3``, ``card``), or
several per A4 sheet (``a4-4``: four A6; ``a4-6`` and ``a4-8``: Avery L7166 and L7165 label
stock, 99.1 x 93.1 mm and 99.1 x 67.7 mm). With ``cut_marks`` a one-per-page layout's page
grows by 10 mm on every side for the marks and its TrimBox marks the badge, as a print shop
expects; on sheets the marks go wherever the sheet has room outside every badge. With
``back_side`` each page of fronts is followed by its page of backs, columns mirrored, for
long-edge duplex printing.
"""

import io
import itertools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import BinaryIO

from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from conference.badges.qr import QrCode, draw_qr, encode_qr, symbol_width
from conference.events.brand import Brand
from conference.pdf.colours import contrast, parse_colour
from conference.pdf.stream import PageStream
from conference.pdf.text import base_font, draw_text, fit_size, text_runs, text_width, wrap_lines

__all__ = [
    "LAYOUTS",
    "Badge",
    "Box",
    "Face",
    "Layout",
    "Line",
    "UnknownLayout",
    "back_face",
    "cut_mark_lines",
    "front_face",
    "render_badges",
    "render_badges_bytes",
]

INK = HexColor("#1a1a1a")
MUTED = HexColor("#5a6573")
MARK = HexColor("#000000")

ELLIPSIS = "\u2026"
MIN_TEXT_SIZE = 5.5  # points; smaller is not worth printing, so such text is cut instead
RETURN_NOTE = "If found, please return to the registration desk"

# Ink extents of each bundled font family, in em above and below the baseline, with the
# stacked marks of Thai, Lao, Khmer and Burmese (which rise ~1.3 em) and their subscripts.
_EXTENTS = (
    ("NotoSansThai", (1.30, 0.45)),
    ("NotoSansLao", (1.30, 0.50)),
    ("NotoSansKhmer", (1.30, 0.70)),
    ("NotoSansMyanmar", (1.35, 0.75)),
    ("NotoSans", (1.07, 0.30)),
    ("wqy-zenhei", (1.00, 0.30)),
    ("ipaexg", (1.00, 0.30)),
    ("NanumGothic", (1.00, 0.30)),
)
_UNKNOWN_EXTENT = (1.35, 0.75)

# Where a text may not be cut for an ellipsis: before a mark or joiner, and after a Khmer
# coeng, a Burmese virama, a zero-width joiner or a Thai/Lao vowel written before its consonant.
_NO_CUT_AFTER = frozenset(
    "\u17d2\u1039\u200d\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4"
)


@dataclass(frozen=True)
class Badge:
    """Everything one badge prints; strings as they should appear."""

    event_title: str
    event_dates: str  # already formatted, e.g. "29–30 October 2024"
    native_name: str  # in the delegate's own script, "" when none (or the same name)
    latin_name: str  # e.g. "Mr Sakchai Thongdee", "Mr Hà Trung Chiến" (conference/names.py)
    organisation: str
    country_name: str  # e.g. "Viet Nam"
    country: str  # ISO 3166 alpha-2, for the CJK font choice
    category: str  # e.g. "Delegate"
    colour: str  # the category's colour, "#RRGGBB"
    token: str  # the QR code's content
    delegation: str = ""  # e.g. "Son La City"


class UnknownLayout(ValueError):
    """The layout name is not one of :data:`LAYOUTS`."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"Unknown badge layout {name!r}; choose one of: {', '.join(LAYOUTS)}")


@dataclass(frozen=True)
class Box:
    """A rectangle in points, (x, y) its lower left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def contains(self, other: "Box", tolerance: float = 0.01) -> bool:
        """Whether the other box lies wholly inside this one."""
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.top <= self.top + tolerance
        )

    def overlaps(self, other: "Box") -> bool:
        """Whether the two boxes share some area (touching edges do not count)."""
        return (
            min(self.right, other.right) - max(self.x, other.x) > 0.01
            and min(self.top, other.top) - max(self.y, other.y) > 0.01
        )


@dataclass(frozen=True)
class Line:
    """One line of text placed on a face: what is drawn, where, and the box it was given."""

    role: str  # "event", "category", "native_name", "latin_name", "organisation", ...
    text: str  # as drawn: normalised, and cut with an ellipsis if it had to be
    size: float
    bold: bool
    country: str | None
    colour: Color
    x: float  # where the drawn text starts (left edge)
    baseline: float
    width: float  # the shaped width of the text as drawn
    ascent: float  # ink above the baseline, points (stacked marks included)
    descent: float  # ink below the baseline, points
    box: Box  # the room it was given; ink() always lies inside it

    def ink(self) -> Box:
        """The rectangle the drawn glyphs can cover."""
        return Box(self.x, self.baseline - self.descent, self.width, self.ascent + self.descent)


@dataclass(frozen=True)
class Face:
    """One side of one badge, laid out in badge coordinates (origin at its lower left)."""

    width: float
    height: float
    safe: Box  # the area inside the margins, which every element keeps to
    band: Box
    band_colour: Color
    band_border: Color | None  # a darker outline when the colour is too pale to see on white
    lines: tuple[Line, ...]
    qr: QrCode
    qr_symbol: Box
    qr_zone: Box  # the symbol with its quiet zone, kept clear of everything else
    rule: Box | None = None  # the short accent rule between the name and the details
    header: Box | None = None  # the event's band, in its colour (branded events only)
    header_colour: Color | None = None
    header_border: Color | None = None  # as band_border, for a pale event colour
    logo_plate: Box | None = None  # the white ground the logo sits on, inside the header
    logo: Box | None = None  # where the logo is drawn, inside the plate


@dataclass(frozen=True)
class _Design:
    """Sizes for one badge format; lengths in points, text sizes in points."""

    # "stack": QR code at the bottom, centred, the text above it; "side": QR code at the
    # right, the text left of it; "split": the names across the width, then the details
    # left of the QR code.
    kind: str
    margin: float
    event_size: float
    event_lines: int
    band_height: float
    category_size: float
    native_size: float
    native_min: float
    latin_size: float  # the Latin name under a native one
    latin_min: float
    info_size: float  # organisation
    small_size: float  # delegation, country
    qr_zone: float  # the QR code with its quiet zone
    gap: float  # between blocks
    back_title_size: float
    back_title_lines: int
    header_height: float = 0.0  # the event's band (branded events)


@dataclass(frozen=True)
class Layout:
    """A badge format and how badges sit on the page; lengths in points."""

    name: str
    description: str
    page_width: float
    page_height: float
    badge_width: float
    badge_height: float
    design: _Design = field(repr=False)
    columns: int = 1
    rows: int = 1
    left: float = 0.0  # from the page's left edge to the first column
    top: float = 0.0  # from the page's top edge to the first row
    column_pitch: float = 0.0  # from one column's left edge to the next one's
    row_pitch: float = 0.0

    @property
    def per_page(self) -> int:
        """Badges on one page."""
        return self.columns * self.rows

    def positions(self, back: bool = False) -> list[tuple[float, float]]:
        """Lower left corner of each badge on the page, in reading order of the fronts.

        For backs the columns are mirrored (long-edge duplex), so each back prints behind
        its front.
        """
        spots = []
        for row in range(self.rows):
            y = self.page_height - self.top - row * self.row_pitch - self.badge_height
            for column in range(self.columns):
                x = self.left + column * self.column_pitch
                if back:
                    x = self.page_width - x - self.badge_width
                spots.append((x, y))
        return spots

    def with_mark_margin(self, margin: float) -> "Layout":
        """The same single-badge layout on a page grown by `margin` on every side."""
        return Layout(
            name=self.name,
            description=self.description,
            page_width=self.page_width + 2 * margin,
            page_height=self.page_height + 2 * margin,
            badge_width=self.badge_width,
            badge_height=self.badge_height,
            design=self.design,
            left=self.left + margin,
            top=self.top + margin,
        )


_A6 = _Design(
    kind="stack",
    margin=7 * mm,
    event_size=9,
    event_lines=2,
    band_height=11 * mm,
    category_size=15,
    native_size=30,
    native_min=13,
    latin_size=14,
    latin_min=8,
    info_size=10.5,
    small_size=9.5,
    qr_zone=38 * mm,
    gap=4 * mm,
    back_title_size=13,
    back_title_lines=3,
    header_height=15 * mm,
)
_A7 = _Design(
    kind="stack",
    margin=5 * mm,
    event_size=7,
    event_lines=2,
    band_height=8 * mm,
    category_size=11,
    native_size=21,
    native_min=9,
    latin_size=10,
    latin_min=6.5,
    info_size=7.5,
    small_size=7,
    qr_zone=36 * mm,  # the largest that leaves the text its room
    gap=2.5 * mm,
    back_title_size=9.5,
    back_title_lines=3,
    header_height=11 * mm,
)
_CARD = _Design(
    kind="side",
    margin=4 * mm,
    event_size=6.5,
    event_lines=1,
    band_height=6.5 * mm,
    category_size=9,
    native_size=15,
    native_min=7,
    latin_size=8,
    latin_min=5.5,
    info_size=6.5,
    small_size=6,
    qr_zone=35 * mm,  # 1 mm short of the most that fits, for a wider name column
    gap=1.8 * mm,
    back_title_size=8,
    back_title_lines=2,
    header_height=7.5 * mm,
)
_SIDE = _Design(
    kind="side",
    margin=5 * mm,
    event_size=7.5,
    event_lines=1,
    band_height=8.5 * mm,
    category_size=12,
    native_size=22,
    native_min=9,
    latin_size=10.5,
    latin_min=6.5,
    info_size=8,
    small_size=7.5,
    qr_zone=37 * mm,
    gap=2.5 * mm,
    back_title_size=10,
    back_title_lines=3,
    header_height=9.5 * mm,
)
_SPLIT = replace(_SIDE, kind="split", native_size=24, latin_size=11, qr_zone=38 * mm)

A4_WIDTH, A4_HEIGHT = 210 * mm, 297 * mm

LAYOUTS: dict[str, Layout] = {
    "a6": Layout("a6", "A6 portrait, one per page", 105 * mm, 148 * mm, 105 * mm, 148 * mm, _A6),
    "a7": Layout("a7", "A7 portrait, one per page", 74 * mm, 105 * mm, 74 * mm, 105 * mm, _A7),
    "4x3": Layout("4x3", "4 x 3 inch, one per page", 4 * inch, 3 * inch, 4 * inch, 3 * inch, _SIDE),
    "card": Layout(
        "card", "ID-1 card, 85.6 x 54 mm landscape", 85.6 * mm, 54 * mm, 85.6 * mm, 54 * mm, _CARD
    ),
    # Four A6 tile A4 exactly (the sheet is cut in half twice), 0.5 mm spare top and bottom.
    "a4-4": Layout(
        "a4-4",
        "4 x A6 on A4",
        A4_WIDTH,
        A4_HEIGHT,
        105 * mm,
        148 * mm,
        _A6,
        columns=2,
        rows=2,
        left=0,
        top=0.5 * mm,
        column_pitch=105 * mm,
        row_pitch=148 * mm,
    ),
    # Avery L7166 / J8166: 6 labels of 99.1 x 93.1 mm, 2 x 3, 4.65 mm side, 8.8 mm top margin.
    "a4-6": Layout(
        "a4-6",
        "6 per A4 label sheet, 99.1 x 93.1 mm (Avery L7166)",
        A4_WIDTH,
        A4_HEIGHT,
        99.1 * mm,
        93.1 * mm,
        _SPLIT,
        columns=2,
        rows=3,
        left=4.65 * mm,
        top=8.8 * mm,
        column_pitch=101.6 * mm,
        row_pitch=93.1 * mm,
    ),
    # Avery L7165 / J8165: 8 labels of 99.1 x 67.7 mm, 2 x 4, 4.65 mm side, 13.1 mm top margin.
    "a4-8": Layout(
        "a4-8",
        "8 per A4 label sheet, 99.1 x 67.7 mm (Avery L7165)",
        A4_WIDTH,
        A4_HEIGHT,
        99.1 * mm,
        67.7 * mm,
        _SIDE,
        columns=2,
        rows=4,
        left=4.65 * mm,
        top=13.1 * mm,
        column_pitch=101.6 * mm,
        row_pitch=67.7 * mm,
    ),
}

_MARK_MARGIN = 10 * mm  # added around a single badge's page to hold its cut marks
_MARK_OFFSET = 1.5 * mm  # from the trim corner to where the mark starts
_MARK_LENGTH = 5 * mm
_MARK_MIN_LENGTH = 2 * mm  # shorter than this, in a narrow gutter, is no mark at all
_MARK_WIDTH = 0.3


def _layout(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except (KeyError, TypeError):
        raise UnknownLayout(name) from None


# --- colours ---------------------------------------------------------------------------------


def _parse_colour(value: str) -> Color:
    return parse_colour(value, "category colour")


def _band_text_colour(colour: Color) -> Color:
    """White or near-black, whichever stands out more on the colour."""
    return white if contrast(white, colour) >= contrast(INK, colour) else INK


def _accent(colour: Color) -> Color:
    """The colour for thin accents (the rule under the name): darkened if pale."""
    if contrast(white, colour) >= 2.5:
        return colour
    return Color(colour.red * 0.7, colour.green * 0.7, colour.blue * 0.7)


def _band_border(colour: Color) -> Color | None:
    """A pale band (yellow, light grey) gets a darker outline so it still reads on white."""
    if contrast(white, colour) >= 1.6:
        return None
    return Color(colour.red * 0.7, colour.green * 0.7, colour.blue * 0.7)


# --- text fitting ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _clean(text: str, country: str | None, bold: bool = False) -> str:
    """One line, NFC, with any character no font has replaced by the text module's fallback.

    Asking the text module for its runs once logs each such character once, and measuring
    the result afterwards logs nothing more. `bold` as the text will be drawn, so that the
    runs shaped here are the ones measured and drawn later.
    """
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    # Other control characters (NUL, ESC, BEL from a bad import) are never meant to be seen.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()
    if not text:
        return ""
    return "".join(chars for _, chars in text_runs(text, country=country, bold=bold))


@lru_cache(maxsize=4096)
def _extent(text: str, country: str | None, bold: bool) -> tuple[float, float]:
    """(ascent, descent) in em of the fonts the text is drawn in."""
    ascent = descent = 0.0
    for font_name, _ in text_runs(text, country=country, bold=bold):
        a, d = next((e for prefix, e in _EXTENTS if font_name.startswith(prefix)), _UNKNOWN_EXTENT)
        ascent, descent = max(ascent, a), max(descent, d)
    return (ascent, descent) if ascent else _EXTENTS[4][1]


def _cut_points(text: str) -> list[int]:
    """Indices where the text may be cut without splitting a cluster or a syllable's parts."""
    points = []
    for i in range(1, len(text)):
        ch = text[i]
        if unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F:
            continue
        if text[i - 1] in _NO_CUT_AFTER:
            continue
        points.append(i)
    return points


def _ellipsize(text: str, max_width: float, size: float, country: str | None, bold: bool) -> str:
    """The text, or the longest start of it followed by '…' that fits max_width."""

    def fits(s: str) -> bool:
        return text_width(s, size, country=country, bold=bold) <= max_width

    if fits(text):
        return text
    points = _cut_points(text)
    lo, hi, best = 0, len(points) - 1, ""
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = text[: points[mid]].rstrip() + ELLIPSIS
        if fits(candidate):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    if best:
        return best
    return ELLIPSIS if fits(ELLIPSIS) else ""


@dataclass(frozen=True)
class _Item:
    """A block of text to place in a column."""

    role: str
    text: str
    size: float
    min_size: float
    bold: bool = False
    colour: Color = INK
    max_lines: int = 1  # 1: shrink to fit, then ellipsis; more: wrap, ellipsis on the last
    gap_before: float = 0.0
    country: str | None = None
    rule_before: bool = False  # the accent rule goes in this item's gap


@dataclass(frozen=True)
class _Set:
    """An item set at a size: its lines and their metrics."""

    item: _Item
    size: float
    texts: tuple[str, ...]
    widths: tuple[float, ...]
    extents: tuple[tuple[float, float], ...]  # (ascent, descent) in points for each line

    @property
    def height(self) -> float:
        return sum(a + d for a, d in self.extents)


@lru_cache(maxsize=4096)  # organisations, countries and titles repeat across badges
def _set_item(item: _Item, width: float, scale: float) -> _Set:
    size = max(item.size * scale, item.min_size * min(scale, 1.0), MIN_TEXT_SIZE)
    min_size = min(size, max(item.min_size * min(scale, 1.0), MIN_TEXT_SIZE))
    kw = {"country": item.country, "bold": item.bold}
    if item.max_lines == 1:
        size = fit_size(item.text, width, size, min_size=min_size, **kw)
        texts = [_ellipsize(item.text, width, size, **kw)]
    else:
        lines = wrap_lines(item.text, width, size, **kw)
        if len(lines) > item.max_lines:
            kept = lines[: item.max_lines - 1]
            # The rest of the text from where the kept lines end (joining the wrapped lines
            # would put spaces into Thai or CJK), cut to the last line with an ellipsis.
            end = 0
            for line in kept:
                end = item.text.find(line, end) + len(line)
            rest = item.text[end:].strip()
            last = _ellipsize(rest + ELLIPSIS, width, size, **kw)
            lines = [*kept, last[:-1] if last.endswith(ELLIPSIS * 2) else last]
        texts = [_ellipsize(line, width, size, **kw) for line in lines]
    texts = tuple(t for t in texts if t)
    widths = tuple(text_width(t, size, **kw) for t in texts)
    extents = tuple(tuple(e * size for e in _extent(t, item.country, item.bold)) for t in texts)
    return _Set(item, size, texts, widths, extents)


def _column(
    items: list[_Item],
    box: Box,
    *,
    align: str = "center",
    valign: str = "center",
    rule_colour: Color | None = None,
) -> tuple[list[Line], Box | None]:
    """Place the items top to bottom in the box, shrinking them together until they fit.

    When even half size is too tall, the last items are left out, one by one: a badge
    shows the name before it shows the country.
    """
    items = [i for i in items if i.text]
    while items:
        scale = 1.0
        for _ in range(8):
            sets = [_set_item(i, box.width, scale) for i in items]
            height = sum(s.height for s in sets) + scale * sum(s.item.gap_before for s in sets[1:])
            if height <= box.height:
                return _place(sets, box, height, scale, align, valign, rule_colour)
            scale *= max(0.5, min(0.97, box.height / height))
            if scale < 0.5:
                break
        items = items[:-1]
    return [], None


def _place(sets, box, height, scale, align, valign, rule_colour):
    y = box.top - (box.height - height) / 2 if valign == "center" else box.top
    lines: list[Line] = []
    rule = None
    for n, s in enumerate(sets):
        if n:
            gap = scale * s.item.gap_before
            if s.item.rule_before and rule_colour is not None and gap >= 3:
                rule_width = min(14 * mm, box.width / 3)
                rule_x = box.x + (box.width - rule_width) / 2 if align == "center" else box.x
                rule = Box(rule_x, y - gap / 2 - 0.6, rule_width, 1.2)
            y -= gap
        for text, width, (ascent, descent) in zip(s.texts, s.widths, s.extents, strict=True):
            x = box.x + (box.width - width) / 2 if align == "center" else box.x
            baseline = y - ascent
            lines.append(
                Line(
                    role=s.item.role,
                    text=text,
                    size=s.size,
                    bold=s.item.bold,
                    country=s.item.country,
                    colour=s.item.colour,
                    x=x,
                    baseline=baseline,
                    width=width,
                    ascent=ascent,
                    descent=descent,
                    box=Box(box.x, baseline - descent, box.width, ascent + descent),
                )
            )
            y = baseline - descent
    return lines, rule


# --- faces ---------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _event_lines(
    title: str, safe: Box, size: float, max_lines: int, align: str
) -> tuple[Line, ...]:
    """The event's name at the top of the safe area."""
    height = max_lines * size * 1.4
    box = Box(safe.x, safe.top - height, safe.width, height)
    item = _Item(
        "event", _clean(title, None, True), size, size * 0.7, bold=True, max_lines=max_lines
    )
    lines, _ = _column([item], box, align=align, valign="top")
    return tuple(lines)


def _category_line(badge: Badge, band: Box, d: _Design, colour: Color, align: str) -> list[Line]:
    """The category's name on the band, in white or black, whichever contrasts more."""
    return list(_category_lines(badge.category, badge.country, band, d, colour, align))


@lru_cache(maxsize=256)
def _category_lines(
    category: str, country: str, band: Box, d: _Design, colour: Color, align: str
) -> tuple[Line, ...]:
    pad = min(3 * mm, band.height / 3)
    inner = Box(band.x + pad, band.y, band.width - 2 * pad, band.height)
    kw = {"country": country, "bold": True}
    category = _clean(category, country, True).upper()
    min_size = max(d.category_size * 0.6, MIN_TEXT_SIZE)
    size = fit_size(category, inner.width, d.category_size, min_size=min_size, **kw)
    category = _ellipsize(category, inner.width, size, country, True)
    if not category:
        return ()
    ascent, descent = (e * size for e in _extent(category, country, True))
    # Centre capitals (0.71 em tall) on the band; taller scripts still stay inside it.
    baseline = band.y + band.height / 2 - 0.357 * size
    baseline = min(max(baseline, band.y + descent), band.top - ascent)
    width = text_width(category, size, **kw)
    x = inner.x + (inner.width - width) / 2 if align == "center" else inner.x
    text_colour = _band_text_colour(colour)
    return (
        Line(
            "category",
            category,
            size,
            True,
            country,
            text_colour,
            x,
            baseline,
            width,
            ascent,
            descent,
            inner,
        ),
    )


def _name_items(badge: Badge, d: _Design) -> list[_Item]:
    native = _clean(badge.native_name, badge.country, True)
    latin = _clean(badge.latin_name, badge.country, not native)
    if native:
        return [
            _Item(
                "native_name", native, d.native_size, d.native_min, bold=True, country=badge.country
            ),
            _Item(
                "latin_name",
                latin,
                d.latin_size,
                d.latin_min,
                gap_before=d.gap * 0.35,
                country=badge.country,
            ),
        ]
    return [
        _Item("latin_name", latin, d.native_size, d.native_min, bold=True, country=badge.country)
    ]


def _detail_items(badge: Badge, d: _Design, first_gap: float) -> list[_Item]:
    organisation = _clean(badge.organisation, badge.country)
    delegation = _clean(badge.delegation, badge.country)
    if delegation.casefold() == organisation.casefold():
        delegation = ""  # a city's delegation from its own city hall says it once
    country = _clean(badge.country_name, badge.country, True).upper()
    items = [
        _Item(
            "organisation",
            organisation,
            d.info_size,
            d.info_size * 0.75,
            max_lines=2,
            country=badge.country,
        ),
        _Item(
            "delegation",
            delegation,
            d.small_size,
            d.small_size * 0.75,
            colour=MUTED,
            country=badge.country,
        ),
        _Item(
            "country",
            country,
            d.small_size,
            d.small_size * 0.75,
            bold=True,
            colour=MUTED,
            country=badge.country,
        ),
    ]
    items = [i for i in items if i.text]
    if items:
        items[0] = replace(items[0], gap_before=first_gap, rule_before=True)
        items[1:] = [replace(i, gap_before=d.gap * 0.3) for i in items[1:]]
    return items


def _qr_zone(d: _Design, code: QrCode, safe: Box, w: float, region_top: float) -> Box:
    """Where the QR code and its quiet zone go: the symbol's edge on the safe area's edge.

    The quiet zone may reach into the margin (it is white paper either way), but not closer
    than 1.5 mm to the trim. On "stack" designs the code is centred at the bottom; on "side"
    designs it sits at the bottom right, as large as the room under the band allows.
    """
    reach = d.margin - 1.5 * mm  # how far the quiet zone may go into the margin
    side = d.qr_zone
    if d.kind != "stack":
        side = min(side, region_top - safe.y + reach)
    quiet = (side - symbol_width(side, code.size)) / 2
    y = safe.y - min(quiet, reach)
    if d.kind == "stack":
        return Box((w - side) / 2, y, side, side)
    return Box(safe.right + min(quiet, reach) - side, y, side, side)


def _symbol(zone: Box, code: QrCode) -> Box:
    side = symbol_width(zone.width, code.size)
    inset = (zone.width - side) / 2
    return Box(zone.x + inset, zone.y + inset, side, side)


def _beside(
    items: list[_Item], zone: Box, qr: QrCode, safe: Box, region_top: float, d: _Design
) -> Box:
    """The text column left of the QR code: centred on the symbol if it fits there in full."""
    whole = Box(safe.x, safe.y, zone.x - d.gap - safe.x, region_top - safe.y)
    symbol = _symbol(zone, qr)
    centre = symbol.y + symbol.height / 2
    half = min(centre - whole.y, whole.top - centre)
    centred = Box(whole.x, centre - half, whole.width, 2 * half)
    sets = [_set_item(i, whole.width, 1.0) for i in items if i.text]
    height = sum(s.height for s in sets) + sum(s.item.gap_before for s in sets[1:])
    return centred if height <= centred.height else whole


def _face_parts(layout: Layout | str, badge: Badge, qr: QrCode | None):
    layout = _layout(layout) if isinstance(layout, str) else layout
    d = layout.design
    w, h = layout.badge_width, layout.badge_height
    safe = Box(d.margin, d.margin, w - 2 * d.margin, h - 2 * d.margin)
    align = "center" if d.kind == "stack" else "left"
    return d, w, h, safe, align, _parse_colour(badge.colour), qr or encode_qr(badge.token)


@dataclass(frozen=True)
class _Header:
    """The event's band at the top of a face, and what it holds."""

    box: Box
    colour: Color
    border: Color | None
    lines: tuple[Line, ...]  # the event's name
    plate: Box | None
    logo: Box | None


def _header(title: str, safe: Box, d: _Design, brand: Brand, align: str) -> _Header:
    size = brand.logo_size if brand.logo else None
    return _header_layout(title, safe, d, brand.primary, brand.on_primary, size, align)


@lru_cache(maxsize=64)
def _header_layout(
    title: str,
    safe: Box,
    d: _Design,
    primary: str,
    on_primary: str,
    logo_size: tuple[int, int] | None,
    align: str,
) -> _Header:
    colour = _parse_colour(primary)
    box = Box(safe.x, safe.top - d.header_height, safe.width, d.header_height)
    pad = min(2 * mm, box.height * 0.14)
    inner = Box(box.x + pad, box.y + pad, box.width - 2 * pad, box.height - 2 * pad)
    plate = logo = None
    text_box = Box(inner.x + pad * 0.5, inner.y, inner.width - pad, inner.height)
    if logo_size and logo_size[0] > 0 and logo_size[1] > 0:
        ratio = logo_size[0] / logo_size[1]
        inset = min(1 * mm, inner.height * 0.1)
        height = inner.height - 2 * inset
        width = height * ratio
        widest = inner.width * 0.42 - 2 * inset  # the name keeps the larger part
        if width > widest:
            width, height = widest, widest / ratio
        plate = Box(
            inner.x,
            inner.y + (inner.height - height - 2 * inset) / 2,
            width + 2 * inset,
            height + 2 * inset,
        )
        logo = Box(plate.x + inset, plate.y + inset, width, height)
        left = plate.right + pad * 1.25
        text_box = Box(left, inner.y, inner.right - left, inner.height)
        align = "left"
    item = _Item(
        "event",
        _clean(title, None, True),
        d.event_size * 1.1,
        d.event_size * 0.7,
        bold=True,
        colour=_parse_colour(on_primary),
        max_lines=d.event_lines,
    )
    lines, _ = _column([item], text_box, align=align)
    return _Header(box, colour, _band_border(colour), tuple(lines), plate, logo)


def _branded(brand: Brand | None) -> bool:
    return brand is not None and not brand.is_default


def _with_header(face: Face, header: _Header | None) -> Face:
    if header is None:
        return face
    return replace(
        face,
        lines=header.lines + face.lines,
        header=header.box,
        header_colour=header.colour,
        header_border=header.border,
        logo_plate=header.plate,
        logo=header.logo,
    )


def front_face(
    badge: Badge,
    layout: Layout | str = "a6",
    *,
    qr: QrCode | None = None,
    brand: Brand | None = None,
) -> Face:
    """The front of the badge laid out as boxes, in badge coordinates; with the event's
    band at the top when it has a brand."""
    d, w, h, safe, align, colour, qr = _face_parts(layout, badge, qr)
    header = _header(badge.event_title, safe, d, brand, align) if _branded(brand) else None
    if header is not None:
        lines = []
        top = header.box.y
    else:
        lines = list(_event_lines(badge.event_title, safe, d.event_size, d.event_lines, align))
        top = min((ln.box.y for ln in lines), default=safe.top)
    band = Box(safe.x, top - d.gap * 0.6 - d.band_height, safe.width, d.band_height)
    lines += _category_line(badge, band, d, colour, align)
    region_top = band.y - d.gap
    zone = _qr_zone(d, qr, safe, w, region_top)
    if d.kind == "stack":
        text_box = Box(
            safe.x, zone.top + d.gap * 0.5, safe.width, region_top - zone.top - d.gap * 0.5
        )
        items = _name_items(badge, d) + _detail_items(badge, d, d.gap * 1.2)
        text_lines, rule = _column(items, text_box, align=align, rule_colour=colour)
    elif d.kind == "split":
        # The names across the whole width above the code, the details beside it.
        names_box = Box(
            safe.x, zone.top + d.gap * 0.5, safe.width, region_top - zone.top - d.gap * 0.5
        )
        text_lines, _ = _column(_name_items(badge, d), names_box, align=align)
        details_box = Box(safe.x, safe.y, zone.x - d.gap - safe.x, zone.top - safe.y)
        details, rule = _column(
            _detail_items(badge, d, 0), details_box, align=align, valign="top", rule_colour=colour
        )
        if details and rule is None:
            rule = Box(
                details_box.x,
                details_box.top + d.gap * 0.25,
                min(14 * mm, details_box.width / 3),
                1.2,
            )
        text_lines += details
    else:
        items = _name_items(badge, d) + _detail_items(badge, d, d.gap)
        text_box = _beside(items, zone, qr, safe, region_top, d)
        text_lines, rule = _column(items, text_box, align=align, rule_colour=colour)
    face = Face(
        w,
        h,
        safe,
        band,
        colour,
        _band_border(colour),
        tuple(lines + text_lines),
        qr,
        _symbol(zone, qr),
        zone,
        rule,
    )
    return _with_header(face, header)


def back_face(
    badge: Badge,
    layout: Layout | str = "a6",
    *,
    qr: QrCode | None = None,
    brand: Brand | None = None,
) -> Face:
    """The back of the badge laid out as boxes, in badge coordinates (placed mirrored);
    with the event's band (which then names the event) when it has a brand."""
    d, w, h, safe, align, colour, qr = _face_parts(layout, badge, qr)
    header = _header(badge.event_title, safe, d, brand, align) if _branded(brand) else None
    band_top = header.box.y - d.gap * 0.6 if header is not None else safe.top
    band = Box(safe.x, band_top - d.band_height, safe.width, d.band_height)
    lines = _category_line(badge, band, d, colour, align)
    region_top = band.y - d.gap
    zone = _qr_zone(d, qr, safe, w, region_top)
    name = _clean(badge.native_name, badge.country, True) or _clean(
        badge.latin_name, badge.country, True
    )
    title = _Item(
        "event",
        _clean(badge.event_title, None, True),
        d.back_title_size,
        d.back_title_size * 0.7,
        bold=True,
        max_lines=d.back_title_lines,
    )
    items = [
        *([] if header is not None else [title]),  # the header names the event already
        _Item(
            "dates",
            _clean(badge.event_dates, None),
            d.info_size,
            d.info_size * 0.75,
            colour=MUTED,
            gap_before=0 if header is not None else d.gap * 0.3,
        ),
        _Item(
            "name",
            name,
            d.latin_size,
            d.latin_min,
            bold=True,
            gap_before=d.gap * 1.2,
            country=badge.country,
            rule_before=True,
        ),
    ]
    note = _Item("note", RETURN_NOTE, d.small_size, d.small_size * 0.7, colour=MUTED, max_lines=2)
    if d.kind == "stack":
        # The note under the code, the rest between the band and the code.
        note_height = _set_item(note, safe.width, 1.0).height
        zone = Box(zone.x, safe.y + note_height + d.gap * 0.3, zone.width, zone.height)
        note_lines, _ = _column([note], Box(safe.x, safe.y, safe.width, note_height))
        text_box = Box(
            safe.x, zone.top + d.gap * 0.5, safe.width, region_top - zone.top - d.gap * 0.5
        )
        text_lines, rule = _column(items, text_box, rule_colour=colour)
        text_lines += note_lines
    else:
        items.append(replace(note, gap_before=d.gap))
        text_box = _beside(items, zone, qr, safe, region_top, d)
        text_lines, rule = _column(items, text_box, align=align, rule_colour=colour)
    face = Face(
        w,
        h,
        safe,
        band,
        colour,
        _band_border(colour),
        tuple(lines + text_lines),
        qr,
        _symbol(zone, qr),
        zone,
        rule,
    )
    return _with_header(face, header)


# --- drawing ---------------------------------------------------------------------------------


_LOGO_FORM = "EventLogo"  # the logo, drawn once into a unit square, placed on every badge


def _define_logo(canvas: Canvas, logo: bytes) -> None:
    """Put the logo into the file once, as a form each badge places and scales."""
    canvas.beginForm(_LOGO_FORM, 0, 0, 1, 1)
    canvas.drawImage(ImageReader(io.BytesIO(logo)), 0, 0, 1, 1, mask="auto")
    canvas.endForm()


def _draw_header(canvas: Canvas, face: Face) -> None:
    header = face.header
    radius = min(1.5 * mm, header.height / 4)
    canvas.setFillColor(face.header_colour)
    if face.header_border is not None:
        canvas.setStrokeColor(face.header_border)
        canvas.setLineWidth(0.6)
    canvas.roundRect(
        header.x,
        header.y,
        header.width,
        header.height,
        radius,
        stroke=1 if face.header_border is not None else 0,
        fill=1,
    )
    if face.logo_plate is not None and face.logo is not None:
        plate = face.logo_plate
        canvas.setFillColor(white)
        canvas.roundRect(
            plate.x,
            plate.y,
            plate.width,
            plate.height,
            min(1 * mm, plate.height / 4),
            stroke=0,
            fill=1,
        )
        canvas.saveState()
        canvas.translate(face.logo.x, face.logo.y)
        canvas.scale(face.logo.width, face.logo.height)
        canvas.doForm(_LOGO_FORM)
        canvas.restoreState()


def _draw_face(canvas: Canvas, face: Face, x: float, y: float) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    if face.header is not None:
        _draw_header(canvas, face)
    canvas.setFillColor(face.band_colour)
    if face.band_border is not None:
        canvas.setStrokeColor(face.band_border)
        canvas.setLineWidth(0.6)
    radius = min(1.5 * mm, face.band.height / 4)
    canvas.roundRect(
        face.band.x,
        face.band.y,
        face.band.width,
        face.band.height,
        radius,
        stroke=1 if face.band_border is not None else 0,
        fill=1,
    )
    if face.rule is not None:
        canvas.setFillColor(_accent(face.band_colour))
        canvas.rect(face.rule.x, face.rule.y, face.rule.width, face.rule.height, stroke=0, fill=1)
    for line in face.lines:
        canvas.setFillColor(line.colour)
        draw_text(
            canvas,
            line.x,
            line.baseline,
            line.text,
            line.size,
            country=line.country,
            bold=line.bold,
        )
    draw_qr(canvas, face.qr, face.qr_symbol.x, face.qr_symbol.y, face.qr_symbol.width)
    canvas.restoreState()


def cut_mark_lines(layout: Layout) -> list[tuple[float, float, float, float]]:
    """Crop marks for a page of the layout: (x1, y1, x2, y2) segments in page coordinates.

    At each badge corner, one horizontal and one vertical mark run outwards along the trim
    lines, starting a little off the corner; a mark that would enter another badge or leave
    the page is shortened, or left out where the gutter is too narrow.
    """
    rects = [Box(x, y, layout.badge_width, layout.badge_height) for x, y in layout.positions()]
    page = Box(0, 0, layout.page_width, layout.page_height)
    marks = set()
    for r in rects:
        for cx, sx in ((r.x, -1), (r.right, 1)):
            for cy, sy in ((r.y, -1), (r.top, 1)):
                # Horizontal mark along y = cy, going away from the badge in x; vertical alike.
                for dx, dy in ((sx, 0), (0, sy)):
                    start = (cx + dx * _MARK_OFFSET, cy + dy * _MARK_OFFSET)
                    length = _free_length(start, (dx, dy), rects, page)
                    if length >= _MARK_MIN_LENGTH:
                        end = (start[0] + dx * length, start[1] + dy * length)
                        marks.add(tuple(round(v, 3) for v in (*start, *end)))
    return sorted(marks)


def _free_length(start, direction, rects: list[Box], page: Box) -> float:
    """How far a mark may run from start before it meets a badge or the sheet's edge."""
    x, y = start
    dx, dy = direction
    length = _MARK_LENGTH
    if dx:
        limit = page.right - x if dx > 0 else x - page.x
    else:
        limit = page.top - y if dy > 0 else y - page.y
    length = min(length, limit - 0.5 * mm)  # not to the very edge of the sheet
    for r in rects:
        if dx and r.y - 0.01 <= y <= r.top + 0.01:
            distance = r.x - x if dx > 0 else x - r.right
        elif dy and r.x - 0.01 <= x <= r.right + 0.01:
            distance = r.y - y if dy > 0 else y - r.top
        else:
            continue
        if distance < -0.01 and ((dx and (r.x < x < r.right)) or (dy and (r.y < y < r.top))):
            return 0.0  # starts inside a badge
        if distance >= -0.01:
            length = min(length, distance - 1 * mm)
    return max(length, 0.0)


def _draw_cut_marks(canvas: Canvas, marks) -> None:
    if not marks:
        return
    canvas.saveState()
    canvas.setStrokeColor(MARK)
    canvas.setLineWidth(_MARK_WIDTH)
    canvas.lines(marks)
    canvas.restoreState()


def render_badges(
    badges: Iterable[Badge],
    out: BinaryIO,
    *,
    layout: str = "a6",
    cut_marks: bool = False,
    back_side: bool = False,
    on_progress: Callable[[int], None] | None = None,
    brand: Brand | None = None,
) -> int:
    """Write the PDF to `out` (a file or BytesIO), page by page; returns the number of badges.

    brand, if given and not the site's default, puts the event's band (its colour, its logo
    and name) at the top of every face.

    on_progress, if given, is called after each sheet with the number of badges done so far.
    Raises UnknownLayout, or ValueError for no badges (before anything is written) and for a
    badge that cannot be printed (a malformed colour, an empty token); pages are written as
    they are made, so after such an error `out` holds an unfinished file, to be discarded.
    """
    spec = _layout(layout)
    badges = iter(badges)
    page = list(itertools.islice(badges, spec.per_page))
    if not page:
        raise ValueError("no badges to render: the list is empty")
    if cut_marks and spec.per_page == 1:
        spec = spec.with_mark_margin(_MARK_MARGIN)
    marks = cut_mark_lines(spec) if cut_marks else []

    canvas = Canvas(
        None,
        pagesize=(spec.page_width, spec.page_height),
        initialFontName=base_font(),
        pageCompression=1,
    )
    first = page[0]
    canvas.setTitle(f"Badges: {first.event_title}")
    canvas.setAuthor(first.event_title)
    canvas.setSubject(f"Name badges, {spec.description}")
    canvas.setCreator("conference")
    if spec.per_page == 1 and cut_marks:
        x, y = spec.positions()[0]
        canvas.setTrimBox((x, y, x + spec.badge_width, y + spec.badge_height))
    stream = PageStream(canvas, out)
    if not _branded(brand):
        brand = None
    elif brand.logo and brand.logo_size:
        _define_logo(canvas, brand.logo)
    elif brand.logo:  # bytes without their size: placed as no logo rather than distorted
        brand = replace(brand, logo=None)

    fronts = spec.positions()
    backs = spec.positions(back=True)
    done = 0
    try:
        while page:
            codes = [encode_qr(b.token) for b in page]
            for badge, code, (x, y) in zip(page, codes, fronts, strict=False):
                _draw_face(canvas, front_face(badge, spec, qr=code, brand=brand), x, y)
            _draw_cut_marks(canvas, marks)
            canvas.showPage()
            stream.page_done()
            if back_side:
                for badge, code, (x, y) in zip(page, codes, backs, strict=False):
                    _draw_face(canvas, back_face(badge, spec, qr=code, brand=brand), x, y)
                _draw_cut_marks(canvas, marks)
                canvas.showPage()
                stream.page_done()
            done += len(page)
            if on_progress is not None:
                on_progress(done)
            page = list(itertools.islice(badges, spec.per_page))
        stream.close()
    except BaseException:
        stream.abandon()
        raise
    return done


def render_badges_bytes(badges: Iterable[Badge], **kwargs) -> bytes:
    """The badges as PDF bytes; keyword arguments as for :func:`render_badges`."""
    buffer = io.BytesIO()
    render_badges(badges, buffer, **kwargs)
    return buffer.getvalue()
