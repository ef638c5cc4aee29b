"""The editor's day grid: one event day as a table of rooms against times.

``build_grid`` is pure (plain values in, a table out); ``day_sessions`` loads a day's
sessions for it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.models import AgendaSession
from conference.agenda.sessions import STEP_MINUTES
from conference.extensions import db
from conference.localtime import day_bounds, to_local


@dataclass
class GridCell:
    """One cell of the grid: empty (a drop target) or holding one or more sessions."""

    room_id: int | None
    starts: str  # event-local "YYYY-MM-DDTHH:MM"
    rowspan: int = 1
    sessions: list = field(default_factory=list)


@dataclass
class GridRow:
    starts: str  # event-local "YYYY-MM-DDTHH:MM"
    label: str  # "09:00" on the hour and half hour, else ""
    cells: list[GridCell] = field(default_factory=list)

    @property
    def time(self) -> str:
        """The row's event-local time, "09:05": its header for screen readers, which read
        it with every cell of the row (the unlabelled rows show it to no one else)."""
        return self.starts[11:16]


@dataclass
class Grid:
    day: date
    columns: list  # (room_id or None, name, capacity)
    rows: list[GridRow]
    step: int


def build_grid(day: date, tz, rooms, sessions, step: int = STEP_MINUTES) -> Grid:
    """One day as a table: rows every ``step`` minutes (at least 08:00–18:00, wider when a
    session needs it), a column per room (and one for sessions without a room), each
    session in a cell spanning its rows. Sessions overlapping in one room share a cell.

    ``rooms`` are (id, name, capacity); ``sessions`` have ``id``, ``room_id``,
    ``starts_at`` and ``ends_at`` (aware). Pure: no database."""
    day_start, day_end = (moment.astimezone(UTC) for moment in day_bounds(day, tz))
    todays = [s for s in sessions if s.starts_at < day_end and s.ends_at > day_start]
    first = datetime.combine(day, time(8), tz).astimezone(UTC)
    last = datetime.combine(day, time(18), tz).astimezone(UTC)
    for s in todays:
        first = min(first, max(s.starts_at, day_start))
        last = max(last, min(s.ends_at, day_end))
    # Whole hours of local time at both ends.
    local_first = first.astimezone(tz)
    first = first - timedelta(minutes=local_first.minute, seconds=local_first.second)
    local_last = last.astimezone(tz)
    if local_last.minute or local_last.second:
        last = last + timedelta(minutes=60 - local_last.minute, seconds=-local_last.second)
    first, last = max(first, day_start), min(last, day_end)
    minutes = int((last - first).total_seconds() // 60)
    count = -(-minutes // step)
    times = [first + timedelta(minutes=step * n) for n in range(count)]

    columns = [(r[0], r[1], r[2]) for r in rooms]
    known = {r[0] for r in rooms}
    if any(s.room_id not in known for s in todays):
        columns.append((None, "No room", None))

    def row_of(moment: datetime, up: bool) -> int:
        offset = (moment - first).total_seconds() / 60 / step
        whole = int(offset)
        if up and offset > whole:
            whole += 1
        return max(0, min(count, whole))

    # Sessions of each column, grouped where they overlap: (first row, end row, sessions).
    groups: dict = defaultdict(list)
    for s in sorted(todays, key=lambda s: (s.starts_at, s.ends_at, s.id)):
        room = s.room_id if s.room_id in known else None
        top, bottom = row_of(s.starts_at, False), row_of(s.ends_at, True)
        bottom = max(bottom, top + 1)
        column = groups[room]
        if column and top < column[-1][1]:
            column[-1][1] = max(column[-1][1], bottom)
            column[-1][2].append(s)
        else:
            column.append([top, bottom, [s]])

    def stamp(moment: datetime) -> str:
        return f"{to_local(moment, tz):%Y-%m-%dT%H:%M}"

    rows = []
    starts_of = {room_id: {g[0]: g for g in groups[room_id]} for room_id, _, _ in columns}
    covered: dict = {room_id: 0 for room_id, _, _ in columns}  # rows still under a cell
    for n, moment in enumerate(times):
        local = to_local(moment, tz)
        row = GridRow(stamp(moment), f"{local:%H:%M}" if local.minute % 30 == 0 else "")
        for room_id, _, _ in columns:
            group = starts_of[room_id].get(n)
            if group is not None:
                rowspan = group[1] - group[0]
                row.cells.append(GridCell(room_id, row.starts, rowspan, group[2]))
                covered[room_id] = rowspan - 1
            elif covered[room_id]:
                covered[room_id] -= 1
            else:
                row.cells.append(GridCell(room_id, row.starts))
        rows.append(row)
    return Grid(day, columns, rows, step)


def day_sessions(event, day: date) -> list[AgendaSession]:
    """The sessions of one event day (those overlapping it), with room, track, talks."""
    start, end = day_bounds(day, event.tz)
    return db.session.scalars(
        select(AgendaSession)
        .where(
            AgendaSession.event_id == event.id,
            AgendaSession.starts_at < end,
            AgendaSession.ends_at > start,
        )
        .options(
            selectinload(AgendaSession.room),
            selectinload(AgendaSession.track),
            selectinload(AgendaSession.talks),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
