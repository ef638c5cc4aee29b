"""Blocks: the time windows in which parallel sessions run side by side.

The editor has no block of its own: organisers place parallel sessions in rooms at times,
and the sessions of one window share its start and end. A block is therefore read from
the parallel sessions: windows that overlap are one block, from the earliest start to the
latest end (so blocks never overlap, as the scheduling format requires). Its id names the
event's day and the local start, ``d1-1330``: stable while the block stays put, and
readable in an exported instance.

Presenters' and rooms' unavailability is stored as the window of the block it was marked
for, and rules out every block that window overlaps: a block moved by a quarter of an
hour keeps it.

``group_windows`` is pure; ``parallel_blocks`` loads the windows.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from conference.agenda.models import AgendaSession
from conference.errors import ValidationError
from conference.extensions import db
from conference.localtime import to_local

PARALLEL = "parallel"


@dataclass(frozen=True)
class Block:
    """One window of parallel sessions; times aware (UTC), ``day`` and ``start`` local."""

    id: str
    starts_at: datetime
    ends_at: datetime
    day: date
    start: str  # "13:30"
    end: str  # "15:00"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def label(self) -> str:
        """'Tue 29 Oct 13:30–15:00', in the event's time."""
        return f"{self.day:%a %d %b} {self.start}–{self.end}"

    def overlaps(self, starts: datetime, ends: datetime) -> bool:
        return self.starts_at < ends and starts < self.ends_at


def block_id(first_day: date, local_start: datetime) -> str:
    """'d2-1000': the event's day (1 = its first) and the local start, as an id."""
    return f"d{(local_start.date() - first_day).days + 1}-{local_start:%H%M}"


def make_block(starts: datetime, ends: datetime, tz, first_day: date) -> Block:
    """The block of one window (aware times), named after its local start."""
    local_start, local_end = to_local(starts, tz), to_local(ends, tz)
    return Block(
        id=block_id(first_day, local_start),
        starts_at=starts,
        ends_at=ends,
        day=local_start.date(),
        start=f"{local_start:%H:%M}",
        end=f"{local_end:%H:%M}",
    )


def group_windows(windows, tz, first_day: date) -> list[Block]:
    """Blocks from (starts, ends) windows (aware): overlapping windows make one block from
    the earliest start to the latest end; in time order. Pure."""
    merged: list[list[datetime]] = []
    for starts, ends in sorted(windows):
        if merged and starts < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], ends)
        else:
            merged.append([starts, ends])
    return [make_block(starts, ends, tz, first_day) for starts, ends in merged]


def block_at(blocks, starts: datetime, ends: datetime) -> Block | None:
    """The block a window (a session, a stored unavailability) overlaps, if any."""
    return next((b for b in blocks if b.overlaps(starts, ends)), None)


def parallel_blocks(event) -> list[Block]:
    """The event's blocks, read from its parallel sessions."""
    windows = db.session.execute(
        select(AgendaSession.starts_at, AgendaSession.ends_at)
        .where(AgendaSession.event_id == event.id, AgendaSession.kind == PARALLEL)
        .distinct()
    ).all()
    return group_windows([tuple(w) for w in windows], event.tz, event.start_date)


def find_block(event, block_id_: str | None) -> Block:
    """The event's block of this id, or a refusal saying the blocks have changed."""
    block = next((b for b in parallel_blocks(event) if b.id == block_id_), None)
    if block is None:
        raise ValidationError(
            "That block of parallel sessions is not on the agenda any more (its sessions "
            "moved or were deleted): reload the page and choose again.",
            field="block",
        )
    return block
