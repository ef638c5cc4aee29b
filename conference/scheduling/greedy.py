"""The baseline: what a competent organiser's script does, to measure the solver against.

Tracks by total demand get a home room each, the most wanted track the largest room
(tracks share a room when there are more tracks than rooms). Then talks, the most wanted
first, go to the first session that fits: their track's home room, block by block, then
any other room. It keeps every hard rule and ignores who wants what together.
"""

from __future__ import annotations

from .instance import Instance
from .objective import Assignment


class Sessions:
    """Sessions being filled: minutes used, the track they hold, where each person is."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.minutes: dict[tuple[int, int], int] = {}
        self.track: dict[tuple[int, int], int] = {}
        self.person_room: dict[tuple[int, int], int] = {}

    def fits(self, t: int, b: int, r: int) -> bool:
        """Whether talk t can join session (b, r) without breaking a hard rule."""
        inst = self.inst
        if not inst.allowed(t, b, r):
            return False
        if self.minutes.get((b, r), 0) + inst.talk_minutes[t] > inst.block_minutes[b]:
            return False
        if (
            not inst.mixed_sessions
            and self.track.get((b, r), inst.talk_track[t]) != inst.talk_track[t]
        ):
            return False
        return all(self.person_room.get((p, b), r) == r for p in inst.talk_people[t])

    def add(self, t: int, b: int, r: int) -> None:
        inst = self.inst
        self.minutes[b, r] = self.minutes.get((b, r), 0) + inst.talk_minutes[t]
        self.track[b, r] = inst.talk_track[t]
        for p in inst.talk_people[t]:
            self.person_room[p, b] = r


def sessions_needed(inst: Instance, talks: list[int]) -> int:
    """Sessions a track fills, packing its talks (longest first) into typical blocks."""
    if not talks:
        return 0
    length = sorted(inst.block_minutes)[len(inst.block_minutes) // 2]
    bins: list[int] = []
    for minutes in sorted((inst.talk_minutes[t] for t in talks), reverse=True):
        i = next((i for i, used in enumerate(bins) if used + minutes <= length), None)
        if i is None:
            bins.append(minutes)
        else:
            bins[i] += minutes
    return len(bins)


def home_rooms(inst: Instance) -> tuple[list[int], list[int]]:
    """A room per track, the most wanted tracks the largest rooms with sessions left for
    them; and the sessions each room has to spare once its tracks are in."""
    rooms = sorted(range(inst.n_rooms), key=lambda r: (-inst.room_capacity[r], r))
    spare = [
        sum(1 for b in range(inst.n_blocks) if b not in inst.room_unavailable[r])
        for r in range(inst.n_rooms)
    ]
    track_demand = [sum(inst.demand[t] for t in talks) for talks in inst.track_talks]
    home = [rooms[0]] * len(inst.track_ids)
    for k in sorted(range(len(inst.track_ids)), key=lambda k: (-track_demand[k], k)):
        need = sessions_needed(inst, inst.track_talks[k])
        room = next((r for r in rooms if spare[r] >= need), None)
        if room is None:
            room = max(rooms, key=lambda r: spare[r])
        home[k] = room
        spare[room] -= need
    return home, spare


def greedy(inst: Instance) -> Assignment | None:
    """The baseline schedule, or None when first fit leaves a talk with nowhere to go."""
    assign = first_fit(inst)
    return None if any(s is None for s in assign) else assign


def first_fit(inst: Instance) -> list[tuple[int, int] | None]:
    """The baseline's placements; None for the talks first fit found no place for."""
    assign: list[tuple[int, int] | None] = [None] * inst.n_talks
    if not inst.n_rooms:
        return assign
    home, spare = home_rooms(inst)
    # Away from home, a talk goes first to its track's sessions, then to the rooms with
    # the most sessions to spare, so that it takes no other track's place.
    away = sorted(range(inst.n_rooms), key=lambda r: (-spare[r], -inst.room_capacity[r], r))
    sessions = Sessions(inst)
    order = sorted(
        range(inst.n_talks), key=lambda t: (inst.talk_fixed[t] is None, -inst.demand[t], t)
    )
    blocks = range(inst.n_blocks)
    for t in order:
        if inst.talk_fixed[t] is not None:
            b, r = inst.talk_fixed[t]
            sessions.add(t, b, r)
            assign[t] = (b, r)
            continue
        k = inst.talk_track[t]
        own = [(b, home[k]) for b in blocks]
        joined = [(b, r) for r in away for b in blocks if sessions.track.get((b, r)) == k]
        empty = [(b, r) for r in away for b in blocks if (b, r) not in sessions.track]
        spot = next((s for s in own + joined + empty if sessions.fits(t, *s)), None)
        if spot is None:
            continue
        sessions.add(t, *spot)
        assign[t] = spot
    return assign
