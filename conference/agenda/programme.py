"""The printed programme: a published agenda snapshot as an A4 PDF (no Flask, no database).

All text goes through ``conference.pdf.text``, so presenters and chairs print in their own
scripts (Thai, Khmer, Lao, Burmese, Vietnamese, and Han in the forms of their country).

The programme is a story of blocks (``conference.pdf.flow``): a day heading, the band of a time
slot, a session's heading with its chairs, a talk. Platypus lays them out page by page; a
heading is kept on the page of what follows it, a block moves whole to the next page unless it
is taller than a page, and a session that runs onto the next page is named again there. Pages
say "Page 2 of 5".
"""

import io
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import BinaryIO
from zoneinfo import ZoneInfo

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak

from conference.agenda.kinds import SESSION_KINDS
from conference.formatting import format_date_range
from conference.names import name_and_native
from conference.pdf.colours import ACCENT, INK, MUTED, RULE
from conference.pdf.flow import (
    Document,
    Line,
    Span,
    Stack,
    TextBlock,
    clipped,
    ellipsize,
    flow,
    page_template,
    rule,
    single,
    span_width,
)
from conference.pdf.text import draw_text, fit_size, text_width

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
HEADER_BASELINE = PAGE_HEIGHT - 12 * mm
FOOTER_BASELINE = 10 * mm
TOP = PAGE_HEIGHT - 21 * mm  # below the running head
BOTTOM = 18 * mm  # above the footer

# x of the columns from the left margin
TIME_WIDTH = 25 * mm  # the left column: times of sessions and slots
BODY_X = TIME_WIDTH
BODY_WIDTH = CONTENT_WIDTH - TIME_WIDTH
TALK_TIME_WIDTH = 19 * mm  # inside the body: times of talks
TALK_X = BODY_X + TALK_TIME_WIDTH
TALK_WIDTH = BODY_WIDTH - TALK_TIME_WIDTH
# A block taller than this (a page less a "Continued" line) may be cut between its lines.
MAX_BLOCK_HEIGHT = TOP - BOTTOM - 30

SHADE = HexColor("#eef1f5")

_PAUSES = {"break", "meal"}  # printed as one quiet line

DESCRIPTION_LINES = 3  # a session's description, and a talk's abstract, are kept short


def _block(stack: Stack, kind: str, pad: float = 0.0, **options) -> TextBlock:
    """A block of the programme; cut between its lines only if taller than a page."""
    tall = stack.y + pad > MAX_BLOCK_HEIGHT
    return stack.block(pad, kind=kind, split_anywhere=tall, **options)


def _continued(text: str) -> TextBlock:
    stack = Stack()
    stack.add(0, clipped(Span(text, 8, color=MUTED), CONTENT_WIDTH, 1))
    return stack.block(4, kind="continued")


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
    name, native = name_and_native(person.get("name") or "", person.get("native_name") or "")
    organisation = (person.get("organisation") or "").strip()
    spans = []
    if name:
        spans.append(Span(name, size, color=INK, country=country))
    if native:
        spans.append(Span(f"({native})", size, color=INK, country=country, sep=" "))
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


def _cover(info: dict, zone_label: str) -> TextBlock:
    stack = Stack()
    title = info.get("title") or ""
    size = fit_size(title, CONTENT_WIDTH, 22, min_size=17, bold=True)
    stack.add(0, flow([Span(title, size, bold=True, color=ACCENT)], CONTENT_WIDTH))
    start, end = _as_date(info.get("start_date")), _as_date(info.get("end_date"))
    when = format_date_range(start, end or start) if start else ""
    place = ", ".join(p for p in (info.get("venue"), info.get("city")) if p and p.strip())
    stack.add(
        0, flow([Span(when, 11.5, bold=True), Span(place, 11.5, sep=" · ")], CONTENT_WIDTH), gap=4
    )
    heading = "Programme"
    if info.get("version"):
        heading += f" — version {info['version']}"
    published = info.get("published_at")
    if published:
        day = _moment(published, ZoneInfo(info.get("timezone") or "UTC")).date()
        heading += f", published {day.day} {day:%B %Y}"
    stack.add(0, flow([Span(heading, 10.5, color=ACCENT)], CONTENT_WIDTH), gap=8)
    note = f"All times are local to the venue: {zone_label}."
    stack.add(0, flow([Span(note, 9, color=MUTED)], CONTENT_WIDTH), gap=1)
    if info.get("url"):
        link = f"Latest version online: {info['url']}"
        stack.add(0, flow([Span(link, 9, color=MUTED)], CONTENT_WIDTH))
    stack.y += 8
    stack.shape(lambda canvas, y: rule(canvas, y, 0, 40 * mm, color=ACCENT, width=2), at=-6)
    stack.shape(lambda canvas, y: rule(canvas, y, 0, CONTENT_WIDTH, color=ACCENT, width=0.8))
    return stack.block(4, kind="cover")


def _day_heading(day: date) -> TextBlock:
    stack = Stack()
    title = _day_title(day)
    stack.add(0, [single(title, 15, bold=True, color=ACCENT)])
    stack.y += 3
    stack.shape(lambda canvas, y: rule(canvas, y, 0, CONTENT_WIDTH, color=ACCENT, width=1))
    stack.y += 4
    return stack.block(kind="day", space_before=10, keep_with_next=True, day=title)


def _slot_band(start: datetime, sessions: list[dict], zone: ZoneInfo, day: str) -> TextBlock:
    """The band over sessions in parallel: their time, and how many there are."""
    end = max(_moment(s["ends_at"], zone) for s in sessions)
    stack = Stack()
    label = f"{len(sessions)} sessions in parallel"
    baseline = stack.add(
        BODY_X, flow([Span(label, 9, bold=True, color=ACCENT)], BODY_WIDTH - 4), gap=3
    )
    stack.beside(4, baseline, _time_line(_span_of(start, end), 9.5, ACCENT))
    height = stack.y + 3

    def band(canvas: Canvas, top: float) -> None:
        canvas.setFillColor(SHADE)
        canvas.rect(0, top - height, CONTENT_WIDTH, height, stroke=0, fill=1)
        canvas.setFillColor(ACCENT)
        canvas.rect(0, top - height, 2, height, stroke=0, fill=1)

    stack.shape(band, at=0)
    stack.y = height
    return stack.block(2, kind="slot", space_before=10, keep_with_next=True, day=day)


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
    return single(text, size, bold=bold, color=color)


def _session_head(
    session: dict, zone: ZoneInfo, day: str, slot: str | None, count: int, description: bool
) -> TextBlock:
    """A session's kind, room, track, title, description and chairs; `slot` is the time of
    the band over sessions in parallel (None for a session on its own)."""
    parallel = slot is not None
    start, end = _moment(session["starts_at"], zone), _moment(session["ends_at"], zone)
    stack = Stack()
    first = stack.add(BODY_X, flow(_kind_spans(session, parallel), BODY_WIDTH))
    track = _colour(session.get("track_colour")) if session.get("track") else None
    if track is not None:

        def mark(canvas: Canvas, baseline: float) -> None:
            canvas.setFillColor(track)
            canvas.rect(BODY_X - 9, baseline - 0.5, 5, 7, stroke=0, fill=1)

        stack.shape(mark, at=first)
    clock = _span_of(start, end)
    if slot is None:
        stack.beside(0, first, _time_line(clock, 10, ACCENT))
    elif clock != slot:
        # Sessions in parallel share the band's time; one that ends otherwise says so.
        stack.beside(6, first, _time_line(clock, 8.5, MUTED, bold=False))
    stack.add(BODY_X, flow([Span(session.get("title") or "", 11.5, bold=True)], BODY_WIDTH), gap=1)
    if description and (session.get("description") or "").strip():
        text = " ".join(session["description"].split())
        stack.add(BODY_X, clipped(Span(text, 8.5, color=MUTED), BODY_WIDTH, DESCRIPTION_LINES))
    chairs = session.get("chairs") or []
    if chairs:
        label = Span("Chairs: " if len(chairs) > 1 else "Chair: ", 8.5, bold=True, color=MUTED)
        indent = span_width(label, label.text)
        lines = _indent(_people_lines(chairs, 9, BODY_WIDTH - indent), indent)
        if lines:
            lines[0].insert(0, (0.0, label, label.text))
            stack.add(BODY_X, lines, gap=1)
    talks = bool(session.get("talks"))
    return _block(
        stack,
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
) -> TextBlock:
    stack = Stack()
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
    return _block(
        stack,
        "talk",
        pad=3,
        space_before=2,
        day=day,
        continued="Continued: " + " · ".join(p for p in where if p),
        parallel=parallel,
    )


def _pause(session: dict, zone: ZoneInfo, day: str) -> TextBlock:
    start, end = _moment(session["starts_at"], zone), _moment(session["ends_at"], zone)
    stack = Stack()
    spans = [Span(session.get("title") or SESSION_KINDS[session["kind"]], 9.5, color=INK)]
    if session.get("room"):
        spans.append(Span(session["room"], 8.5, color=MUTED, sep="  ·  "))
    first = stack.add(BODY_X, flow(spans, BODY_WIDTH))
    stack.beside(0, first, _time_line(_span_of(start, end), 9, MUTED, bold=False))
    return stack.block(kind="pause", space_before=10, day=day, rule_above=True)


def _empty_notice() -> TextBlock:
    stack = Stack()
    stack.add(0, flow([Span("No sessions are scheduled yet.", 11, color=MUTED)], 400), gap=12)
    return stack.block(kind="empty")


def programme_blocks(
    info: dict, snapshot: dict, *, descriptions: bool = True, abstracts: bool = False
) -> list[Flowable]:
    """The programme as a story of blocks in reading order, a page break before each day."""
    zone = ZoneInfo(snapshot.get("timezone") or info.get("timezone") or "UTC")
    sessions = sorted(snapshot.get("sessions") or [], key=lambda s: _moment(s["starts_at"], zone))
    moments = [_moment(s["starts_at"], zone) for s in sessions]
    blocks: list[Flowable] = [_cover(info, _zone_label(zone, moments))]
    if not sessions:
        return [*blocks, _empty_notice()]

    def local_day(session):
        return _moment(session["starts_at"], zone).date()

    for d, (day, day_sessions) in enumerate(groupby(sessions, key=local_day)):
        day_sessions = list(day_sessions)
        title = _day_title(day)
        if d:
            blocks.append(PageBreak())
        blocks.append(_day_heading(day))
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
                blocks.append(_session_head(session, zone, title, band, len(slot), descriptions))
                talks = sorted(
                    session.get("talks") or [],
                    key=lambda t: (t.get("starts_at") is None, t.get("starts_at") or ""),
                )
                for talk in talks:
                    blocks.append(_talk(talk, session, zone, title, parallel, abstracts))
    return blocks


# Pages -----------------------------------------------------------------------------------


class _Programme(Document):
    """The programme's pages: a hairline between items, a bar joining sessions in parallel."""

    def __init__(self, out: BinaryIO, info: dict, footer: str):
        super().__init__(
            out,
            [page_template("page", (MARGIN, BOTTOM, CONTENT_WIDTH, TOP - BOTTOM), self._page)],
            continued_note=_continued,
            title=f"Programme: {info.get('title') or ''}",
            author=info.get("title") or "",
            subject="Conference programme",
        )
        self.info, self.footer = info, footer

    def afterFlowable(self, flowable):
        previous = self.placed[-1] if self.placed else None
        super().afterFlowable(flowable)
        if self.drawing and isinstance(flowable, TextBlock):
            _decorate(self.canv, flowable, previous)

    def _page(self, canvas: Canvas, document: Document) -> None:
        day = next((b.meta["day"] for b, _ in self.placed if b.meta.get("day")), "")
        _header(canvas, self.info, day, self.page)
        _footer(canvas, self.footer, self.page_number, self.page_count)


def _decorate(canvas: Canvas, block: TextBlock, previous: tuple[TextBlock, float] | None) -> None:
    top = block.top
    if block.meta.get("rule_above") and previous is not None and previous[0].kind != "day":
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        y = top + block.spaceBefore / 2
        canvas.line(MARGIN, y, MARGIN + CONTENT_WIDTH, y)
    if block.meta.get("parallel"):
        # Joined to the band or the session in parallel above it, if on this page.
        joined = previous is not None and (
            previous[0].meta.get("parallel") or previous[0].kind == "slot"
        )
        upper = previous[1] - previous[0].height if joined else top
        bottom = top - block.height
        canvas.setFillColor(RULE)
        canvas.rect(MARGIN, bottom, 2, upper - bottom, stroke=0, fill=1)


def _header(canvas: Canvas, info: dict, day: str, number: int) -> None:
    if number == 1:
        return
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    right_width = text_width(day, 8, bold=True) if day else 0
    room = CONTENT_WIDTH - right_width - 16
    title = info.get("title") or ""
    size = fit_size(title, room, 8, min_size=7)
    canvas.setFillColor(MUTED)
    draw_text(canvas, MARGIN, HEADER_BASELINE, ellipsize(title, room, size), size)
    if day:
        canvas.setFillColor(ACCENT)
        draw_text(canvas, MARGIN + CONTENT_WIDTH, HEADER_BASELINE, day, 8, bold=True, align="right")
    canvas.line(MARGIN, HEADER_BASELINE - 4, MARGIN + CONTENT_WIDTH, HEADER_BASELINE - 4)


def _footer(canvas: Canvas, footer: str, number: int, count: int) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, FOOTER_BASELINE + 9, MARGIN + CONTENT_WIDTH, FOOTER_BASELINE + 9)
    page = f"Page {number} of {count}"
    room = CONTENT_WIDTH - text_width(page, 8) - 16
    size = fit_size(footer, room, 8, min_size=7)
    canvas.setFillColor(MUTED)
    draw_text(canvas, MARGIN, FOOTER_BASELINE, ellipsize(footer, room, size), size)
    draw_text(canvas, MARGIN + CONTENT_WIDTH, FOOTER_BASELINE, page, 8, align="right")


def _footer_text(info: dict, snapshot: dict) -> str:
    zone = ZoneInfo(snapshot.get("timezone") or info.get("timezone") or "UTC")
    moments = [_moment(s["starts_at"], zone) for s in snapshot.get("sessions") or []]
    footer = info.get("title") or ""
    if info.get("version"):
        footer += f" · Programme version {info['version']}"
    return footer + f" · Times: {_zone_label(zone, moments)}"


def paginate(blocks: list[Flowable]) -> list[list[tuple[TextBlock, float]]]:
    """The blocks of each page with the y of their tops, as the PDF places them."""
    return _Programme(io.BytesIO(), {}, "").lay_out(blocks)


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
    story = programme_blocks(info, snapshot, descriptions=descriptions, abstracts=abstracts)
    _Programme(out, info, _footer_text(info, snapshot)).render(story)


def programme_pdf_bytes(info: dict, snapshot: dict, **options) -> bytes:
    """The printed programme as PDF bytes; options as for :func:`programme_pdf`."""
    buffer = io.BytesIO()
    programme_pdf(info, snapshot, buffer, **options)
    return buffer.getvalue()
