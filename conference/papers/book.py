"""The book of abstracts as an A4 PDF: data in, a PDF written to a stream (no Flask, no database).

A cover, a table of contents with page numbers, then the papers grouped by session, each with
its title, its authors and their organisations (the presenting author marked), its topic and its
abstract, flowing over as many pages as it needs. Every page after the cover has a running header
and footer with its page number.

All text goes through ``conference.pdf.text``, so names print correctly in every script (the CJK
font chosen from the author's country). The book is a platypus story (``conference.pdf.flow``);
its contents are a ``TableOfContents`` filled by ``multiBuild``, so the page numbers they print
are the pages the papers start on. The contents and the PDF's outline link to each session and
paper.
"""

from typing import BinaryIO

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, NextPageTemplate, PageBreak

from conference.formatting import country_name
from conference.names import name_and_native
from conference.pdf.colours import ACCENT, INK, MUTED, RULE
from conference.pdf.flow import (
    Contents,
    Document,
    Line,
    Stack,
    TextBlock,
    ellipsize,
    page_template,
    rule,
    single,
    text_at,
)
from conference.pdf.text import fit_size, text_width, wrap_lines

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


def book_of_abstracts(info: dict, groups: list, out: BinaryIO) -> None:
    """Write the book of abstracts as a PDF to out (a binary file or stream).

    info: {"title", "subtitle" (default "Book of abstracts"), "dates", "venue", "city"}, all
    text. groups: [{"heading": e.g. a session's title, "details": optional line such as its time
    and room, "papers": [{"title", "abstract", "topic", "authors": [{"name", "native_name",
    "organisation", "country" (ISO 3166 alpha-2), "presenting"}]}]}], in the book's order.
    Groups without papers are left out.
    """
    groups = [g for g in groups if g.get("papers")]
    title = _text_of(info, "title") or "Conference"
    subtitle = _text_of(info, "subtitle") or "Book of abstracts"

    def cover(canvas: Canvas, document: Document) -> None:
        _draw_cover(canvas, info, title, subtitle, groups)

    def page(header: str | None):
        def draw(canvas: Canvas, document: Document) -> None:
            right = header
            if right is None:
                right = next(
                    (b.meta["header"] for b, _ in document.placed if "header" in b.meta), ""
                )
            _draw_page(canvas, title, subtitle, right, document.page, document.page_count)

        return draw

    frame = (MARGIN, BOTTOM, CONTENT_WIDTH, TOP - BOTTOM)
    document = Document(
        out,
        [
            page_template("cover", frame, cover),
            page_template("contents", frame, page("Contents")),
            page_template("page", frame, page(None)),
        ],
        continued_note=_continued,
        title=f"{title}: {subtitle}",
        author=title,
        subject=subtitle,
    )
    story: list[Flowable] = [NextPageTemplate("contents"), PageBreak()]
    story += _contents(groups)
    story.append(NextPageTemplate("page"))
    for number, group in enumerate(groups, start=1):
        story.append(PageBreak())
        story += _group(group, f"g{number}")
    document.render(story)


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


def _wrapped(text: str, size: float, width: float = CONTENT_WIDTH, **style) -> list[Line]:
    lines = wrap_lines(
        text, width, size, bold=style.get("bold", False), country=style.get("country")
    )
    return [single(line, size, **style) for line in lines]


def _continued(text: str) -> TextBlock:
    stack = Stack()
    stack.add(0, [single(text, 8.5, color=MUTED)], leading=16)
    return stack.block(4, kind="continued")


def _group(group: dict, key: str) -> list[Flowable]:
    heading = _text_of(group, "heading") or "Not yet scheduled"
    stack = Stack()
    stack.add(0, _wrapped(heading, 17, bold=True, color=ACCENT), leading=22)
    details = _text_of(group, "details")
    if details:
        stack.add(0, _wrapped(details, 10, color=MUTED), 2, leading=14)
    stack.y += 6
    stack.shape(lambda canvas, y: _rule(canvas, y, color=ACCENT, width=1.2))
    stack.y += 18
    flowables: list[Flowable] = [
        stack.block(kind="group", keep_with_next=True, anchor=(key, heading, 0), header=heading)
    ]
    for number, paper in enumerate(group["papers"], start=1):
        flowables += _paper(paper, f"{key}p{number}", heading, rule=number > 1)
    return flowables


def _paper(paper: dict, key: str, header: str, rule: bool) -> list[TextBlock]:
    """A head (a rule between papers, the title, authors and topic) that never splits and
    stays with the first lines of the abstract, then the abstract's paragraphs."""
    country = _paper_country(paper)
    title = _text_of(paper, "title") or "Untitled"
    stack = Stack()
    if rule:
        stack.shape(lambda canvas, y: _rule(canvas, y))
        stack.y = PAPER_GAP / 2
    stack.add(0, _wrapped(title, 13, bold=True, color=ACCENT, country=country), leading=17)
    authors = [
        a for a in paper.get("authors") or [] if _text_of(a, "name") or _text_of(a, "native_name")
    ]
    stack.y += 5
    for author in authors:
        _author(stack, author)
        stack.y += 3
    topic = _text_of(paper, "topic")
    if topic:
        lines = _wrapped(f"Topic: {topic}", 8.5, color=MUTED, country=country)
        stack.add(0, lines, 2, leading=12)
    space = PAPER_GAP / 2 if rule else 0
    head = stack.block(
        kind="paper", space_before=space, keep_with_next=True, anchor=(key, title, 1), header=header
    )
    continued = ellipsize(title, CONTENT_WIDTH * 0.8, 8.5, country=country) + " (continued)"
    options = {"continued": continued, "header": header}
    abstract = str(paper.get("abstract") or "").strip()
    paragraphs = [p.strip() for p in abstract.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not paragraphs:
        stack = Stack()
        stack.add(0, [single("No abstract submitted.", BODY, color=MUTED)], leading=BODY_LEADING)
        return [head, stack.block(kind="abstract", space_before=8, **options)]
    blocks = [head]
    for i, paragraph in enumerate(paragraphs):
        stack = Stack()
        lines = _wrapped(paragraph, BODY, country=country)
        stack.add(0, lines, leading=BODY_LEADING, breaks=(2, 2))
        space = PARAGRAPH_GAP if i else 8
        blocks.append(stack.block(kind="abstract", space_before=space, **options))
    return blocks


def _author(stack: Stack, author: dict) -> None:
    """The name (and native name, and a "Presenting" tag) on one line, shrunk to fit; the
    organisation and country below it. Added to the paper's head."""
    country = author.get("country") or None
    name, native = name_and_native(_text_of(author, "name"), _text_of(author, "native_name"))
    tag = "Presenting" if author.get("presenting") else ""
    size = 9.5
    tag_width = text_width(tag, 7, bold=True) + 8 if tag else 0
    room = CONTENT_WIDTH - tag_width
    name_size = fit_size(name, room, size, min_size=7, bold=True, country=country)
    line = single(name, name_size, bold=True, country=country)
    x = text_width(name, name_size, bold=True, country=country)
    if native:
        x += 6
        native_size = fit_size(native, room - x, size, min_size=6, country=country)
        line += single(native, native_size, x=x, color=MUTED, country=country)
        x += text_width(native, native_size, country=country)
    top = stack.y
    if tag:
        x += 7

        def pill(canvas: Canvas, baseline: float, x=x) -> None:
            canvas.setFillColor(TINT)
            canvas.roundRect(x, baseline - 2.5, tag_width - 2, 10.5, 2, stroke=0, fill=1)

        stack.shape(pill, at=top + 10)
        line += single(tag, 7, x=x + 3, bold=True, color=ACCENT)
    stack.beside(0, top + 10, line)
    stack.y = top + 14
    where = ", ".join(p for p in (_text_of(author, "organisation"), country_name(country)) if p)
    if where:
        lines = _wrapped(where, 8.5, CONTENT_WIDTH - 10, color=MUTED, country=country)
        stack.add(10, lines, leading=11.5)


def _contents(groups: list) -> list[Flowable]:
    stack = Stack()
    stack.add(0, [single("Contents", 20, bold=True, color=ACCENT)], leading=30)
    heading = stack.block(8, kind="contents", anchor=("contents", "Contents", 0))
    if not groups:
        stack = Stack()
        stack.add(0, [single("No papers yet.", BODY, color=MUTED)], leading=BODY_LEADING)
        return [heading, stack.block(kind="contents")]
    return [heading, Contents(lambda numbers: _contents_block(groups, numbers))]


def _contents_block(groups: list, numbers: dict[str, int]) -> TextBlock:
    """Every session and paper with its page number; split between entries, never after a
    session's heading."""
    stack = Stack()
    width = CONTENT_WIDTH - NUMBER_WIDTH
    for g, group in enumerate(groups, start=1):
        heading = _text_of(group, "heading") or "Not yet scheduled"
        stack.cut()
        stack.y += 6
        lines = _wrapped(heading, 10.5, width, bold=True, color=ACCENT)
        _contents_entry(stack, lines, f"g{g}", 0, 15, numbers)
        for p, paper in enumerate(group["papers"], start=1):
            country = _paper_country(paper)
            title = _text_of(paper, "title") or "Untitled"
            lines = _wrapped(title, 9.5, width - 12, country=country)
            _contents_entry(stack, lines, f"g{g}p{p}", 12, 13, numbers)
            presenter = _presenter(paper)
            if presenter:
                line = ellipsize(presenter, width - 12, 8)
                stack.add(12, [single(line, 8, color=MUTED, country=country)], leading=11)
            stack.y += 3
            stack.cut()
    return stack.block(kind="contents")


def _contents_entry(
    stack: Stack, lines: list[Line], key: str, indent: float, leading: float, numbers: dict
) -> None:
    """Wrapped lines of an entry, the last one with dot leaders and the page number, linked."""
    top = stack.y
    stack.add(indent, lines, leading=leading)
    _, span, text = lines[-1][0]
    size = span.size
    leader_from = indent + text_width(text, size, bold=span.bold, country=span.country) + 4
    height = stack.y - top

    def reference(canvas: Canvas, bottom: float) -> None:
        baseline = bottom + (leading - size) / 2 + 0.2 * size
        number = str(numbers.get(key, ""))
        leader_to = CONTENT_WIDTH - text_width(number, size) - 4
        dot = text_width(". ", size)
        if leader_to - leader_from > dot:
            dots = ". " * int((leader_to - leader_from) / dot)
            text_at(canvas, leader_to, baseline, dots.strip(), size, color=RULE, align="right")
        text_at(canvas, CONTENT_WIDTH, baseline, number, size, align="right")
        canvas.linkRect("", key, (0, bottom, CONTENT_WIDTH, bottom + height), thickness=0)

    stack.shape(reference)


# Drawing ------------------------------------------------------------------------------------


def _rule(canvas, y, *, color=RULE, width=0.6, x0=0, x1=CONTENT_WIDTH):
    rule(canvas, y, x0, x1, color=color, width=width)


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
    text_at(canvas, MARGIN, y + size * 1.25 + 8, subtitle.upper(), 12, bold=True, color=TINT)
    for line in lines:
        text_at(canvas, MARGIN, y, line, size, bold=True, color=white)
        y -= size * 1.25
    y = band_bottom - 22 * mm
    for text, size, bold, color in (
        (_text_of(info, "dates"), 15, True, INK),
        (_text_of(info, "venue"), 12, False, INK),
        (_text_of(info, "city"), 12, False, INK),
    ):
        for line in wrap_lines(text, CONTENT_WIDTH, size, bold=bold) if text else []:
            text_at(canvas, MARGIN, y, line, size, bold=bold, color=color)
            y -= size * 1.5
    papers = sum(len(g["papers"]) for g in groups)
    summary = f"{papers} paper{'s' if papers != 1 else ''}"
    if groups:
        summary += f" in {len(groups)} session{'s' if len(groups) != 1 else ''}"
    _rule(canvas, BOTTOM + 14, color=ACCENT, width=1.2, x0=MARGIN, x1=MARGIN + CONTENT_WIDTH)
    text_at(canvas, MARGIN, BOTTOM, summary, 10, color=MUTED)


def _draw_page(
    canvas: Canvas, title: str, subtitle: str, header: str, number: int, total: int
) -> None:
    canvas.translate(MARGIN, 0)
    half = CONTENT_WIDTH / 2 - 10
    text_at(canvas, 0, HEADER_BASELINE, ellipsize(title, half, 8), 8, color=MUTED)
    right = ellipsize(header, half, 8)
    text_at(canvas, CONTENT_WIDTH, HEADER_BASELINE, right, 8, color=MUTED, align="right")
    _rule(canvas, HEADER_BASELINE - 5)
    _rule(canvas, FOOTER_BASELINE + 10)
    page = f"Page {number} of {total}"
    text_at(canvas, CONTENT_WIDTH, FOOTER_BASELINE, page, 8, color=MUTED, align="right")
    text_at(canvas, 0, FOOTER_BASELINE, ellipsize(subtitle, half, 8), 8, color=MUTED)
