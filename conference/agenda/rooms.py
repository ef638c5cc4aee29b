"""Rooms and tracks: where sessions are held and the themes that group them.

Plain functions over the models, no Flask: they validate, change, flush and never commit.
"""

import re

from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, Room, Track
from conference.agenda.rows import found, get_by_id, of_event, required_line
from conference.errors import ValidationError
from conference.extensions import db

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def rooms_of(event) -> list[Room]:
    """The event's rooms in their order on the grid."""
    return db.session.scalars(
        select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.name, Room.id)
    ).all()


def tracks_of(event) -> list[Track]:
    """The event's tracks by name."""
    return db.session.scalars(
        select(Track).where(Track.event_id == event.id).order_by(Track.name, Track.id)
    ).all()


def _refuse_taken_name(event, model, row, name: str, what: str) -> None:
    """Refuse ``name`` when another row of ``model`` in the event has it, in any case;
    ``row`` is the one being changed (None for a new one)."""
    taken = db.session.scalar(
        select(model.id).where(
            model.event_id == event.id,
            func.lower(model.name) == name.lower(),
            model.id != (row.id if row else -1),
        )
    )
    if taken:
        raise ValidationError(f"There is already a {what} called “{name}”.", field="name")


def save_room(
    event, room: Room | None, name: str, capacity: int | None, notes: str = "", position: int = 0
) -> Room:
    """Create or change a room; names are unique within the event."""
    name = required_line(name, "room", "name", most=100)
    if capacity is not None and capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    _refuse_taken_name(event, Room, room, name, "room")
    if room is None:
        room = Room(event_id=event.id)
        db.session.add(room)
    room.name, room.capacity, room.position = name, capacity, position or 0
    room.notes = (notes or "").strip()
    db.session.flush()
    return room


def delete_room(event, room: Room) -> None:
    """Delete a room; refused while sessions are in it, so none loses its place silently."""
    count = db.session.scalar(
        select(func.count(AgendaSession.id)).where(AgendaSession.room_id == room.id)
    )
    if count:
        raise ValidationError(
            f"“{room.name}” still holds {count} session(s): move them to another room or "
            "delete them first."
        )
    db.session.delete(room)
    db.session.flush()


def save_track(event, track: Track | None, name: str, colour: str) -> Track:
    """Create or change a track; names are unique within the event, colours are #rrggbb."""
    name = required_line(name, "track", "name", most=100)
    if not COLOUR.match(colour or ""):
        raise ValidationError("Give the colour as #rrggbb.", field="colour")
    _refuse_taken_name(event, Track, track, name, "track")
    if track is None:
        track = Track(event_id=event.id)
        db.session.add(track)
    track.name, track.colour = name, colour.lower()
    db.session.flush()
    return track


def delete_track(event, track: Track) -> int:
    """Delete a track; its sessions stay, without a track. Returns how many there were."""
    sessions = db.session.scalars(
        select(AgendaSession).where(AgendaSession.track_id == track.id)
    ).all()
    for session in sessions:
        session.track = None
    db.session.delete(track)
    db.session.flush()
    return len(sessions)


def get_room(event, room_id) -> Room | None:
    """A room of this event, or None (also for another event's room, or a bad id)."""
    return of_event(event, get_by_id(Room, room_id))


def get_track(event, track_id) -> Track | None:
    """A track of this event, or None (also for another event's track, or a bad id)."""
    return of_event(event, get_by_id(Track, track_id))


def find_room(event, room_id) -> Room:
    """A room of this event, or NotFound."""
    return found(get_room(event, room_id), "room")


def find_track(event, track_id) -> Track:
    """A track of this event, or NotFound."""
    return found(get_track(event, track_id), "track")
