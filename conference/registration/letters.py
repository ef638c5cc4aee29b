"""Visa invitation letters as A4 PDFs: data in, bytes out (no Flask, no database).

All text goes through ``conference.pdf.text``, so a delegate's name in Thai, Khmer or Chinese
prints as correctly as the Latin one. The layout is computed first, page by page, then drawn,
so every page can say "Page 1 of 2" and long organiser texts flow onto further pages with no
line or block cut at the page foot.
"""

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from conference.pdf.colours import ACCENT, INK, MUTED, RULE
from conference.pdf.text import base_font, draw_text, fit_size, text_width, wrap_lines

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 25 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP = PAGE_HEIGHT - MARGIN
BOTTOM = MARGIN
FOOTER_BASELINE = 14 * mm

SHADE = HexColor("#f1f3f6")

BODY = 10.5
BODY_LEADING = 14.5
PARAGRAPH_GAP = 6
SIGNATURE_GAP = 10
LABEL_WIDTH = 128
CELL_PAD = 5

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class VisaLetter:
    """Everything one letter prints; dates already chosen, names as in the passport."""

    reference: str  # e.g. "ASEAN3-2024/VISA/0042"
    issued_on: date
    event_title: str
    event_dates: str  # already formatted, e.g. "29–30 October 2024"
    venue: str  # may be ""
    city: str
    country_name: str
    organiser_text: str  # paragraphs separated by blank lines; may hold {placeholders}
    signatory_name: str
    signatory_title: str
    delegate_name: str  # Latin, as in the passport, e.g. "Mr HA Trung Chien"
    native_name: str  # may be "", e.g. "Hà Trung Chiến"
    country: str  # delegate's ISO 3166 alpha-2, for the CJK font choice
    nationality: str  # country name
    passport_number: str
    date_of_birth: date | None
    passport_expiry: date | None
    organisation: str
    position: str


def fill_placeholders(letter: VisaLetter) -> str:
    """The organiser's text with {name}, {passport_number}, ... filled in.

    Unknown placeholders and stray braces are left exactly as written.
    """
    values = {
        "name": letter.delegate_name,
        "passport_number": letter.passport_number,
        "nationality": letter.nationality,
        "event_title": letter.event_title,
        "event_dates": letter.event_dates,
        "city": letter.city,
        "country": letter.country_name,
        "organisation": letter.organisation,
        "position": letter.position,
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), letter.organiser_text)


def format_letter_date(day: date | None) -> str:
    """'5 March 2025': unambiguous in every country, unlike 05/03/2025."""
    return f"{day.day} {day:%B %Y}" if day else ""


def render_visa_letter(letter: VisaLetter) -> bytes:
    """One visa invitation letter as an A4 PDF."""
    return render_visa_letters([letter])


def render_visa_letters(letters: Iterable[VisaLetter]) -> bytes:
    """Several letters in one A4 PDF, each starting on a new page with its own page numbers."""
    letters = list(letters)
    if not letters:
        raise ValueError("no letters to render")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=base_font(), pageCompression=1)
    first = letters[0]
    if len(letters) == 1:
        canvas.setTitle(f"Invitation letter for visa application: {first.delegate_name}")
    else:
        canvas.setTitle(f"Invitation letters for visa applications ({len(letters)})")
    canvas.setAuthor(first.event_title)
    canvas.setSubject("Invitation letter for visa application")
    for letter in letters:
        pages = _lay_out(letter)
        for number, ops in enumerate(pages, start=1):
            for op in ops:
                op(canvas)
            _draw_footer(canvas, letter, number, len(pages))
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


Op = Callable[[Canvas], None]


def _text(canvas, x, y, text, size, *, bold=False, color=INK, align="left", country=None):
    canvas.setFillColor(color)
    draw_text(canvas, x, y, text, size, bold=bold, align=align, country=country)


def _rule(canvas, y, *, color=RULE, width=0.6, x0=MARGIN, x1=MARGIN + CONTENT_WIDTH):
    canvas.setStrokeColor(color)
    canvas.setLineWidth(width)
    canvas.line(x0, y, x1, y)


class _Pages:
    """Places lines and blocks top-down, starting a new page when the next one won't fit."""

    def __init__(self, letter: VisaLetter):
        self.letter = letter
        self.pages: list[list[Op]] = [[]]
        self.y = TOP

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)

    def room(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP
        # Continuation pages say whose letter they belong to, should the pages be separated.
        head = f"{self.letter.reference} · {self.letter.delegate_name} (continued)"
        self.add(partial(_text, x=MARGIN, y=self.y - 8, text=head, size=8, color=MUTED))
        self.add(partial(_rule, y=self.y - 13))
        self.y -= 28

    def gap(self, height: float) -> None:
        self.y = max(self.y - height, BOTTOM)

    def line(self, text: str, size: float, leading: float, x: float = MARGIN, **style) -> None:
        self.room(leading)
        self.add(partial(_text, x=x, y=self.y - size, text=text, size=size, **style))
        self.y -= leading

    def paragraph(
        self, text: str, size: float, leading: float, keep_with_next: float = 0, **style
    ) -> None:
        """Wrapped lines; keep_with_next is the height that must follow the last line."""
        bold, country = style.get("bold", False), style.get("country")
        lines = wrap_lines(text, CONTENT_WIDTH, size, bold=bold, country=country)
        n = len(lines)
        for i, line in enumerate(lines):
            # Never leave a paragraph's first line, or its last one, alone on a page, and
            # take the last lines over with what must follow them (the signature).
            if i == 0 and n <= 3:
                self.room(n * leading + keep_with_next)
            elif i == 0:
                self.room(2 * leading)
            elif i == n - 2:
                self.room(2 * leading + keep_with_next)
            self.line(line, size, leading, **style)

    def block(self, height: float, draw: Callable[[Canvas, float], None]) -> None:
        self.room(height)
        self.add(partial(draw, top=self.y))
        self.y -= height


def _lay_out(letter: VisaLetter) -> list[list[Op]]:
    pages = _Pages(letter)
    _letterhead(pages, letter)
    pages.gap(14)
    pages.line("TO WHOM IT MAY CONCERN", 11, 20, bold=True)
    pages.line("Subject: Invitation letter for visa application", BODY, 18, bold=True)
    pages.gap(8)
    _details_table(pages, letter)
    pages.gap(16)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", fill_placeholders(letter)) if p.strip()]
    signature_height, draw_signature = _signature(letter)
    for i, paragraph in enumerate(paragraphs):
        last = i == len(paragraphs) - 1
        keep = PARAGRAPH_GAP + SIGNATURE_GAP + signature_height if last else 0
        pages.paragraph(paragraph, BODY, BODY_LEADING, keep_with_next=keep, country=letter.country)
        pages.gap(PARAGRAPH_GAP)
    pages.gap(SIGNATURE_GAP)
    pages.block(signature_height, draw_signature)
    return pages.pages


def _letterhead(pages: _Pages, letter: VisaLetter) -> None:
    # A title a little too long shrinks to stay on one line; a long one wraps.
    size = fit_size(letter.event_title, CONTENT_WIDTH, 16, min_size=13, bold=True)
    for line in wrap_lines(letter.event_title, CONTENT_WIDTH, size, bold=True):
        pages.line(line, size, size * 1.3, bold=True, color=ACCENT)
    place = ", ".join(p for p in (letter.venue, letter.city, letter.country_name) if p.strip())
    where = " · ".join(p for p in (letter.event_dates, place) if p.strip())
    for line in wrap_lines(where, CONTENT_WIDTH, 9.5):
        pages.line(line, 9.5, 13.5, color=MUTED)
    pages.gap(3)
    pages.add(partial(_rule, y=pages.y, color=ACCENT, width=1.2))
    pages.gap(12)
    right = MARGIN + CONTENT_WIDTH
    pages.line(f"Ref.: {letter.reference}", 9.5, 13.5, x=right, align="right", color=MUTED)
    pages.line(format_letter_date(letter.issued_on), 9.5, 13.5, x=right, align="right")


def _details_table(pages: _Pages, letter: VisaLetter) -> None:
    value_x = MARGIN + LABEL_WIDTH + CELL_PAD
    value_width = CONTENT_WIDTH - LABEL_WIDTH - 2 * CELL_PAD
    leading = BODY * 1.4
    # Each row: a label, then its value as lines of (text, size, leading, bold, country).
    name_lines = [
        (line, 11, leading, True, None)
        for line in wrap_lines(letter.delegate_name, value_width, 11, bold=True)
    ]
    if letter.native_name.strip():
        # Names in scripts without spaces shrink to fit rather than wrap; extra leading
        # leaves room for stacked Thai and Burmese marks.
        size = fit_size(letter.native_name, value_width, 12, min_size=8, country=letter.country)
        for line in wrap_lines(letter.native_name, value_width, size, country=letter.country):
            name_lines.append((line, size, size * 1.7, False, letter.country))
    rows = [("Name (as in passport)", name_lines)]
    for label, value in [
        ("Nationality", letter.nationality),
        ("Passport number", letter.passport_number),
        ("Date of birth", format_letter_date(letter.date_of_birth)),
        ("Passport expiry date", format_letter_date(letter.passport_expiry)),
        ("Organisation", letter.organisation),
        ("Position", letter.position),
    ]:
        if value.strip():
            lines = wrap_lines(value, value_width, BODY, country=letter.country)
            rows.append((label, [(line, BODY, leading, False, letter.country) for line in lines]))
    heights = [2 * CELL_PAD + sum(spec[2] for spec in lines) for _, lines in rows]
    caption = 15

    def draw(canvas: Canvas, top: float) -> None:
        _text(canvas, MARGIN, top - 8.5, "DELEGATE", 8.5, bold=True, color=MUTED)
        y = top - caption
        bottom = y - sum(heights)
        canvas.setFillColor(SHADE)
        canvas.rect(MARGIN, bottom, LABEL_WIDTH, y - bottom, stroke=0, fill=1)
        for (label, lines), height in zip(rows, heights, strict=True):
            line_top = y - CELL_PAD
            for i, (text, size, line_leading, bold, country) in enumerate(lines):
                # The em box sits in the middle of the leading, the baseline 0.8 em down it.
                baseline = line_top - (line_leading - size) / 2 - 0.8 * size
                if i == 0:
                    _text(canvas, MARGIN + CELL_PAD, baseline, label, 9, color=MUTED)
                _text(canvas, value_x, baseline, text, size, bold=bold, country=country)
                line_top -= line_leading
            y -= height
            if y > bottom:
                _rule(canvas, y)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(MARGIN, bottom, CONTENT_WIDTH, top - caption - bottom, stroke=1, fill=0)
        canvas.line(MARGIN + LABEL_WIDTH, top - caption, MARGIN + LABEL_WIDTH, bottom)

    pages.block(caption + sum(heights), draw)


def _signature(letter: VisaLetter) -> tuple[float, Callable[[Canvas, float], None]]:
    title_lines = [
        line
        for part in letter.signatory_title.splitlines()
        for line in wrap_lines(part, CONTENT_WIDTH / 2, BODY)
    ]
    signing_space = 36
    height = BODY_LEADING + signing_space + 16 + BODY_LEADING * len(title_lines)

    def draw(canvas: Canvas, top: float) -> None:
        _text(canvas, MARGIN, top - BODY, "Yours faithfully,", BODY)
        y = top - BODY_LEADING - signing_space
        _rule(canvas, y + 4, color=MUTED, width=0.5, x1=MARGIN + 180)
        _text(canvas, MARGIN, y - 11, letter.signatory_name, 11, bold=True)
        y -= 16
        for line in title_lines:
            _text(canvas, MARGIN, y - BODY, line, BODY, color=MUTED)
            y -= BODY_LEADING

    return height, draw


def _draw_footer(canvas: Canvas, letter: VisaLetter, number: int, count: int) -> None:
    _rule(canvas, FOOTER_BASELINE + 10)
    page = f"Page {number} of {count}"
    right = MARGIN + CONTENT_WIDTH
    left_width = CONTENT_WIDTH - text_width(page, 8) - 20
    size = fit_size(letter.event_title, left_width, 8, min_size=5)
    _text(canvas, MARGIN, FOOTER_BASELINE, letter.event_title, size, color=MUTED)
    _text(canvas, right, FOOTER_BASELINE, page, 8, color=MUTED, align="right")
