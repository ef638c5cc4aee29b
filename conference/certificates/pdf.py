"""Certificates of attendance as print-ready PDFs: data in, a PDF stream out (no Flask, no
database).

One A4 landscape page per delegate: the event's name at the top, the title, the delegate's
name large (in their own script when they have one, the Latin form below it, in the order
they write it), their organisation and country, the event, its place and dates, the days
they were present and, in a panel on the right, the sessions they were checked into, day by
day. At the foot a signature line with the signatory's name, and in the bottom right corner
a small QR code of the certificate's public verification page with that address as text.

As on badges, every layout is computed first as boxes (:func:`layout`) and only then drawn, so
tests can prove that no text leaves the page's safe area or touches the QR code's quiet zone;
names shrink to fit, longer texts wrap and are cut with an ellipsis, and a panel of sessions
too long for the page ends with how many more there are. All text goes through
:mod:`conference.pdf.text`: shaped, in the right font for every ASEAN+3 script, and its text
layer holds the characters that were typed. The pages are written one by one as they are
drawn (:class:`conference.pdf.stream.PageStream`), so any number of certificates takes flat
memory.
"""

import io
import itertools
import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import BinaryIO

from reportlab.lib.colors import Color, white
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from conference.badges.pdf import Box
from conference.badges.qr import QrCode, draw_qr, encode_qr, symbol_width
from conference.pdf.colours import INK, MUTED, contrast, parse_colour
from conference.pdf.flow import ellipsize
from conference.pdf.stream import PageStream
from conference.pdf.text import base_font, draw_text, fit_size, text_runs, text_width, wrap_lines

__all__ = [
    "Certificate",
    "NoCertificates",
    "Page",
    "SessionLine",
    "Text",
    "layout",
    "render_certificates",
    "render_certificates_bytes",
]

log = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
TITLE = "Certificate of Attendance"
CERTIFY = "This is to certify that"
ATTENDED = "attended"
SESSIONS_HEADING = "Sessions attended"
VERIFY_NOTE = "Check this certificate: scan the code or open"

FRAME = 8 * mm  # the outer line of the frame, from the trim
FRAME_INNER = 10 * mm
MARGIN = 17 * mm  # the safe area every element keeps to
QR_ZONE = 29 * mm  # the QR symbol with its quiet zone
GAP = 5 * mm
PANEL_WIDTH = 92 * mm
PANEL_PAD = 5 * mm
SIGNATURE_WIDTH = 70 * mm
LOGO_HEIGHT = 18 * mm
LOGO_MAX_WIDTH = 45 * mm
MIN_SIZE = 6.0  # points: smaller is not worth printing, so such text is cut instead


# Ink extents of each bundled font family, in em above and below the baseline, with the
# stacked marks of Thai, Lao, Khmer and Burmese (as conference.badges.pdf measures them).
_EXTENTS = (
    ("NotoSansThai", (1.30, 0.45)),
    ("NotoSansLao", (1.30, 0.50)),
    ("NotoSansKhmer", (1.30, 0.70)),
    ("NotoSansMyanmar", (1.35, 0.75)),
    ("NotoSans", (1.07, 0.30)),
)
_OTHER_EXTENT = (1.00, 0.30)  # the CJK fonts


class NoCertificates(ValueError):
    """There was no certificate to render."""


@dataclass(frozen=True)
class SessionLine:
    """A session the delegate was checked into, as the certificate lists it."""

    day: str  # e.g. "Tuesday 29 October"
    time: str  # e.g. "09:00"
    title: str


@dataclass(frozen=True)
class Certificate:
    """Everything one certificate prints; strings as they should appear."""

    event_title: str
    event_dates: str  # e.g. "29–30 October 2024"
    place: str  # e.g. "Centara Grand, Bangkok, Thailand"
    native_name: str  # in the delegate's own script, "" when none (or the same name)
    latin_name: str  # e.g. "Mr Sakchai Thongdee", "Ms Nguyễn Thị Minh Khai" (conference/names.py)
    country: str  # ISO 3166 alpha-2, for the CJK font choice
    organisation: str
    country_name: str
    presence: str  # e.g. "Present on 29 and 30 October 2024 (2 of 2 days)"
    url: str  # the public verification page: the QR code's content, printed as text too
    reference: str  # e.g. "ASEAN3-2024/CERT/0042"
    issued: str  # e.g. "Bangkok, 30 October 2024"
    signatory_name: str = ""
    signatory_title: str = ""
    sessions: tuple[SessionLine, ...] = ()
    colour: str = "#1f4e79"  # the event's colour, "#RRGGBB"
    logo: bytes | None = None  # an image (PNG, JPEG) for the top left corner


@dataclass(frozen=True)
class Text:
    """One line of text placed on the page: what is drawn, where, in what."""

    role: str  # "event", "title", "native_name", "latin_name", "session", "url", ...
    text: str  # as drawn: normalised, and cut with an ellipsis if it had to be
    x: float  # where the drawn text starts
    baseline: float
    size: float
    width: float
    bold: bool
    colour: Color
    country: str | None
    ascent: float  # ink above the baseline, points (stacked marks included)
    descent: float

    def ink(self) -> Box:
        """The rectangle the drawn glyphs can cover."""
        return Box(self.x, self.baseline - self.descent, self.width, self.ascent + self.descent)


@dataclass(frozen=True)
class Page:
    """One certificate laid out in points, origin at the page's lower left."""

    width: float
    height: float
    safe: Box
    colour: Color
    texts: tuple[Text, ...]
    rules: tuple[tuple[Box, Color], ...]  # thin filled rectangles: accents, the signature line
    panel: Box | None  # the tinted panel behind the sessions
    qr: QrCode
    qr_symbol: Box
    qr_zone: Box  # the symbol with its quiet zone, kept clear of everything else
    logo: Box | None
    sessions_left_out: int  # sessions the panel had no room for (it says how many)

    def role(self, name: str) -> list[Text]:
        """The lines of one role, top to bottom."""
        return [t for t in self.texts if t.role == name]


# --- colours ---------------------------------------------------------------------------------


def _parse(value: str) -> Color:
    return parse_colour(value, "the certificate's colour")


def _readable(colour: Color) -> Color:
    """The colour darkened until text in it reads on white (WCAG contrast 4.5)."""
    for _ in range(20):
        if contrast(colour) >= 4.5:
            return colour
        colour = Color(colour.red * 0.85, colour.green * 0.85, colour.blue * 0.85)
    return INK


def _visible(colour: Color) -> Color:
    """The colour for the frame and rules: darkened when too pale to see on white."""
    if contrast(colour) >= 1.6:
        return colour
    return Color(colour.red * 0.7, colour.green * 0.7, colour.blue * 0.7)


def _tint(colour: Color, amount: float) -> Color:
    """The colour mixed with white: `amount` of the colour."""
    return Color(*(1 - amount * (1 - c) for c in (colour.red, colour.green, colour.blue)))


# --- text ------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    """One line, NFC, without control characters (a bad import's NUL or ESC)."""
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


@lru_cache(maxsize=4096)
def _extent(text: str, country: str | None, bold: bool) -> tuple[float, float]:
    """(ascent, descent) in em of the fonts the text is drawn in."""
    ascent, descent = _EXTENTS[4][1]
    for font_name, _ in text_runs(text, country=country, bold=bold):
        a, d = next((e for prefix, e in _EXTENTS if font_name.startswith(prefix)), _OTHER_EXTENT)
        ascent, descent = max(ascent, a), max(descent, d)
    return ascent, descent


@dataclass(frozen=True)
class _Item:
    """A block of text for a column: shrunk to fit one line, or wrapped to max_lines."""

    role: str
    text: str
    size: float
    min_size: float
    bold: bool = False
    colour: Color = INK
    max_lines: int = 1
    gap_before: float = 0.0
    country: str | None = None
    rule_before: bool = False  # an accent rule in the gap before this item
    # A name: shrunk on one line first, then on two balanced lines, cut only past that.
    shrink_first: bool = False


@dataclass(frozen=True)
class _Set:
    item: _Item
    size: float
    lines: tuple[str, ...]
    widths: tuple[float, ...]
    extents: tuple[tuple[float, float], ...]  # points

    @property
    def height(self) -> float:
        return sum(a + d for a, d in self.extents) + 0.15 * self.size * (len(self.lines) - 1)


def _cut_wrapped(text: str, lines: list[str], width: float, size: float, **style) -> list[str]:
    """The first lines as wrapped, the last holding the rest of the text cut with '…'."""
    kept = lines[:-1]
    end = 0
    for line in kept:
        end = text.find(line, end) + len(line)
    rest = text[end:].strip()
    return [*kept, ellipsize(rest, width, size, **style)]


def _two_lines(text: str, width: float, size: float, **style) -> list[str] | None:
    """The text on two lines of about equal width (a name), or None if it does not fit so.
    Text without spaces (Thai, Khmer, CJK) is wrapped between clusters instead."""
    words = text.split(" ")
    if len(words) < 2:
        lines = wrap_lines(text, width, size, **style)
        return lines if len(lines) <= 2 else None
    best = None
    for cut in range(1, len(words)):
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        widest = max(text_width(line, size, **style) for line in lines)
        if widest <= width and (best is None or widest < best[0]):
            best = (widest, lines)
    return best[1] if best else None


@lru_cache(maxsize=4096)
def _set(item: _Item, width: float, scale: float) -> _Set:
    style = {"country": item.country, "bold": item.bold}
    size = max(item.size * scale, MIN_SIZE)
    min_size = min(size, max(item.min_size * scale, MIN_SIZE))
    if item.shrink_first:
        # One line down to 70%; then two balanced lines from 85% down; cut only past that.
        one_line = fit_size(item.text, width, size, min_size=max(min_size, size * 0.7), **style)
        if text_width(item.text, one_line, **style) <= width:
            lines, size = [item.text], one_line
        else:
            size = max(min_size, size * 0.85)
            while (lines := _two_lines(item.text, width, size, **style)) is None:
                if size <= min_size:
                    wrapped = wrap_lines(item.text, width, size, **style)
                    lines = _cut_wrapped(item.text, wrapped[:2], width, size, **style)
                    break
                size = max(min_size, size - 1)
    elif item.max_lines == 1:
        size = fit_size(item.text, width, size, min_size=min_size, **style)
        lines = [ellipsize(item.text, width, size, **style)]
    else:
        # The largest size down to min_size at which the text wraps to max_lines.
        while size > min_size and len(wrap_lines(item.text, width, size, **style)) > item.max_lines:
            size = max(min_size, size - 1)
        lines = wrap_lines(item.text, width, size, **style)
        if len(lines) > item.max_lines:
            lines = _cut_wrapped(item.text, lines[: item.max_lines], width, size, **style)
    lines = tuple(line for line in lines if line)
    widths = tuple(text_width(line, size, **style) for line in lines)
    extents = tuple(
        tuple(e * size for e in _extent(line, item.country, item.bold)) for line in lines
    )
    return _Set(item, size, lines, widths, extents)


def _column(
    items: list[_Item], box: Box, rule_colour: Color
) -> tuple[list[Text], list[tuple[Box, Color]]]:
    """The items centred in the box, top to bottom, shrunk together until they fit; when even
    60% is too tall, the last items are left out one by one."""
    items = [i for i in items if i.text]
    while items:
        scale = 1.0
        while scale >= 0.6:
            sets = [_set(i, box.width, scale) for i in items]
            height = sum(s.height for s in sets) + scale * sum(s.item.gap_before for s in sets[1:])
            if height <= box.height:
                return _place(sets, box, height, scale, rule_colour)
            scale = round(scale - 0.05, 2)
        items = items[:-1]
    return [], []


def _place(sets: list[_Set], box: Box, height: float, scale: float, rule_colour: Color):
    y = box.top - (box.height - height) / 2
    texts: list[Text] = []
    rules: list[tuple[Box, Color]] = []
    for n, s in enumerate(sets):
        if n:
            gap = scale * s.item.gap_before
            if s.item.rule_before and gap >= 6:
                rule_width = min(24 * mm, box.width / 3)
                rule = Box(
                    box.x + (box.width - rule_width) / 2, y - gap / 2 - 0.75, rule_width, 1.5
                )
                rules.append((rule, rule_colour))
            y -= gap
        for i, (line, width, (ascent, descent)) in enumerate(
            zip(s.lines, s.widths, s.extents, strict=True)
        ):
            if i:
                y -= 0.15 * s.size
            baseline = y - ascent
            texts.append(
                Text(
                    s.item.role,
                    line,
                    box.x + (box.width - width) / 2,
                    baseline,
                    s.size,
                    width,
                    s.item.bold,
                    s.item.colour,
                    s.item.country,
                    ascent,
                    descent,
                )
            )
            y = baseline - descent
    return texts, rules


def _line(
    role: str,
    text: str,
    x: float,
    baseline: float,
    size: float,
    max_width: float,
    *,
    bold: bool = False,
    colour: Color = INK,
    country: str | None = None,
    align: str = "left",
) -> Text | None:
    """One line at a fixed place, shrunk (to 80%) and then cut to max_width; None if empty."""
    text = _clean(text)
    if not text:
        return None
    style = {"country": country, "bold": bold}
    size = fit_size(text, max_width, size, min_size=max(size * 0.8, MIN_SIZE), **style)
    text = ellipsize(text, max_width, size, **style)
    width = text_width(text, size, **style)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    ascent, descent = (e * size for e in _extent(text, country, bold))
    return Text(role, text, x, baseline, size, width, bold, colour, country, ascent, descent)


# --- the page --------------------------------------------------------------------------------


def _name_item(role: str, text: str, size: float, min_size: float, **style) -> _Item:
    """A name: on one line, shrunk to fit; a very long one on two lines; cut only past that."""
    return _Item(role, text, size, min_size, shrink_first=True, **style)


def _main_items(cert: Certificate, colour: Color) -> list[_Item]:
    native = _clean(cert.native_name)
    latin = _clean(cert.latin_name)
    names = (
        [
            _name_item(
                "native_name", native, 34, 16, bold=True, gap_before=8, country=cert.country
            ),
            _name_item("latin_name", latin, 17, 10, gap_before=5, country=cert.country),
        ]
        if native
        else [
            _name_item("latin_name", latin, 34, 16, bold=True, gap_before=8, country=cert.country)
        ]
    )
    affiliation = " · ".join(
        part for part in (_clean(cert.organisation), _clean(cert.country_name)) if part
    )
    return [
        _Item("title", TITLE.upper(), 27, 16, bold=True, colour=colour),
        _Item("certify", CERTIFY, 12, 9, colour=MUTED, gap_before=22, rule_before=True),
        *names,
        _Item("affiliation", affiliation, 11, 8, colour=MUTED, gap_before=6, country=cert.country),
        _Item("attended", ATTENDED, 12, 9, colour=MUTED, gap_before=22, rule_before=True),
        _Item(
            "event_title", _clean(cert.event_title), 17, 11, bold=True, max_lines=2, gap_before=4
        ),
        _Item("place", _clean(f"{cert.place} · {cert.event_dates}".strip(" ·")), 11.5, 8),
        _Item("presence", _clean(cert.presence), 11.5, 8, gap_before=8),
    ]


def _height(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """(ascent, descent) of a line of text at this size, in points."""
    ascent, descent = _extent(_clean(text), None, bold)
    return ascent * size, descent * size


def _session_panel(
    cert: Certificate, box: Box, colour: Color
) -> tuple[list[Text], list[tuple[Box, Color]], int, float]:
    """The sessions, day by day, top down in the panel's box; what does not fit is counted.
    Returns the texts, the rules, how many sessions were left out and where the ink ends."""
    inner = Box(
        box.x + PANEL_PAD, box.y + PANEL_PAD, box.width - 2 * PANEL_PAD, box.height - 2 * PANEL_PAD
    )
    size, spacing = 8.5, 1.2  # points between one line's ink and the next's
    time_width = text_width("00:00", size) + 6
    title_width = inner.width - time_width
    ascent, _ = _height(SESSIONS_HEADING, 10, bold=True)
    heading = _line(
        "sessions_heading",
        SESSIONS_HEADING,
        inner.x,
        inner.top - ascent,
        10,
        inner.width,
        bold=True,
        colour=colour,
    )
    texts: list[Text] = [heading]
    rules = [(Box(inner.x, heading.baseline - 6, min(14 * mm, inner.width), 1), colour)]
    y = heading.baseline - 6 - 4
    more_height = sum(_height("and 9 more sessions", size)) + 4
    sessions = list(cert.sessions)
    day = None
    for n, session in enumerate(sessions):
        title = _clean(session.title) or "Session"
        title_lines = wrap_lines(title, title_width, size)
        if len(title_lines) > 2:
            title_lines = _cut_wrapped(title, title_lines[:2], title_width, size)
        heights = [_height(line, size) for line in title_lines]
        needed = sum(a + d + spacing for a, d in heights)
        new_day = session.day != day
        if new_day:
            needed += 5 + sum(_height(session.day, size, bold=True)) + spacing
        reserve = more_height if n < len(sessions) - 1 else 0
        if y - needed - reserve < inner.y:
            break
        if new_day:
            day = session.day
            a, d = _height(day, size, bold=True)
            y -= 5
            texts.append(_line("session_day", day, inner.x, y - a, size, inner.width, bold=True))
            y -= a + d + spacing
        for i, (text, (a, d)) in enumerate(zip(title_lines, heights, strict=True)):
            baseline = y - a
            if i == 0:
                time = _line(
                    "session_time", session.time, inner.x, baseline, size, time_width, colour=MUTED
                )
                if time is not None:
                    texts.append(time)
            line = _line("session", text, inner.x + time_width, baseline, size, title_width)
            if line is not None:
                texts.append(line)
            y = baseline - d - spacing
    else:
        return texts, rules, 0, y
    left_out = len(sessions) - n
    more = f"and {left_out} more session{'s' if left_out != 1 else ''}: see the verification page"
    a, _ = _height(more, size)
    line = _line("sessions_more", more, inner.x, y - 4 - a, size, inner.width, colour=MUTED)
    texts.append(line)
    return texts, rules, left_out, line.ink().y


def _footer(
    cert: Certificate, safe: Box, zone: Box, colour: Color
) -> tuple[list[Text], list[tuple[Box, Color]]]:
    texts: list[Text | None] = []
    # The signature line: room above it for a hand signature, the signatory below.
    rule_y = safe.y + 16 * mm
    width = min(SIGNATURE_WIDTH, (zone.x - safe.x) / 2 - GAP)
    rules = [(Box(safe.x, rule_y, width, 0.8), INK)]
    name = cert.signatory_name or "For the organisers"
    texts.append(_line("signatory", name, safe.x, rule_y - 13, 10, width, bold=True))
    texts.append(
        _line(
            "signatory_title", cert.signatory_title, safe.x, rule_y - 26, 8.5, width, colour=MUTED
        )
    )
    texts.append(_line("issued", cert.issued, safe.x, safe.y + 3, 8.5, width, colour=MUTED))
    # Left of the code: how to check the certificate, its address, its number.
    right = zone.x - 3 * mm
    block = right - (safe.x + width + GAP)
    url_width = min(block, 95 * mm)
    url_lines = wrap_lines(_clean(cert.url), url_width, 7)[:4]
    baseline = safe.y + 3
    texts.append(
        _line(
            "reference",
            f"Certificate {cert.reference}",
            right,
            baseline,
            7.5,
            block,
            colour=MUTED,
            align="right",
        )
    )
    baseline += 12
    for text in reversed(url_lines):
        texts.append(_line("url", text, right, baseline, 7, url_width, align="right"))
        baseline += 10
    texts.append(
        _line(
            "verify_note", VERIFY_NOTE, right, baseline + 1, 7.5, block, colour=MUTED, align="right"
        )
    )
    return [t for t in texts if t is not None], rules


@lru_cache(maxsize=4)  # one logo for every certificate of an event
def _logo(logo: bytes) -> tuple[ImageReader, float, float] | None:
    """The logo's image and the (width, height) it prints at; None for one unreadable."""
    try:
        reader = ImageReader(io.BytesIO(logo))
        w, h = reader.getSize()
    except Exception:  # any image the reader cannot take: the certificate prints without it
        log.warning("the event's logo cannot be read; certificates print without it")
        return None
    if not w or not h:
        return None
    scale = min(LOGO_HEIGHT / h, LOGO_MAX_WIDTH / w)
    return reader, w * scale, h * scale


def layout(cert: Certificate, *, qr: QrCode | None = None) -> Page:
    """The certificate laid out as boxes, in page coordinates."""
    colour = _visible(_parse(cert.colour))
    text_colour = _readable(colour)
    qr = qr or encode_qr(cert.url)
    safe = Box(MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN)
    # The code in the bottom right corner: its symbol's edges on the safe area's.
    quiet = (QR_ZONE - symbol_width(QR_ZONE, qr.size)) / 2
    zone = Box(safe.right + quiet - QR_ZONE, safe.y - quiet, QR_ZONE, QR_ZONE)
    symbol_side = symbol_width(QR_ZONE, qr.size)
    symbol = Box(zone.x + quiet, zone.y + quiet, symbol_side, symbol_side)

    texts: list[Text] = []
    rules: list[tuple[Box, Color]] = []
    # The event's name across the top (beside the logo, kept symmetric).
    image = _logo(cert.logo) if cert.logo else None
    logo = None
    top_width = safe.width
    if image is not None:
        _, logo_width, logo_height = image
        logo = Box(safe.x, safe.top - logo_height, logo_width, logo_height)
        top_width = safe.width - 2 * (logo_width + GAP)
    title = _clean(cert.event_title).upper()
    event = _line(
        "event",
        title,
        safe.x + safe.width / 2,
        safe.top - _height(title, 11, bold=True)[0],
        11,
        top_width,
        bold=True,
        colour=text_colour,
        align="center",
    )
    if event is not None:
        texts.append(event)
    header_bottom = min(event.ink().y if event else safe.top, logo.y if logo else safe.top) - GAP

    footer_top = symbol.top + GAP
    body = Box(safe.x, footer_top, safe.width, header_bottom - footer_top)
    panel = None
    left_out = 0
    if cert.sessions:
        room = Box(body.right - PANEL_WIDTH, body.y, PANEL_WIDTH, body.height)
        column = Box(body.x, body.y, body.width - PANEL_WIDTH - 2 * GAP, body.height)
        panel_texts, panel_rules, left_out, end = _session_panel(cert, room, text_colour)
        # As tall as what it lists, centred beside the column.
        height = room.top - end + PANEL_PAD
        drop = (room.height - height) / 2
        panel = Box(room.x, room.y + drop, room.width, height)
        texts += [replace(t, baseline=t.baseline - drop) for t in panel_texts]
        rules += [(replace(box, y=box.y - drop), c) for box, c in panel_rules]
    else:
        column = Box(body.x + 20 * mm, body.y, body.width - 40 * mm, body.height)
    column_texts, column_rules = _column(_main_items(cert, text_colour), column, colour)
    texts += column_texts
    rules += column_rules
    footer_texts, footer_rules = _footer(cert, safe, zone, colour)
    texts += footer_texts
    rules += footer_rules
    return Page(
        PAGE_WIDTH,
        PAGE_HEIGHT,
        safe,
        colour,
        tuple(texts),
        tuple(rules),
        panel,
        qr,
        symbol,
        zone,
        logo,
        left_out,
    )


# --- drawing ---------------------------------------------------------------------------------


def _draw_page(canvas: Canvas, page: Page, logo: bytes | None) -> None:
    colour = page.colour
    canvas.saveState()
    # The frame: a strong outer line and a hairline inside it, in the event's colour.
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(2.4)
    canvas.rect(FRAME, FRAME, page.width - 2 * FRAME, page.height - 2 * FRAME, stroke=1, fill=0)
    canvas.setLineWidth(0.6)
    canvas.rect(
        FRAME_INNER,
        FRAME_INNER,
        page.width - 2 * FRAME_INNER,
        page.height - 2 * FRAME_INNER,
        stroke=1,
        fill=0,
    )
    if page.panel is not None:
        canvas.setFillColor(_tint(colour, 0.07))
        p = page.panel
        canvas.roundRect(p.x, p.y, p.width, p.height, 2 * mm, stroke=0, fill=1)
    for box, rule_colour in page.rules:
        canvas.setFillColor(rule_colour)
        canvas.rect(box.x, box.y, box.width, box.height, stroke=0, fill=1)
    image = _logo(logo) if logo else None
    if page.logo is not None and image is not None:
        canvas.drawImage(
            image[0],
            page.logo.x,
            page.logo.y,
            page.logo.width,
            page.logo.height,
            mask="auto",
        )
    for text in page.texts:
        canvas.setFillColor(text.colour)
        draw_text(
            canvas,
            text.x,
            text.baseline,
            text.text,
            text.size,
            country=text.country,
            bold=text.bold,
        )
    canvas.setFillColor(white)
    z = page.qr_zone
    canvas.rect(z.x, z.y, z.width, z.height, stroke=0, fill=1)
    draw_qr(canvas, page.qr, page.qr_symbol.x, page.qr_symbol.y, page.qr_symbol.width)
    canvas.restoreState()


def render_certificates(
    certificates: Iterable[Certificate],
    out: BinaryIO,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the PDF to `out` (a file or BytesIO), page by page; returns how many were written.

    on_progress, if given, is called after each page with the number done so far. Raises
    ValueError for no certificates (before anything is written) and for one that cannot be
    printed (a malformed colour, no address); pages are written as they are made, so after
    such an error `out` holds an unfinished file, to be discarded.
    """
    certificates = iter(certificates)
    first = next(certificates, None)
    if first is None:
        raise NoCertificates("no certificates to render: the list is empty")
    canvas = Canvas(
        None, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), initialFontName=base_font(), pageCompression=1
    )
    canvas.setTitle(f"Certificate of attendance: {first.event_title}")
    canvas.setAuthor(first.event_title)
    canvas.setSubject("Certificate of attendance")
    canvas.setCreator("conference")
    stream = PageStream(canvas, out)
    done = 0
    try:
        for cert in itertools.chain([first], certificates):
            if not cert.url:
                raise ValueError("a certificate needs the address of its verification page")
            _draw_page(canvas, layout(cert), cert.logo)
            canvas.showPage()
            stream.page_done()
            done += 1
            if on_progress is not None:
                on_progress(done)
        stream.close()
    except BaseException:
        stream.abandon()
        raise
    return done


def render_certificates_bytes(certificates: Iterable[Certificate]) -> bytes:
    """The certificates as PDF bytes."""
    buffer = io.BytesIO()
    render_certificates(certificates, buffer)
    return buffer.getvalue()
