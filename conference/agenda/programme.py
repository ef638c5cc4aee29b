"""The printed programme: a published agenda snapshot as an A4 PDF (no Flask, no database).

All text goes through ``conference.pdf.text``, so presenters and chairs print in their own
scripts (Thai, Khmer, Lao, Burmese, Vietnamese, and Han in the forms of their country).

The programme is cut into blocks that are never split (a day heading, the band of a time slot,
a session's heading with its chairs, a talk), and the blocks are laid out page by page before
anything is drawn, so every page can say "Page 2 of 5". A heading is kept on the page of what
follows it, and a session that runs onto the next page is named again there.
"""

import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import BinaryIO
from zoneinfo import ZoneInfo

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from conference.agenda.kinds import SESSION_KINDS
from conference.formatting import format_date_range
from conference.pdf.colours import ACCENT, INK, MUTED, RULE
from conference.pdf.text import base_font, draw_text, fit_size, text_width, wrap_lines

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
HEADER_BASELINE = PAGE_HEIGHT - 12 * mm
FOOTER_BASELINE = 10 * mm
TOP = PAGE_HEIGHT - 21 * mm  # below the running head
BOTTOM = 18 * mm  # above the footer

TIME_WIDTH = 25 * mm  # the left column: times of sessions and slots
BODY_X = MARGIN + TIME_WIDTH
BODY_WIDTH = CONTENT_WIDTH - TIME_WIDTH
TALK_TIME_WIDTH = 19 * mm  # inside the body: times of talks
TALK_X = BODY_X + TALK_TIME_WIDTH
TALK_WIDTH = BODY_WIDTH - TALK_TIME_WIDTH
# A block taller than this (a page less a "Continued" line) is cut between its lines.
MAX_BLOCK_HEIGHT = TOP - BOTTOM - 30

SHADE = HexColor("#eef1f5")

_PAUSES = {"break", "meal"}  # printed as one quiet line

DESCRIPTION_LINES = 3  # a session's description, and a talk's abstract, are kept short
ELLIPSIS = "…"

# Thai, Lao, Burmese and Khmer stack marks about 1.3 em above the baseline (and below it).
_TALL_SCRIPTS = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\uaa60-\uaa7f]")


# Lines of mixed styles ------------------------------------------------------------------


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


def _width(span: Span, text: str) -> float:
    return text_width(text, span.size, country=span.country, bold=span.bold)


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
        w = _width(span, text)
        if lines[-1] and x + w > width:
            lines.append([])
            x, text = 0.0, span.text
            w = _width(span, text)
        if x + w <= width:
            lines[-1].append((x, span, text))
            x += w
            continue
        parts = wrap_lines(text, width, span.size, country=span.country, bold=span.bold)
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            lines[-1].append((0.0, span, part))
            x = _width(span, part)
    return [line for line in lines if line]


def clipped(span: Span, width: float, max_lines: int) -> list[Line]:
    """The span wrapped to at most max_lines, the last one ending in an ellipsis if cut."""
    parts = wrap_lines(span.text, width, span.size, country=span.country, bold=span.bold)
    if len(parts) > max_lines:
        parts = parts[:max_lines]
        last = parts[-1]
        while last and _width(span, last.rstrip() + ELLIPSIS) > width:
            last = _shorter(last)
        parts[-1] = last.rstrip(" ,;:.") + ELLIPSIS
    return [[(0.0, span, part)] for part in parts]


def _shorter(text: str) -> str:
    """The text less its last word, or less its last character with its marks."""
    if " " in text.strip():
        return text.rstrip().rsplit(" ", 1)[0]
    end = len(text) - 1
    while end > 0 and unicodedata.category(text[end])[0] == "M":
        end -= 1
    return text[:end]


def _tall(text: str) -> bool:
    return _TALL_SCRIPTS.search(text) is not None


def line_metrics(line: Line) -> tuple[float, float]:
    """(height of the line, offset of its baseline below its top)."""
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


# Blocks and pages ------------------------------------------------------------------------

Draw = Callable[[Canvas, float], None]


@dataclass
class Block:
    """A piece of the programme never split across pages, drawn from its top down."""

    kind: str  # cover, day, slot, session, pause, talk, continued
    height: float
    draw: Draw = field(repr=False)
    space_before: float = 0.0  # dropped at the top of a page
    keep_with_next: bool = False
    new_page: bool = False
    day: str = ""  # the running head of a page it starts
    continued: str = ""  # said at the top of a page that starts with this block
    rule_above: bool = False  # a hairline in the space before, unless first on its page
    parallel: bool = False  # one of sessions in parallel: a bar in the margin joins them


@dataclass
class Page:
    """The blocks of one page with the y of each one's top."""

    placed: list[tuple[Block, float]] = field(default_factory=list)

    @property
    def day(self) -> str:
        return next((block.day for block, _ in self.placed if block.day), "")


class _Stack:
    """Lines and shapes placed top-down inside a block; its height is where they end."""

    def __init__(self) -> None:
        self.y = 0.0
        self.lines: list[tuple[float, float, Line]] = []  # x, baseline offset, line
        self.shapes: list[Draw] = []
        self.rows: list[tuple[float, float]] = []  # top and bottom of each line of add()

    def add(self, x: float, lines: list[Line], gap: float = 0.0) -> float:
        """Place lines at x below what is there; return the baseline offset of the first."""
        self.y += gap
        first = None
        for line in lines:
            height, baseline = line_metrics(line)
            self.rows.append((self.y, self.y + height))
            self.lines.append((x, self.y + baseline, line))
            first = self.y + baseline if first is None else first
            self.y += height
        return first if first is not None else self.y

    def beside(self, x: float, baseline: float, line: Line) -> None:
        """A line on a given baseline (the time in the left column), taking no space."""
        self.lines.append((x, baseline, line))

    def block(self, kind: str, pad: float = 0.0, **options) -> Block:
        return self._part(kind, self.y + pad, self.shapes, self.lines, options)

    def blocks(self, kind: str, pad: float = 0.0, **options) -> list[Block]:
        """One block; or, should it be taller than a page (a talk with sixty presenters),
        several, cut between lines, so that nothing runs off the page. The first part is
        short, so that the heading before it still fits on its page."""
        end = self.y + pad
        if end <= MAX_BLOCK_HEIGHT:
            return [self.block(kind, pad, **options)]
        cuts = [0.0]
        for top, bottom in self.rows:
            limit = MAX_BLOCK_HEIGHT / (3 if len(cuts) == 1 else 1)
            if top > cuts[-1] and bottom - cuts[-1] > limit:
                cuts.append(top)
        parts = []
        for i, start in enumerate(cuts):
            stop = cuts[i + 1] if i + 1 < len(cuts) else end
            lines = [item for item in self.lines if start <= item[1] < stop]
            shifted = [(x, baseline - start, line) for x, baseline, line in lines]
            first, last = i == 0, i == len(cuts) - 1
            part_options = {
                **options,
                "space_before": options.get("space_before", 0.0) if first else 0.0,
                "rule_above": options.get("rule_above", False) and first,
                "keep_with_next": options.get("keep_with_next", False) and last,
            }
            shapes = self.shapes if first else []
            parts.append(self._part(kind, stop - start, shapes, shifted, part_options))
        return parts

    @staticmethod
    def _part(kind, height, shapes, lines, options) -> Block:
        shapes, lines = list(shapes), list(lines)

        def draw(canvas: Canvas, top: float) -> None:
            for shape in shapes:
                shape(canvas, top)
            for x, baseline, line in lines:
                draw_line(canvas, x, top - baseline, line)

        return Block(kind, height, draw, **options)


def paginate(blocks: list[Block]) -> list[Page]:
    """Place blocks top-down, page after page; a block with keep_with_next goes onto the
    next page rather than end a page without the block that follows it."""
    pages = [Page()]
    y = TOP
    for i, block in enumerate(blocks):
        fresh = not pages[-1].placed
        if block.new_page and not fresh:
            pages.append(Page())
            y, fresh = TOP, True
        gap = 0.0 if fresh else block.space_before
        if not fresh and y - gap - _chain_height(blocks, i) < BOTTOM:
            pages.append(Page())
            y, gap = TOP, 0.0
            if block.continued:
                note = _continued(block)
                pages[-1].placed.append((note, y))
                y -= note.height
        y -= gap
        pages[-1].placed.append((block, y))
        y -= block.height
    return pages


def _chain_height(blocks: list[Block], i: int) -> float:
    height = blocks[i].height
    while blocks[i].keep_with_next and i + 1 < len(blocks):
        i += 1
        height += blocks[i].space_before + blocks[i].height
    return min(height, TOP - BOTTOM - 20)


def _continued(block: Block) -> Block:
    stack = _Stack()
    stack.add(MARGIN, clipped(Span(block.continued, 8, color=MUTED), CONTENT_WIDTH, 1))
    return stack.block("continued", pad=4, day=block.day)


# Reading the snapshot --------------------------------------------------------------------


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _moment(value, zone: ZoneInfo) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(zone)


def _clock(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def _span_of(start: datetime, end: datetime) -> str:
    return f"{_clock(start)}–{_clock(end)}"


def _day_title(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_label(zone: ZoneInfo, moments: list[datetime]) -> str:
    """'Asia/Bangkok (UTC+07:00)'; both offsets when the clocks change during the event."""
    offsets = list(dict.fromkeys(_offset(m) for m in moments)) or [_offset(datetime.now(zone))]
    return f"{zone.key.replace('_', ' ')} ({' / '.join(offsets)})"


def _person_spans(person: dict, size: float) -> list[Span]:
    """'Dr Pimchanok Srisuk (พิมพ์ชนก ศรีสุข), Bangkok Metropolitan Administration'."""
    country = person.get("country") or None
    name = (person.get("name") or "").strip()
    native = (person.get("native_name") or "").strip()
    organisation = (person.get("organisation") or "").strip()
    spans = []
    if name:
        spans.append(Span(name, size, color=INK, country=country))
    if native and native != name:
        text = f"({native})" if name else native
        spans.append(Span(text, size, color=INK, country=country, sep=" "))
    if organisation:
        spans.append(Span(organisation, size - 0.5, color=MUTED, country=country, sep=", "))
    return spans


def _people_lines(people: list[dict], size: float, width: float) -> list[Line]:
    """One person a line (wrapped if need be), so an organisation is never taken for the
    next person's."""
    return [line for person in people for line in flow(_person_spans(person, size), width)]


def _indent(lines: list[Line], x: float) -> list[Line]:
    return [[(offset + x, span, text) for offset, span, text in line] for line in lines]


def _colour(value: str | None) -> Color | None:
    try:
        return HexColor(value) if value else None
    except ValueError:
        return None


# Building the blocks ---------------------------------------------------------------------


def _cover(info: dict, zone_label: str) -> Block:
    stack = _Stack()
    title = info.get("title") or ""
    size = fit_size(title, CONTENT_WIDTH, 22, min_size=17, bold=True)
    stack.add(MARGIN, flow([Span(title, size, bold=True, color=ACCENT)], CONTENT_WIDTH))
    start, end = _as_date(info.get("start_date")), _as_date(info.get("end_date"))
    when = format_date_range(start, end or start) if start else ""
    place = ", ".join(p for p in (info.get("venue"), info.get("city")) if p and p.strip())
    stack.add(
        MARGIN,
        flow([Span(when, 11.5, bold=True), Span(place, 11.5, sep=" · ")], CONTENT_WIDTH),
        gap=4,
    )
    heading = "Programme"
    if info.get("version"):
        heading += f" — version {info['version']}"
    published = info.get("published_at")
    if published:
        day = _moment(published, ZoneInfo(info.get("timezone") or "UTC")).date()
        heading += f", published {day.day} {day:%B %Y}"
    stack.add(MARGIN, flow([Span(heading, 10.5, color=ACCENT)], CONTENT_WIDTH), gap=8)
    note = f"All times are local to the venue: {zone_label}."
    stack.add(MARGIN, flow([Span(note, 9, color=MUTED)], CONTENT_WIDTH), gap=1)
    if info.get("url"):
        link = f"Latest version online: {info['url']}"
        stack.add(MARGIN, flow([Span(link, 9, color=MUTED)], CONTENT_WIDTH))
    rule_at = stack.y + 8

    def rules(canvas: Canvas, top: float) -> None:
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(2)
        canvas.line(MARGIN, top + 6, MARGIN + 40 * mm, top + 6)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, top - rule_at, MARGIN + CONTENT_WIDTH, top - rule_at)

    stack.shapes.append(rules)
    stack.y = rule_at
    return stack.block("cover", pad=4)


def _day_heading(day: date, first: bool) -> Block:
    stack = _Stack()
    title = _day_title(day)
    stack.add(MARGIN, [[(0.0, Span(title, 15, bold=True, color=ACCENT), title)]])
    under = stack.y + 3
    stack.y = under + 4

    def rule(canvas: Canvas, top: float) -> None:
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1)
        canvas.line(MARGIN, top - under, MARGIN + CONTENT_WIDTH, top - under)

    stack.shapes.append(rule)
    return stack.block(
        "day",
        space_before=10,
        keep_with_next=True,
        new_page=not first,
        day=title,
    )


def _slot_band(start: datetime, sessions: list[dict], zone: ZoneInfo, day: str) -> Block:
    """The band over sessions in parallel: their time, and how many there are."""
    end = max(_moment(s["ends_at"], zone) for s in sessions)
    stack = _Stack()
    label = f"{len(sessions)} sessions in parallel"
    baseline = stack.add(
        BODY_X, flow([Span(label, 9, bold=True, color=ACCENT)], BODY_WIDTH - 4), gap=3
    )
    stack.beside(MARGIN + 4, baseline, _time_line(_span_of(start, end), 9.5, ACCENT))
    height = stack.y + 3

    def band(canvas: Canvas, top: float) -> None:
        canvas.setFillColor(SHADE)
        canvas.rect(MARGIN, top - height, CONTENT_WIDTH, height, stroke=0, fill=1)
        canvas.setFillColor(ACCENT)
        canvas.rect(MARGIN, top - height, 2, height, stroke=0, fill=1)

    stack.shapes.append(band)
    stack.y = height
    return stack.block("slot", pad=2, space_before=10, keep_with_next=True, day=day)


def _kind_spans(session: dict, parallel: bool) -> list[Span]:
    kind = SESSION_KINDS.get(session.get("kind"), (session.get("kind") or "").capitalize())
    spans = []
    if parallel and session.get("room"):
        spans.append(Span(session["room"], 9, bold=True, color=ACCENT))
        spans.append(Span(kind.upper(), 7.5, bold=True, color=MUTED, sep="  ·  "))
    else:
        spans.append(Span(kind.upper(), 7.5, bold=True, color=ACCENT))
        if session.get("room"):
            spans.append(Span(session["room"], 8.5, bold=True, color=INK, sep="  ·  "))
    if session.get("track"):
        spans.append(Span(session["track"], 8.5, color=MUTED, sep="  ·  "))
    return spans


def _time_line(text: str, size: float, color: Color = INK, bold: bool = True) -> Line:
    return [(0.0, Span(text, size, bold=bold, color=color), text)]


def _session_head(
    session: dict, zone: ZoneInfo, day: str, slot: str | None, count: int, description: bool
) -> list[Block]:
    """A session's kind, room, track, title, description and chairs; `slot` is the time of
    the band over sessions in parallel (None for a session on its own)."""
    parallel = slot is not None
    start, end = _moment(session["starts_at"], zone), _moment(session["ends_at"], zone)
    stack = _Stack()
    first = stack.add(BODY_X, flow(_kind_spans(session, parallel), BODY_WIDTH))
    track = _colour(session.get("track_colour")) if session.get("track") else None
    if track is not None:
        mark_at = first

        def mark(canvas: Canvas, top: float) -> None:
            canvas.setFillColor(track)
            canvas.rect(BODY_X - 9, top - mark_at - 0.5, 5, 7, stroke=0, fill=1)

        stack.shapes.append(mark)
    clock = _span_of(start, end)
    if slot is None:
        stack.beside(MARGIN, first, _time_line(clock, 10, ACCENT))
    elif clock != slot:
        # Sessions in parallel share the band's time; one that ends otherwise says so.
        stack.beside(MARGIN + 6, first, _time_line(clock, 8.5, MUTED, bold=False))
    stack.add(BODY_X, flow([Span(session.get("title") or "", 11.5, bold=True)], BODY_WIDTH), gap=1)
    if description and (session.get("description") or "").strip():
        text = " ".join(session["description"].split())
        stack.add(BODY_X, clipped(Span(text, 8.5, color=MUTED), BODY_WIDTH, DESCRIPTION_LINES))
    chairs = session.get("chairs") or []
    if chairs:
        label = Span("Chairs: " if len(chairs) > 1 else "Chair: ", 8.5, bold=True, color=MUTED)
        indent = _width(label, label.text)
        lines = _indent(_people_lines(chairs, 9, BODY_WIDTH - indent), indent)
        if lines:
            lines[0].insert(0, (0.0, label, label.text))
            stack.add(BODY_X, lines, gap=1)
    talks = bool(session.get("talks"))
    return stack.blocks(
        "session",
        pad=5 if talks else 2,
        space_before=7 if parallel else 10,
        keep_with_next=talks,
        day=day,
        continued=f"Continued: {slot} · {count} sessions in parallel" if parallel else "",
        rule_above=not parallel,
        parallel=parallel,
    )


def _talk(
    talk: dict, session: dict, zone: ZoneInfo, day: str, parallel: bool, abstracts: bool
) -> list[Block]:
    stack = _Stack()
    first = stack.add(TALK_X, flow([Span(talk.get("title") or "", 9.5, bold=True)], TALK_WIDTH))
    if talk.get("starts_at"):
        start = _moment(talk["starts_at"], zone)
        minutes = int(talk.get("duration_minutes") or 0)
        end = (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(zone)
        stack.beside(BODY_X, first, _time_line(_span_of(start, end), 8.5, MUTED, bold=False))
    elif talk.get("duration_minutes"):
        text = f"{talk['duration_minutes']} min"
        stack.beside(BODY_X, first, _time_line(text, 8.5, MUTED, bold=False))
    stack.add(TALK_X, _people_lines(talk.get("presenters") or [], 9, TALK_WIDTH))
    if abstracts and (talk.get("abstract") or "").strip():
        text = " ".join(talk["abstract"].split())
        stack.add(TALK_X, clipped(Span(text, 8, color=MUTED), TALK_WIDTH, DESCRIPTION_LINES))
    start, end = _moment(session["starts_at"], zone), _moment(session["ends_at"], zone)
    where = [_span_of(start, end), session.get("room"), session.get("title")]
    return stack.blocks(
        "talk",
        pad=3,
        space_before=2,
        day=day,
        continued="Continued: " + " · ".join(p for p in where if p),
        parallel=parallel,
    )


def _pause(session: dict, zone: ZoneInfo, day: str) -> Block:
    start, end = _moment(session["starts_at"], zone), _moment(session["ends_at"], zone)
    stack = _Stack()
    spans = [Span(session.get("title") or SESSION_KINDS[session["kind"]], 9.5, color=INK)]
    if session.get("room"):
        spans.append(Span(session["room"], 8.5, color=MUTED, sep="  ·  "))
    first = stack.add(BODY_X, flow(spans, BODY_WIDTH))
    stack.beside(MARGIN, first, _time_line(_span_of(start, end), 9, MUTED, bold=False))
    return stack.block("pause", space_before=10, day=day, rule_above=True)


def _empty_notice() -> Block:
    stack = _Stack()
    stack.add(MARGIN, flow([Span("No sessions are scheduled yet.", 11, color=MUTED)], 400), gap=12)
    return stack.block("empty")


def programme_blocks(
    info: dict, snapshot: dict, *, descriptions: bool = True, abstracts: bool = False
) -> list[Block]:
    """The programme as blocks in reading order, before it is cut into pages."""
    zone = ZoneInfo(snapshot.get("timezone") or info.get("timezone") or "UTC")
    sessions = sorted(snapshot.get("sessions") or [], key=lambda s: _moment(s["starts_at"], zone))
    moments = [_moment(s["starts_at"], zone) for s in sessions]
    blocks = [_cover(info, _zone_label(zone, moments))]
    if not sessions:
        return [*blocks, _empty_notice()]

    def local_day(session):
        return _moment(session["starts_at"], zone).date()

    for d, (day, day_sessions) in enumerate(groupby(sessions, key=local_day)):
        day_sessions = list(day_sessions)
        title = _day_title(day)
        blocks.append(_day_heading(day, first=d == 0))
        for start, slot in groupby(day_sessions, key=lambda s: _moment(s["starts_at"], zone)):
            slot = list(slot)
            parallel = len(slot) > 1
            band = None
            if parallel:
                blocks.append(_slot_band(start, slot, zone, title))
                band = _span_of(start, max(_moment(s["ends_at"], zone) for s in slot))
            for session in slot:
                if session.get("kind") in _PAUSES and not session.get("talks") and not parallel:
                    blocks.append(_pause(session, zone, title))
                    continue
                blocks += _session_head(session, zone, title, band, len(slot), descriptions)
                talks = sorted(
                    session.get("talks") or [],
                    key=lambda t: (t.get("starts_at") is None, t.get("starts_at") or ""),
                )
                for talk in talks:
                    blocks += _talk(talk, session, zone, title, parallel, abstracts)
    return blocks


# Drawing ---------------------------------------------------------------------------------


def _header(canvas: Canvas, info: dict, page: Page, number: int) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    if number > 1:
        right = page.day
        right_width = text_width(right, 8, bold=True) if right else 0
        room = CONTENT_WIDTH - right_width - 16
        title = info.get("title") or ""
        size = fit_size(title, room, 8, min_size=7)
        canvas.setFillColor(MUTED)
        draw_text(canvas, MARGIN, HEADER_BASELINE, _fit(title, room, size), size)
        if right:
            canvas.setFillColor(ACCENT)
            draw_text(
                canvas, MARGIN + CONTENT_WIDTH, HEADER_BASELINE, right, 8, bold=True, align="right"
            )
        canvas.line(MARGIN, HEADER_BASELINE - 4, MARGIN + CONTENT_WIDTH, HEADER_BASELINE - 4)


def _draw_blocks(canvas: Canvas, page: Page) -> None:
    previous, previous_bottom = None, TOP
    for block, top in page.placed:
        if block.rule_above and previous is not None and previous.kind != "day":
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.5)
            y = top + block.space_before / 2
            canvas.line(MARGIN, y, MARGIN + CONTENT_WIDTH, y)
        if block.parallel:
            # Joined to the band or the session in parallel above it, if on this page.
            joined = previous is not None and (previous.parallel or previous.kind == "slot")
            upper = previous_bottom if joined else top
            bottom = top - block.height
            canvas.setFillColor(RULE)
            canvas.rect(MARGIN, bottom, 2, upper - bottom, stroke=0, fill=1)
        block.draw(canvas, top)
        previous, previous_bottom = block, top - block.height


def _fit(text: str, width: float, size: float) -> str:
    """The text, cut with an ellipsis if even its smallest size is too wide."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + ELLIPSIS, size) > width:
        text = _shorter(text)
    return text.rstrip() + ELLIPSIS


def _footer(canvas: Canvas, footer: str, number: int, count: int) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, FOOTER_BASELINE + 9, MARGIN + CONTENT_WIDTH, FOOTER_BASELINE + 9)
    page = f"Page {number} of {count}"
    room = CONTENT_WIDTH - text_width(page, 8) - 16
    size = fit_size(footer, room, 8, min_size=7)
    canvas.setFillColor(MUTED)
    draw_text(canvas, MARGIN, FOOTER_BASELINE, _fit(footer, room, size), size)
    draw_text(canvas, MARGIN + CONTENT_WIDTH, FOOTER_BASELINE, page, 8, align="right")


def programme_pdf(
    info: dict,
    snapshot: dict,
    out: BinaryIO,
    *,
    descriptions: bool = True,
    abstracts: bool = False,
) -> None:
    """Write the printed programme of a published agenda snapshot to `out` as an A4 PDF.

    `info` is the event as the exporters see it (title, start_date, end_date, timezone, city,
    venue, optionally url, version and published_at). Session descriptions print (cut to
    three lines) unless descriptions=False; talk abstracts only with abstracts=True.
    """
    pages = paginate(
        programme_blocks(info, snapshot, descriptions=descriptions, abstracts=abstracts)
    )
    zone = ZoneInfo(snapshot.get("timezone") or info.get("timezone") or "UTC")
    moments = [_moment(s["starts_at"], zone) for s in snapshot.get("sessions") or []]
    footer = info.get("title") or ""
    if info.get("version"):
        footer += f" · Programme version {info['version']}"
    footer += f" · Times: {_zone_label(zone, moments)}"

    canvas = Canvas(out, pagesize=A4, initialFontName=base_font(), pageCompression=1)
    canvas.setTitle(f"Programme: {info.get('title') or ''}")
    canvas.setAuthor(info.get("title") or "")
    canvas.setSubject("Conference programme")
    canvas.setCreator("conference")
    for number, page in enumerate(pages, start=1):
        _header(canvas, info, page, number)
        _draw_blocks(canvas, page)
        _footer(canvas, footer, number, len(pages))
        canvas.showPage()
    canvas.save()


def programme_pdf_bytes(info: dict, snapshot: dict, **options) -> bytes:
    """The printed programme as PDF bytes; options as for :func:`programme_pdf`."""
    buffer = io.BytesIO()
    programme_pdf(info, snapshot, buffer, **options)
    return buffer.getvalue()
