"""Documents that flow over pages: ReportLab's platypus, with every line drawn shaped.

The printed programme, the book of abstracts and the visa letters are stories of
:class:`TextBlock` flowables — lines of shaped text (through ``conference.pdf.text``, so every
script prints right) and shapes, placed top-down — laid out by a :class:`Document`: frames
and page templates for the header and footer, ``keepWithNext`` for headings (a heading never
ends a page), blocks that split between their lines where allowed, and a ``TableOfContents``.

A document is built in two passes (``multiBuild``): the first lays the pages out without
drawing, which is how every page can say "Page 2 of 5" and the contents know their page
numbers; the second draws. No Flask here: plain values in, bytes out.
"""

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    ActionFlowable,
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
)
from reportlab.platypus.tableofcontents import TableOfContents

from conference.pdf.colours import INK, RULE
from conference.pdf.text import base_font, draw_text, text_width, wrap_lines

__all__ = [
    "ELLIPSIS",
    "Contents",
    "Document",
    "KeepWithNext",
    "Line",
    "NewSection",
    "Span",
    "Stack",
    "TextBlock",
    "clipped",
    "ellipsize",
    "flow",
    "line_metrics",
    "page_template",
    "single",
    "span_width",
]

ELLIPSIS = "…"


# Lines of mixed styles ---------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A piece of a line in one style; `sep` goes before it unless it starts a line."""

    text: str
    size: float
    bold: bool = False
    color: Color = INK
    country: str | None = None
    sep: str = ""


Line = list[tuple[float, Span, str]]  # (x offset, style, text) pieces of one line


def span_width(span: Span, text: str) -> float:
    """Width of text in the span's style."""
    return text_width(text, span.size, country=span.country, bold=span.bold)


def single(text: str, size: float, *, x: float = 0.0, **style) -> Line:
    """A line of one piece of text in one style, from x."""
    return [(x, Span(text, size, **style), text)]


def flow(spans: list[Span], width: float) -> list[Line]:
    """Spans set one after the other, a new line where the next does not fit.

    Lines break between spans; a span wider than a whole line is wrapped on its own lines.
    """
    lines: list[Line] = [[]]
    x = 0.0
    for span in spans:
        if not span.text:
            continue
        text = span.sep + span.text if lines[-1] else span.text
        w = span_width(span, text)
        if lines[-1] and x + w > width:
            lines.append([])
            x, text = 0.0, span.text
            w = span_width(span, text)
        if x + w <= width:
            lines[-1].append((x, span, text))
            x += w
            continue
        parts = wrap_lines(text, width, span.size, country=span.country, bold=span.bold)
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            lines[-1].append((0.0, span, part))
            x = span_width(span, part)
    return [line for line in lines if line]


def _shorter(text: str, by_words: bool) -> str:
    """The text less its last word, or less its last character with its marks."""
    if by_words and " " in text.strip():
        return text.rstrip().rsplit(" ", 1)[0]
    end = len(text) - 1
    while end > 0 and unicodedata.category(text[end])[0] == "M":
        end -= 1
    return text[:end]


def _with_ellipsis(text: str, width: float, size: float, **style) -> str:
    """Cut at a word, or inside one when that would waste half the room (a long word, or a
    script written without spaces), then end with an ellipsis."""

    def cut(by_words: bool) -> str:
        part = text
        while part and text_width(part.rstrip() + ELLIPSIS, size, **style) > width:
            part = _shorter(part, by_words)
        return part

    part = cut(by_words=True)
    if text_width(part, size, **style) < width / 2:
        part = cut(by_words=False)
    return part.rstrip(" ,;:.") + ELLIPSIS


def ellipsize(text: str, width: float, size: float, **style) -> str:
    """The text, cut with an ellipsis if it is wider than width at this size."""
    if text_width(text, size, **style) <= width:
        return text
    return _with_ellipsis(text, width, size, **style)


def clipped(span: Span, width: float, max_lines: int) -> list[Line]:
    """The span wrapped to at most max_lines, the last one ending in an ellipsis if cut."""
    parts = wrap_lines(span.text, width, span.size, country=span.country, bold=span.bold)
    if len(parts) > max_lines:
        parts = parts[:max_lines]
        style = {"country": span.country, "bold": span.bold}
        parts[-1] = _with_ellipsis(parts[-1], width, span.size, **style)
    return [[(0.0, span, part)] for part in parts]


# Thai, Lao, Burmese and Khmer stack marks about 1.3 em above the baseline (and below it).
def _tall(text: str) -> bool:
    return any(
        "\u0e00" <= c <= "\u0eff" or "\u1000" <= c <= "\u109f" or "\u1780" <= c <= "\u17ff"
        for c in text
    )


def line_metrics(line: Line) -> tuple[float, float]:
    """(height of the line, offset of its baseline below its top), with room for stacked marks."""
    size = max(span.size for _, span, _ in line)
    if any(_tall(text) for _, _, text in line):
        return size * 1.55, size * 1.12
    return size * 1.34, size * 0.98


def draw_line(canvas: Canvas, x: float, baseline: float, line: Line) -> None:
    """Draw the pieces of a line from x."""
    for offset, span, text in line:
        canvas.setFillColor(span.color)
        draw_text(
            canvas, x + offset, baseline, text, span.size, bold=span.bold, country=span.country
        )


# The flowable ------------------------------------------------------------------------------

Shape = Callable[[Canvas, float], None]  # draws with the y of its anchor; x from the frame's left


class TextBlock(Flowable):
    """Shaped lines and shapes placed top-down in a block of a given height.

    lines: (x, baseline offset below the top, line); shapes: (offset below the top, draw),
    each drawn with the canvas's origin at the frame's left and the y of its offset. The block
    splits across frames only at `cuts` (offsets below the top); without cuts it moves whole.
    `continued` is what a page starting with this block says first (see Document); `anchor`
    is (key, title, level): a destination, an outline entry and a contents entry.
    """

    def __init__(
        self,
        height: float,
        lines: Iterable[tuple[float, float, Line]] = (),
        shapes: Iterable[tuple[float, Shape]] = (),
        *,
        cuts: Iterable[float] = (),
        kind: str = "",
        space_before: float = 0.0,
        keep_with_next: bool = False,
        continued: str = "",
        anchor: tuple[str, str, int] | None = None,
        **meta,
    ):
        super().__init__()
        self.height = height
        self.lines = list(lines)
        self.shapes = list(shapes)
        self.cuts = sorted(c for c in cuts if 0 < c < height)
        self.kind = kind
        self.spaceBefore = space_before
        # platypus clears keepWithNext once it has grouped the block; keep_with_next stays.
        self.keep_with_next = self.keepWithNext = keep_with_next
        self.continued = continued
        self.anchor = anchor
        self.meta = meta
        self.top: float | None = None  # where the last layout placed it

    def __repr__(self) -> str:
        return f"TextBlock({self.kind!r}, height={self.height:.1f})"

    @property
    def first_part_height(self) -> float:
        """The least of the block that must stand at the foot of a page: up to its first cut."""
        return self.cuts[0] if self.cuts else self.height

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, self.height

    def split(self, available_width, available_height):
        fitting = [c for c in self.cuts if c <= available_height]
        if not fitting:
            return []
        cut = fitting[-1]
        return [self._part(0.0, cut, first=True), self._part(cut, self.height, first=False)]

    def _part(self, start: float, stop: float, *, first: bool) -> "TextBlock":
        last = stop >= self.height
        return TextBlock(
            stop - start,
            [(x, b - start, line) for x, b, line in self.lines if start <= b < stop],
            [(at - start, shape) for at, shape in self.shapes if start <= at < stop],
            cuts=[c - start for c in self.cuts],
            kind=self.kind,
            space_before=self.spaceBefore if first else 0.0,
            keep_with_next=self.keep_with_next and last,
            continued=self.continued,
            anchor=self.anchor if first else None,
            **self.meta,
        )

    def drawOn(self, canvas, x, y, _sW=0):
        self.top = y + self.height
        document = getattr(canvas, "_doctemplate", None)
        if document is not None and not document.drawing:
            return
        if self.anchor:
            key, title, level = self.anchor
            canvas.bookmarkHorizontalAbsolute(key, min(self.top + 6, canvas._pagesize[1]))
            canvas.addOutlineEntry(title, key, level=level)
        # Shapes draw from the frame's left; lines are placed directly (no saved graphics
        # state per block: there are thousands, and draw_line sets every piece's style).
        if self.shapes:
            canvas.saveState()
            canvas.translate(x, self.top)
            for at, shape in self.shapes:
                shape(canvas, -at)
            canvas.restoreState()
        for left, baseline, line in self.lines:
            draw_line(canvas, x + left, self.top - baseline, line)


class Stack:
    """Builds a TextBlock: lines and shapes placed top-down; its height is where they end."""

    def __init__(self) -> None:
        self.y = 0.0
        self.lines: list[tuple[float, float, Line]] = []
        self.shapes: list[tuple[float, Shape]] = []
        self.cuts: list[float] = []
        self.rows: list[float] = []  # the bottom of every line added

    def add(
        self,
        x: float,
        lines: list[Line],
        gap: float = 0.0,
        *,
        leading: float | None = None,
        breaks: tuple[int, int] | None = None,
    ) -> float:
        """Place lines at x below what is there; return the baseline offset of the first.

        Each line takes its natural height (line_metrics), or `leading` with the em box in
        the middle. breaks=(orphans, widows) lets the block split between these lines, never
        leaving fewer than that many lines of them at the foot or the top of a page.
        """
        self.y += gap
        first = None
        for i, line in enumerate(lines):
            if leading is None:
                height, baseline = line_metrics(line)
            else:
                size = max(span.size for _, span, _ in line)
                height, baseline = leading, (leading - size) / 2 + 0.8 * size
            if breaks and breaks[0] <= i <= len(lines) - breaks[1]:
                self.cuts.append(self.y)
            self.lines.append((x, self.y + baseline, line))
            first = self.y + baseline if first is None else first
            self.y += height
            self.rows.append(self.y)
        return first if first is not None else self.y

    def beside(self, x: float, baseline: float, line: Line) -> None:
        """A line on a given baseline (a time in the left column), taking no space."""
        self.lines.append((x, baseline, line))

    def shape(self, draw: Shape, at: float | None = None) -> None:
        """Something drawn at an offset (default: the current height), e.g. a rule."""
        self.shapes.append((self.y if at is None else at, draw))

    def cut(self) -> None:
        """The block may split here."""
        self.cuts.append(self.y)

    def block(self, pad: float = 0.0, *, split_anywhere: bool = False, **options) -> TextBlock:
        """The block, `pad` taller than its content; split_anywhere allows a cut after any line."""
        cuts = self.rows[:-1] if split_anywhere else self.cuts
        return TextBlock(self.y + pad, self.lines, self.shapes, cuts=cuts, **options)


class KeepWithNext(KeepTogether):
    """Keeps a heading with the start of what follows it, so no heading ends a page.

    Only the first part of the last flowable counts (its lines up to its first cut): a
    heading over a long paragraph still goes at the foot of a page with the first lines.
    """

    def wrap(self, available_width, available_height):
        result = super().wrap(available_width, available_height)
        last = self._content[-1]
        if isinstance(last, TextBlock):
            self._H -= last.height - last.first_part_height
        return result


# Documents ---------------------------------------------------------------------------------


def page_template(
    template_id: str,
    frame: tuple[float, float, float, float],
    on_page: Callable[[Canvas, "Document"], None] | None = None,
    *,
    next_template: str | None = None,
    pagesize=A4,
) -> PageTemplate:
    """A page with one frame (x, y, width, height; no padding); on_page draws its header and
    footer once the page's content is laid out, in the drawing pass only."""

    def draw(canvas: Canvas, document: "Document") -> None:
        if on_page is not None and document.drawing:
            canvas.saveState()
            on_page(canvas, document)
            canvas.restoreState()

    x, y, width, height = frame
    body = Frame(x, y, width, height, 0, 0, 0, 0, id=f"{template_id}-body")
    return PageTemplate(
        template_id, [body], onPageEnd=draw, pagesize=pagesize, autoNextPageTemplate=next_template
    )


class NewSection(ActionFlowable):
    """A new page on `template` that starts its own page numbers (one letter of several)."""

    def __init__(self, template: str):
        super().__init__()
        self.template = template

    def apply(self, document: "Document") -> None:
        document.handle_nextPageTemplate(self.template)
        document.new_section = True
        document.handle_pageBreak()


class Document(BaseDocTemplate):
    """Pages laid out by platypus, numbered "Page n of m" within their section.

    `continued_note(text)` makes the block that opens a page whose first block says
    `continued` (a session running on, a paper's abstract going over). on_page callbacks
    read `page_number`, `page_count` and `placed` (the blocks on the page with their tops).
    """

    def __init__(
        self,
        out: BinaryIO,
        templates: list[PageTemplate],
        *,
        continued_note: Callable[[str], TextBlock] | None = None,
        title: str = "",
        author: str = "",
        subject: str = "",
    ):
        super().__init__(
            out,
            pagesize=A4,
            pageTemplates=templates,
            title=title,
            author=author,
            subject=subject,
            creator="conference",
            pageCompression=1,
            initialFontName=base_font(),
            keepTogetherClass=KeepWithNext,
        )
        self.continued_note = continued_note
        self.drawing = False
        self.new_section = False
        self.pages: list[list[tuple[TextBlock, float]]] = []
        self._section_starts: list[int] = []
        self._counts: tuple[int, ...] | None = None  # pages per section, from the last pass
        self._stable = False

    @property
    def placed(self) -> list[tuple[TextBlock, float]]:
        return self.pages[-1]

    @property
    def page_number(self) -> int:
        """The page's number within its section."""
        return self.page - self._section_starts[-1] + 1

    @property
    def page_count(self) -> int:
        """The number of pages of the page's section (known in the drawing pass)."""
        counts = self._counts or ()
        index = len(self._section_starts) - 1
        return counts[index] if index < len(counts) else 0

    def render(self, story: list[Flowable]) -> None:
        """Lay the story out, then draw it with every page number known, and save."""
        self._counts = None
        self.multiBuild(story)

    def lay_out(self, story: list[Flowable]) -> list[list[tuple[TextBlock, float]]]:
        """The blocks of each page with the y of their tops, as rendered, without drawing."""
        self._counts, self._doSave = None, 0
        self.build(story)
        return self.pages

    def build(self, flowables, **options):
        self.drawing = self._counts is not None
        self.pages, self._section_starts, self.new_section = [], [], False
        super().build(flowables, **options)
        starts = self._section_starts
        counts = tuple(b - a for a, b in zip(starts, [*starts[1:], self.page + 1], strict=True))
        self._stable = self.drawing and counts == self._counts
        self._counts = counts

    def _allSatisfied(self):
        return self._stable and super()._allSatisfied()

    def handle_pageBegin(self):
        if self.new_section or not self._section_starts:
            self._section_starts.append(self.page + 1)
            self.new_section = False
        self.pages.append([])
        super().handle_pageBegin()

    def handle_flowable(self, flowables):
        first = flowables[0]
        while isinstance(first, KeepTogether):
            first = first._content[0]
        note = getattr(first, "continued", "")
        if note and self.continued_note and self.frame._atTop and self.placed == []:
            block = self.continued_note(note)
            self.frame.add(block, self.canv)
            self.afterFlowable(block)
            self.frame._atTop = 1  # the note heads the page: what follows takes no space before
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable):
        if isinstance(flowable, TextBlock):
            self.placed.append((flowable, flowable.top))
            if flowable.anchor:
                key, title, level = flowable.anchor
                self.notify("TOCEntry", (level, title, self.page, key))


class Contents(TableOfContents):
    """A table of contents drawn as a TextBlock, its page numbers from the previous pass.

    `lay_out(numbers)` makes the block once; its shapes read the page number of each key
    from `numbers`, which every pass refreshes in place (the layout does not depend on them).
    """

    def __init__(self, lay_out: Callable[[dict[str, int]], TextBlock]):
        super().__init__()
        self.numbers: dict[str, int] = {}
        self._table = lay_out(self.numbers)

    def wrap(self, available_width, available_height):
        self.numbers.clear()
        self.numbers.update({key: page for _, _, page, key in self._lastEntries})
        self.width, self.height = self._table.wrap(available_width, available_height)
        return self.width, self.height


def text_at(canvas: Canvas, x, y, text, size, *, bold=False, color=INK, align="left", country=None):
    """One line of shaped text in a colour at a fixed place (covers, headers, footers)."""
    canvas.setFillColor(color)
    draw_text(canvas, x, y, text, size, bold=bold, align=align, country=country)


def rule(canvas: Canvas, y, x0, x1, *, color=RULE, width=0.6) -> None:
    """A horizontal line from x0 to x1 (a hairline by default)."""
    canvas.setStrokeColor(color)
    canvas.setLineWidth(width)
    canvas.line(x0, y, x1, y)
