"""Visa invitation letters as A4 PDFs: data in, bytes out (no Flask, no database).

All text goes through ``conference.pdf.text``, so a delegate's name in Thai, Khmer or Chinese
prints as correctly as the Latin one. A letter is a platypus story (``conference.pdf.flow``):
long organiser texts flow onto further pages, which say whose letter they continue, with no
line or block cut at the page foot and the signature kept with the last lines; every page says
"Page 1 of 2", counted within its letter.
"""

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from conference.pdf.colours import ACCENT, INK, MUTED, RULE
from conference.pdf.flow import (
    Document,
    NewSection,
    Stack,
    TextBlock,
    page_template,
    rule,
    single,
    text_at,
)
from conference.pdf.text import fit_size, text_width, wrap_lines

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 25 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP = PAGE_HEIGHT - MARGIN
BOTTOM = MARGIN
FOOTER_BASELINE = 14 * mm
CONTINUED_HEAD = 28  # room a continuation page gives the line naming whose letter it is

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
    first = letters[0]
    if len(letters) == 1:
        title = f"Invitation letter for visa application: {first.delegate_name}"
    else:
        title = f"Invitation letters for visa applications ({len(letters)})"
    buffer = io.BytesIO()
    document = Document(
        buffer,
        [
            page_template(
                "first",
                (MARGIN, BOTTOM, CONTENT_WIDTH, TOP - BOTTOM),
                _footer,
                next_template="later",
            ),
            page_template(
                "later", (MARGIN, BOTTOM, CONTENT_WIDTH, TOP - BOTTOM - CONTINUED_HEAD), _later
            ),
        ],
        title=title,
        author=first.event_title,
        subject="Invitation letter for visa application",
    )
    story: list[Flowable] = []
    for letter in letters:
        if story:
            story.append(NewSection("first"))
        story += _letter(letter)
    document.render(story)
    return buffer.getvalue()


def _rule(canvas, y, *, color=RULE, width=0.6, x0=0, x1=CONTENT_WIDTH):
    rule(canvas, y, x0, x1, color=color, width=width)


def _letter(letter: VisaLetter) -> list[TextBlock]:
    # Continuation pages say whose letter they belong to, should the pages be separated.
    options = {
        "continued_head": f"{letter.reference} · {letter.delegate_name} (continued)",
        "footer": letter.event_title,
    }
    blocks = [_letterhead(letter).block(kind="letterhead", **options)]
    blocks.append(_details_table(letter).block(kind="details", space_before=8, **options))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", fill_placeholders(letter)) if p.strip()]
    for i, paragraph in enumerate(paragraphs):
        lines = wrap_lines(paragraph, CONTENT_WIDTH, BODY, country=letter.country)
        space = PARAGRAPH_GAP if i else 16
        last = i == len(paragraphs) - 1
        # The signature takes the last lines of the letter (all of a short paragraph) with it.
        kept = (lines[-2:] if len(lines) > 3 else lines) if last else []
        for part, keep in ((lines[: len(lines) - len(kept)], False), (kept, True)):
            if part:
                stack = Stack()
                rows = [single(line, BODY, country=letter.country) for line in part]
                stack.add(0, rows, leading=BODY_LEADING, breaks=(2, 2))
                blocks.append(
                    stack.block(
                        kind="paragraph", space_before=space, keep_with_next=keep, **options
                    )
                )
                space = 0
    gap = PARAGRAPH_GAP + SIGNATURE_GAP
    blocks.append(_signature(letter).block(kind="signature", space_before=gap, **options))
    return blocks


def _letterhead(letter: VisaLetter) -> Stack:
    stack = Stack()
    # A title a little too long shrinks to stay on one line; a long one wraps.
    size = fit_size(letter.event_title, CONTENT_WIDTH, 16, min_size=13, bold=True)
    lines = wrap_lines(letter.event_title, CONTENT_WIDTH, size, bold=True)
    stack.add(
        0, [single(line, size, bold=True, color=ACCENT) for line in lines], leading=size * 1.3
    )
    place = ", ".join(p for p in (letter.venue, letter.city, letter.country_name) if p.strip())
    where = " · ".join(p for p in (letter.event_dates, place) if p.strip())
    lines = wrap_lines(where, CONTENT_WIDTH, 9.5)
    stack.add(0, [single(line, 9.5, color=MUTED) for line in lines], leading=13.5)
    stack.y += 3
    stack.shape(lambda canvas, y: _rule(canvas, y, color=ACCENT, width=1.2))
    stack.y += 12
    for text, color in (
        (f"Ref.: {letter.reference}", MUTED),
        (format_letter_date(letter.issued_on), INK),
    ):
        x = CONTENT_WIDTH - text_width(text, 9.5)
        stack.add(0, [single(text, 9.5, x=x, color=color)], leading=13.5)
    stack.add(0, [single("TO WHOM IT MAY CONCERN", 11, bold=True)], 14, leading=20)
    subject = "Subject: Invitation letter for visa application"
    stack.add(0, [single(subject, BODY, bold=True)], leading=18)
    return stack


def _details_table(letter: VisaLetter) -> Stack:
    value_x = LABEL_WIDTH + CELL_PAD
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
    stack = Stack()
    stack.beside(0, 8.5, single("DELEGATE", 8.5, bold=True, color=MUTED))
    stack.y = caption = 15
    for r, (label, lines) in enumerate(rows):
        if r:
            stack.shape(_rule)
        stack.y += CELL_PAD
        for i, (text, size, line_leading, bold, country) in enumerate(lines):
            line = single(text, size, x=value_x, bold=bold, country=country)
            if i == 0:
                line = single(label, 9, x=CELL_PAD, color=MUTED) + line
            stack.add(0, [line], leading=line_leading)
        stack.y += CELL_PAD
    height = stack.y - caption

    def frame(canvas: Canvas, top: float) -> None:
        canvas.setFillColor(SHADE)
        canvas.rect(0, top - height, LABEL_WIDTH, height, stroke=0, fill=1)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(0, top - height, CONTENT_WIDTH, height, stroke=1, fill=0)
        canvas.line(LABEL_WIDTH, top, LABEL_WIDTH, top - height)

    stack.shapes.insert(0, (caption, frame))
    return stack


def _signature(letter: VisaLetter) -> Stack:
    title_lines = [
        line
        for part in letter.signatory_title.splitlines()
        for line in wrap_lines(part, CONTENT_WIDTH / 2, BODY)
    ]
    signing_space = 36
    stack = Stack()
    stack.beside(0, BODY, single("Yours faithfully,", BODY))
    stack.y = BODY_LEADING + signing_space
    stack.shape(lambda canvas, y: _rule(canvas, y, color=MUTED, width=0.5, x1=180), at=stack.y - 4)
    stack.beside(0, stack.y + 11, single(letter.signatory_name, 11, bold=True))
    stack.y += 16
    for line in title_lines:
        stack.beside(0, stack.y + BODY, single(line, BODY, color=MUTED))
        stack.y += BODY_LEADING
    return stack


def _later(canvas: Canvas, document: Document) -> None:
    head = next((b.meta["continued_head"] for b, _ in document.placed), "")
    text_at(canvas, MARGIN, TOP - 8, head, 8, color=MUTED)
    _rule(canvas, TOP - 13, x0=MARGIN, x1=MARGIN + CONTENT_WIDTH)
    _footer(canvas, document)


def _footer(canvas: Canvas, document: Document) -> None:
    title = next((b.meta["footer"] for b, _ in document.placed), "")
    _rule(canvas, FOOTER_BASELINE + 10, x0=MARGIN, x1=MARGIN + CONTENT_WIDTH)
    page = f"Page {document.page_number} of {document.page_count}"
    right = MARGIN + CONTENT_WIDTH
    left_width = CONTENT_WIDTH - text_width(page, 8) - 20
    size = fit_size(title, left_width, 8, min_size=5)
    text_at(canvas, MARGIN, FOOTER_BASELINE, title, size, color=MUTED)
    text_at(canvas, right, FOOTER_BASELINE, page, 8, color=MUTED, align="right")
