"""What a proposal of parallel sessions must respect besides the talks: the blocks a
presenter cannot make, the blocks in which a room cannot be used, and the tracks not to
run side by side.

Plain functions over the models, no Flask: they validate, change, flush and never commit.
Organisers mark any of them; a presenter marks their own blocks on their paper's page
(``may_mark_own_blocks``). A presenter's unavailability is theirs, not one talk's: it
holds for every talk they present.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.blocks import Block, block_at
from conference.agenda.models import (
    PresenterUnavailability,
    Room,
    RoomUnavailability,
    SimilarTracks,
    Talk,
    Track,
    talk_presenter,
)
from conference.agenda.rows import get_by_id, of_event, one_line
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.papers.models import Paper, PaperStatus
from conference.registration.models import Registration

REASON_LIMIT = 200


def _reason(text: str | None) -> str:
    reason = one_line(text)
    if not reason:
        raise ValidationError(
            "Say why, in a few words (arriving late, another duty, set up for the dinner…).",
            field="reason",
        )
    if len(reason) > REASON_LIMIT:
        raise ValidationError(f"Keep the reason under {REASON_LIMIT} characters.", field="reason")
    return reason


def _overlapping(model, owner_column, owner_id: int, block: Block):
    """The rows of ``model`` (presenters' or rooms' unavailability) of this owner that
    overlap the block."""
    return select(model).where(
        owner_column == owner_id, model.starts_at < block.ends_at, model.ends_at > block.starts_at
    )


def _mark(query, new_row, block: Block, reason: str):
    """Mark the block with this reason: the first overlapping row is kept (a new one when
    there is none), any other goes."""
    rows = db.session.scalars(query).all()
    row = rows[0] if rows else new_row()
    for stale in rows[1:]:
        db.session.delete(stale)
    row.starts_at, row.ends_at, row.reason = block.starts_at, block.ends_at, reason
    db.session.add(row)
    db.session.flush()
    return row


def _unmark(query) -> bool:
    """Delete the overlapping rows; False when there were none."""
    rows = db.session.scalars(query).all()
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    return bool(rows)


def _forget(event, model, row_id, name_of) -> str:
    """Delete one stored row of this event by id; the name of whom or what it was for."""
    row = of_event(event, get_by_id(model, row_id))
    if row is None:
        raise NotFound("That unavailable block is not marked any more.")
    name = name_of(row)
    db.session.delete(row)
    db.session.flush()
    return name


# Presenters ------------------------------------------------------------------------------


def may_mark_own_blocks(registration: Registration, paper: Paper) -> bool:
    """Whether this delegate marks, on this paper's page, the blocks they cannot make: they
    present its talk (the paper is accepted)."""
    talk = paper.talk
    return (
        paper.status == PaperStatus.ACCEPTED
        and talk is not None
        and any(p.id == registration.id for p in talk.presenters)
    )


def _of_presenter(registration: Registration, block: Block):
    return _overlapping(
        PresenterUnavailability, PresenterUnavailability.registration_id, registration.id, block
    )


def mark_presenter_unavailable(
    event, registration: Registration, block: Block, reason: str
) -> PresenterUnavailability:
    """The presenter cannot make this block; marking it again changes the reason."""
    if registration.event_id != event.id:
        raise ValidationError("Choose a delegate of this event.", field="registration_id")
    reason = _reason(reason)
    return _mark(
        _of_presenter(registration, block),
        lambda: PresenterUnavailability(event_id=event.id, registration_id=registration.id),
        block,
        reason,
    )


def mark_presenter_available(event, registration: Registration, block: Block) -> bool:
    """The presenter can make this block after all; False when it was not marked."""
    return _unmark(_of_presenter(registration, block))


def forget_presenter_block(event, row_id) -> str:
    """Delete one of the presenters' unavailable blocks (by row); returns the presenter's
    name. NotFound for another event's row."""
    return _forget(event, PresenterUnavailability, row_id, lambda r: r.registration.display_name)


def presenter_unavailability(event) -> list[PresenterUnavailability]:
    """Every presenter's unavailable blocks, by time then name."""
    return db.session.scalars(
        select(PresenterUnavailability)
        .where(PresenterUnavailability.event_id == event.id)
        .options(selectinload(PresenterUnavailability.registration))
        .order_by(PresenterUnavailability.starts_at, PresenterUnavailability.id)
    ).all()


def own_blocks(registration: Registration, blocks: list[Block]) -> dict[str, str]:
    """The blocks this presenter cannot make: {block id: reason}."""
    rows = db.session.scalars(
        select(PresenterUnavailability).where(
            PresenterUnavailability.registration_id == registration.id
        )
    ).all()
    marked = {}
    for row in rows:
        for block in blocks:
            if block.overlaps(row.starts_at, row.ends_at):
                marked[block.id] = row.reason
    return marked


def presenter_ids(event) -> list[int]:
    """Registrations presenting a talk of the event (placed or not), to offer first."""
    return db.session.scalars(
        select(talk_presenter.c.registration_id)
        .join(Talk, Talk.id == talk_presenter.c.talk_id)
        .where(Talk.event_id == event.id)
        .distinct()
    ).all()


# Rooms -----------------------------------------------------------------------------------


def _of_room(room: Room, block: Block):
    return _overlapping(RoomUnavailability, RoomUnavailability.room_id, room.id, block)


def mark_room_unavailable(event, room: Room, block: Block, reason: str) -> RoomUnavailability:
    """The room cannot be used in this block; marking it again changes the reason."""
    if room.event_id != event.id:
        raise ValidationError("Choose a room of this event.", field="room_id")
    reason = _reason(reason)
    return _mark(
        _of_room(room, block),
        lambda: RoomUnavailability(event_id=event.id, room_id=room.id),
        block,
        reason,
    )


def mark_room_available(event, room: Room, block: Block) -> bool:
    """The room can be used in this block after all; False when it was not marked."""
    return _unmark(_of_room(room, block))


def forget_room_block(event, row_id) -> str:
    """Delete one of the rooms' unavailable blocks (by row); returns the room's name."""
    return _forget(event, RoomUnavailability, row_id, lambda r: r.room.name)


def room_unavailability(event) -> list[RoomUnavailability]:
    """Every room's unavailable blocks, by time then room."""
    return db.session.scalars(
        select(RoomUnavailability)
        .where(RoomUnavailability.event_id == event.id)
        .options(selectinload(RoomUnavailability.room))
        .order_by(RoomUnavailability.starts_at, RoomUnavailability.room_id)
    ).all()


@dataclass
class Marked:
    """A stored unavailability as the organisers' page lists it."""

    row: object
    block: Block | None  # None: no block of the agenda overlaps it any more


def with_blocks(rows, blocks: list[Block]) -> list[Marked]:
    """Each row with the block it rules out today."""
    return [Marked(row, block_at(blocks, row.starts_at, row.ends_at)) for row in rows]


# Similar tracks --------------------------------------------------------------------------


def _pair(event, track: Track | None, other: Track | None) -> tuple[int, int]:
    if track is None or other is None or track.event_id != event.id or other.event_id != event.id:
        raise ValidationError("Choose two tracks of this event.", field="track_id")
    if track.id == other.id:
        raise ValidationError("Choose two different tracks.", field="other_track_id")
    return min(track.id, other.id), max(track.id, other.id)


def mark_similar(event, track: Track | None, other: Track | None) -> bool:
    """These two tracks are best not run side by side; False when they were marked so."""
    first, second = _pair(event, track, other)
    if db.session.get(SimilarTracks, (first, second)) is not None:
        return False
    db.session.add(SimilarTracks(event_id=event.id, track_id=first, other_track_id=second))
    db.session.flush()
    return True


def unmark_similar(event, track: Track | None, other: Track | None) -> bool:
    """The two tracks may run side by side again; False when they were not marked."""
    first, second = _pair(event, track, other)
    row = db.session.get(SimilarTracks, (first, second))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def similar_pairs(event) -> list[tuple[Track, Track]]:
    """The event's similar tracks, as pairs of tracks by name."""
    rows = db.session.scalars(select(SimilarTracks).where(SimilarTracks.event_id == event.id))
    tracks = {t.id: t for t in db.session.scalars(select(Track).where(Track.event_id == event.id))}
    pairs = [
        tuple(sorted((tracks[r.track_id], tracks[r.other_track_id]), key=lambda t: t.name))
        for r in rows
    ]
    return sorted(pairs, key=lambda p: (p[0].name, p[1].name))
