"""The book of abstracts as an A4 PDF: data in, a PDF written to a stream (no Flask, no database).

A cover, a table of contents with page numbers, then the papers grouped by session, each with
its title, its authors and their organisations (the presenting author marked), its topic and its
abstract, flowing over as many pages as it needs. Every page after the cover has a running header
and footer with its page number.

All text goes through ``conference.pdf.text``, so names print correctly in every script (the CJK
font chosen from the author's country). The content is laid out first, page by page; then the
table of contents, whose length does not depend on the numbers it prints; then both are drawn
with the page numbers known. The contents and the PDF's outline link to each session and paper.
"""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import BinaryIO

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from conference.formatting import country_name
from conference.pdf.colours import ACCENT, INK, MUTED, RULE
from conference.pdf.text import base_font, draw_text, fit_size, text_width, wrap_lines

__all__ = ["book_of_abstracts"]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 22 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP = PAGE_HEIGHT - 24 * mm
BOTTOM = 22 * mm
HEADER_BASELINE = PAGE_HEIGHT - 13 * mm
FOOTER_BASELINE = 11 * mm

TINT = HexColor("#dfe6ee")

BODY = 10
BODY_LEADING = 14.5
PARAGRAPH_GAP = 5
PAPER_GAP = 22
NUMBER_WIDTH = 28  # room kept for page numbers in the contents

Op = Callable[[Canvas], None]


def book_of_abstracts(info: dict, groups: list, out: BinaryIO) -> None:
    """Write the book of abstracts as a PDF to out (a binary file or stream).

    info: {"title", "subtitle" (default "Book of abstracts"), "dates", "venue", "city"}, all
    text. groups: [{"heading": e.g. a session's title, "details": optional line such as its time
    and room, "papers": [{"title", "abstract", "topic", "authors": [{"name", "native_name",
    "organisation", "country" (ISO 3166 alpha-2), "presenting"}]}]}], in the book's order.
    Groups without papers are left out.
    """
    groups = [g for g in groups if g.get("papers")]
    content = _Flow()
    for number, group in enumerate(groups, start=1):
        _lay_out_group(content, group, f"g{number}")
    contents = _Flow()
    _lay_out_contents(contents, groups)

    first_content_page = 2 + len(contents.pages)  # after the cover and the contents
    for key, index in content.anchors.items():
        contents.page_numbers[key] = first_content_page + index
    total = first_content_page - 1 + len(content.pages)

    title = _text_of(info, "title") or "Conference"
    subtitle = _text_of(info, "subtitle") or "Book of abstracts"
    canvas = Canvas(out, pagesize=A4, initialFontName=base_font(), pageCompression=1)
    canvas.setTitle(f"{title}: {subtitle}")
    canvas.setSubject(subtitle)
    canvas.setAuthor(title)
    canvas.setCreator("conference")

    _draw_cover(canvas, info, title, subtitle, groups)
    canvas.showPage()
    number = 2
    for index, page in enumerate(contents.pages):
        if index == 0:
            canvas.bookmarkPage("contents")
            canvas.addOutlineEntry("Contents", "contents", level=0)
        _draw_page(canvas, page, title, subtitle, "Contents", number, total)
        number += 1
    for page in content.pages:
        _draw_page(canvas, page, title, subtitle, page.header, number, total)
        number += 1
    canvas.save()


@dataclass
class _Page:
    ops: list[Op] = field(default_factory=list)
    header: str = ""


class _Flow:
    """Places lines top-down on pages, starting a new page when the next one won't fit."""

    def __init__(self) -> None:
        self.pages: list[_Page] = []
        self.y = BOTTOM
        self.header = ""
        self.continued = ""  # the paper that a new page continues, if any
        self.anchors: dict[str, int] = {}  # destination key -> index of its page
        self.page_numbers: dict[str, int] = {}  # filled in once the layout is done

    def add(self, op: Op) -> None:
        self.pages[-1].ops.append(op)

    def new_page(self) -> None:
        self.pages.append(_Page(header=self.header))
        self.y = TOP
        if self.continued:
            self.line(f"{self.continued} (continued)", 8.5, 16, color=MUTED)
            self.gap(4)

    def room(self, height: float) -> None:
        # Nothing taller than a page is kept together: that would only leave a page empty.
        height = min(height, TOP - BOTTOM - 60)
        if not self.pages or self.y - height < BOTTOM:
            self.new_page()

    def gap(self, height: float) -> None:
        self.y = max(self.y - height, BOTTOM)

    def anchor(self, key: str, title: str, level: int) -> None:
        """A destination at the current height, listed in the PDF's outline."""
        self.anchors[key] = len(self.pages) - 1
        self.add(partial(_bookmark, key=key, top=self.y + 6, title=title, level=level))

    def line(self, text: str, size: float, leading: float, x: float = MARGIN, **style) -> None:
        self.room(leading)
        # The em box sits in the middle of the leading, its baseline 0.8 em down.
        baseline = self.y - (leading - size) / 2 - 0.8 * size
        self.add(partial(_text, x=x, y=baseline, text=text, size=size, **style))
        self.y -= leading

    def paragraph(
        self,
        text: str,
        size: float,
        leading: float,
        *,
        width: float = CONTENT_WIDTH,
        x: float = MARGIN,
        **style,
    ) -> None:
        """Wrapped lines; neither the first nor the last line is left alone on a page."""
        lines = wrap_lines(
            text, width, size, bold=style.get("bold", False), country=style.get("country")
        )
        n = len(lines)
        for i, text_line in enumerate(lines):
            if i == 0:
                self.room(min(n, 2) * leading)
            elif i == n - 2:
                self.room(2 * leading)
            self.line(text_line, size, leading, x=x, **style)


def _text_of(mapping: dict, key: str) -> str:
    return str(mapping.get(key) or "").strip()


def _paper_country(paper: dict) -> str | None:
    """The country whose Han glyph forms the paper's own text takes: its presenter's."""
    authors = paper.get("authors") or []
    presenting = [a for a in authors if a.get("presenting")]
    for author in presenting + authors:
        if author.get("country"):
            return author["country"]
    return None


def _presenter(paper: dict) -> str:
    authors = paper.get("authors") or []
    chosen = next((a for a in authors if a.get("presenting")), authors[0] if authors else None)
    if not chosen:
        return ""
    name = _text_of(chosen, "name") or _text_of(chosen, "native_name")
    return ", ".join(p for p in (name, _text_of(chosen, "organisation")) if p)


# Layout -------------------------------------------------------------------------------------


def _lay_out_group(flow: _Flow, group: dict, key: str) -> None:
    heading = _text_of(group, "heading") or "Not yet scheduled"
    flow.header, flow.continued = heading, ""
    flow.new_page()
    flow.anchor(key, heading, 0)
    flow.paragraph(heading, 17, 22, bold=True, color=ACCENT)
    details = _text_of(group, "details")
    if details:
        flow.gap(2)
        flow.paragraph(details, 10, 14, color=MUTED)
    flow.gap(6)
    flow.add(partial(_rule, y=flow.y, color=ACCENT, width=1.2))
    flow.gap(18)
    for number, paper in enumerate(group["papers"], start=1):
        if number > 1:
            flow.gap(PAPER_GAP / 2)
            flow.room(PAPER_GAP)  # a rule never ends a page
            flow.add(partial(_rule, y=flow.y))
            flow.gap(PAPER_GAP / 2)
        _lay_out_paper(flow, paper, f"{key}p{number}")


def _lay_out_paper(flow: _Flow, paper: dict, key: str) -> None:
    country = _paper_country(paper)
    title = _text_of(paper, "title") or "Untitled"
    title_lines = wrap_lines(title, CONTENT_WIDTH, 13, bold=True, country=country)
    authors = [
        a for a in paper.get("authors") or [] if _text_of(a, "name") or _text_of(a, "native_name")
    ]
    # Title, authors and the first lines of the abstract stay together on one page.
    flow.room(len(title_lines) * 17 + len(authors) * 26 + 20 + 3 * BODY_LEADING)
    flow.anchor(key, title, 1)
    for line in title_lines:
        flow.line(line, 13, 17, bold=True, color=ACCENT, country=country)
    flow.continued = _ellipsize(title, CONTENT_WIDTH * 0.8, 8.5, country=country)
    flow.gap(5)
    for author in authors:
        _lay_out_author(flow, author)
    topic = _text_of(paper, "topic")
    if topic:
        flow.gap(2)
        flow.paragraph(f"Topic: {topic}", 8.5, 12, color=MUTED, country=country)
    flow.gap(8)
    abstract = str(paper.get("abstract") or "").strip()
    if not abstract:
        flow.line("No abstract submitted.", BODY, BODY_LEADING, color=MUTED)
    paragraphs = [p.strip() for p in abstract.replace("\r\n", "\n").split("\n\n") if p.strip()]
    for i, paragraph in enumerate(paragraphs):
        if i:
            flow.gap(PARAGRAPH_GAP)
        flow.paragraph(paragraph, BODY, BODY_LEADING, country=country)
    flow.continued = ""


def _lay_out_author(flow: _Flow, author: dict) -> None:
    country = author.get("country") or None
    name, native = _text_of(author, "name"), _text_of(author, "native_name")
    if not name:
        name, native = native, ""
    tag = "Presenting" if author.get("presenting") else ""
    # The organisation line keeps with the name line.
    where = ", ".join(p for p in (_text_of(author, "organisation"), country_name(country)) if p)
    flow.room(13 + (12 if where else 0))
    flow.add(partial(_author_line, top=flow.y, name=name, native=native, tag=tag, country=country))
    flow.y -= 14
    if where:
        flow.paragraph(
            where, 8.5, 11.5, x=MARGIN + 10, width=CONTENT_WIDTH - 10, color=MUTED, country=country
        )
    flow.gap(3)


def _lay_out_contents(flow: _Flow, groups: list) -> None:
    flow.header = "Contents"
    flow.new_page()
    flow.line("Contents", 20, 30, bold=True, color=ACCENT)
    flow.gap(8)
    if not groups:
        flow.line("No papers yet.", BODY, BODY_LEADING, color=MUTED)
        return
    text_width_ = CONTENT_WIDTH - NUMBER_WIDTH
    for g, group in enumerate(groups, start=1):
        heading = _text_of(group, "heading") or "Not yet scheduled"
        lines = wrap_lines(heading, text_width_, 10.5, bold=True)
        flow.room(len(lines) * 15 + 6 + 2 * 13 + 11)  # a heading never ends a page
        flow.gap(6)
        _contents_entry(flow, lines, f"g{g}", 10.5, 15, bold=True, color=ACCENT)
        for p, paper in enumerate(group["papers"], start=1):
            country = _paper_country(paper)
            title = _text_of(paper, "title") or "Untitled"
            lines = wrap_lines(title, text_width_ - 12, 9.5, country=country)
            presenter = _presenter(paper)
            flow.room(len(lines) * 13 + (11 if presenter else 0))
            _contents_entry(flow, lines, f"g{g}p{p}", 9.5, 13, indent=12, country=country)
            if presenter:
                line = _ellipsize(presenter, text_width_ - 12, 8)
                flow.line(line, 8, 11, x=MARGIN + 12, color=MUTED, country=country)
            flow.gap(3)


def _contents_entry(
    flow: _Flow, lines: list[str], key: str, size: float, leading: float, indent: float = 0, **style
) -> None:
    """Wrapped lines of an entry, the last one with dot leaders and the page number, linked."""
    top = flow.y
    for line in lines:
        flow.line(line, size, leading, x=MARGIN + indent, **style)
    baseline = flow.y + (leading - size) / 2 + 0.2 * size
    last_width = text_width(
        lines[-1], size, bold=style.get("bold", False), country=style.get("country")
    )
    flow.add(
        partial(
            _page_reference,
            numbers=flow.page_numbers,
            key=key,
            baseline=baseline,
            leader_from=MARGIN + indent + last_width + 4,
            size=size,
            box=(MARGIN, flow.y, MARGIN + CONTENT_WIDTH, top),
        )
    )


def _ellipsize(text: str, width: float, size: float, **style) -> str:
    """The text, cut with an ellipsis if it is wider than width at this size."""
    if text_width(text, size, **style) <= width:
        return text
    cut = len(text)
    # Never keep a base character without the marks that belong to it.
    while cut and (
        text_width(text[:cut] + "…", size, **style) > width
        or unicodedata.category(text[cut])[0] == "M"
    ):
        cut -= 1
    return text[:cut].rstrip() + "…"


# Drawing ------------------------------------------------------------------------------------


def _text(canvas, x, y, text, size, *, bold=False, color=INK, align="left", country=None):
    canvas.setFillColor(color)
    draw_text(canvas, x, y, text, size, bold=bold, align=align, country=country)


def _rule(canvas, y, *, color=RULE, width=0.6, x0=MARGIN, x1=MARGIN + CONTENT_WIDTH):
    canvas.setStrokeColor(color)
    canvas.setLineWidth(width)
    canvas.line(x0, y, x1, y)


def _bookmark(canvas, *, key, top, title, level):
    canvas.bookmarkHorizontalAbsolute(key, min(top, PAGE_HEIGHT))
    canvas.addOutlineEntry(title, key, level=level)


def _author_line(canvas, *, top, name, native, tag, country):
    size = 9.5
    baseline = top - 10
    tag_width = text_width(tag, 7, bold=True) + 8 if tag else 0
    room = CONTENT_WIDTH - tag_width
    name_size = fit_size(name, room, size, min_size=7, bold=True, country=country)
    x = MARGIN + _text_width_drawn(canvas, MARGIN, baseline, name, name_size, True, INK, country)
    if native:
        x += 6
        native_size = fit_size(native, MARGIN + room - x, size, min_size=6, country=country)
        x += _text_width_drawn(canvas, x, baseline, native, native_size, False, MUTED, country)
    if tag:
        x += 7
        canvas.setFillColor(TINT)
        canvas.roundRect(x, baseline - 2.5, tag_width - 2, 10.5, 2, stroke=0, fill=1)
        _text(canvas, x + 3, baseline, tag, 7, bold=True, color=ACCENT)


def _text_width_drawn(canvas, x, y, text, size, bold, color, country) -> float:
    canvas.setFillColor(color)
    return draw_text(canvas, x, y, text, size, bold=bold, country=country)


def _page_reference(canvas, *, numbers, key, baseline, leader_from, size, box):
    number = str(numbers[key])
    right = MARGIN + CONTENT_WIDTH
    number_width = text_width(number, size)
    leader_to = right - number_width - 4
    dot = text_width(". ", size)
    if leader_to - leader_from > dot:
        dots = ". " * int((leader_to - leader_from) / dot)
        _text(canvas, leader_to, baseline, dots.strip(), size, color=RULE, align="right")
    _text(canvas, right, baseline, number, size, align="right")
    canvas.linkRect("", key, box, relative=0, thickness=0)


def _draw_cover(canvas: Canvas, info: dict, title: str, subtitle: str, groups: list) -> None:
    band_bottom = PAGE_HEIGHT - 150 * mm
    canvas.setFillColor(ACCENT)
    canvas.rect(0, band_bottom, PAGE_WIDTH, PAGE_HEIGHT - band_bottom, stroke=0, fill=1)
    size = fit_size(title, CONTENT_WIDTH, 32, min_size=24, bold=True)
    lines = wrap_lines(title, CONTENT_WIDTH, size, bold=True)
    # A very long title keeps to the band: it shrinks until it fits in five lines.
    while len(lines) > 5 and size > 14:
        size -= 2
        lines = wrap_lines(title, CONTENT_WIDTH, size, bold=True)
    # The title block stands on the foot of the band, the subtitle above it.
    y = band_bottom + 24 * mm + (len(lines) - 1) * size * 1.25
    _text(canvas, MARGIN, y + size * 1.25 + 8, subtitle.upper(), 12, bold=True, color=TINT)
    for line in lines:
        _text(canvas, MARGIN, y, line, size, bold=True, color=white)
        y -= size * 1.25
    y = band_bottom - 22 * mm
    for text, size, bold, color in (
        (_text_of(info, "dates"), 15, True, INK),
        (_text_of(info, "venue"), 12, False, INK),
        (_text_of(info, "city"), 12, False, INK),
    ):
        for line in wrap_lines(text, CONTENT_WIDTH, size, bold=bold) if text else []:
            _text(canvas, MARGIN, y, line, size, bold=bold, color=color)
            y -= size * 1.5
    papers = sum(len(g["papers"]) for g in groups)
    summary = f"{papers} paper{'s' if papers != 1 else ''}"
    if groups:
        summary += f" in {len(groups)} session{'s' if len(groups) != 1 else ''}"
    _rule(canvas, BOTTOM + 14, color=ACCENT, width=1.2)
    _text(canvas, MARGIN, BOTTOM, summary, 10, color=MUTED)


def _draw_page(
    canvas: Canvas, page: _Page, title: str, subtitle: str, header: str, number: int, total: int
) -> None:
    left = title
    half = CONTENT_WIDTH / 2 - 10
    _text(canvas, MARGIN, HEADER_BASELINE, _ellipsize(left, half, 8), 8, color=MUTED)
    right = MARGIN + CONTENT_WIDTH
    _text(
        canvas, right, HEADER_BASELINE, _ellipsize(header, half, 8), 8, color=MUTED, align="right"
    )
    _rule(canvas, HEADER_BASELINE - 5)
    for op in page.ops:
        op(canvas)
    _rule(canvas, FOOTER_BASELINE + 10)
    _text(
        canvas, right, FOOTER_BASELINE, f"Page {number} of {total}", 8, color=MUTED, align="right"
    )
    _text(canvas, MARGIN, FOOTER_BASELINE, _ellipsize(subtitle, half, 8), 8, color=MUTED)
    canvas.showPage()
