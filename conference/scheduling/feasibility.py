"""Why no valid schedule exists, in words; and what any schedule must at least cost.

`diagnose` runs the quick checks that prove an instance infeasible and says which talk
fits no block and why (its presenter is unavailable in every block, every block is too
short, two talks of one presenter need blocks that are not there, the tracks need more
sessions than exist). When CP-SAT proves infeasibility that these checks missed,
`explain_infeasible` asks it for a set of talks that cannot all be placed together.
`lower_bound` is a proven lower bound on the objective, cheap to compute.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from .instance import Instance


def _names(ids: list[str], limit: int = 8) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def talk_blocks(inst: Instance, t: int) -> list[int]:
    """The blocks where talk t can run, alone, in some room."""
    return [
        b for b in range(inst.n_blocks) if any(inst.allowed(t, b, r) for r in range(inst.n_rooms))
    ]


def why_nowhere(inst: Instance, t: int) -> str:
    """Why talk t can run in no block, in words."""
    tid = inst.talk_ids[t]
    if not inst.n_blocks or not inst.n_rooms:
        missing = "blocks" if not inst.n_blocks else "rooms"
        return f"Talk {tid} has nowhere to go: the instance has no {missing}."
    because: dict[str, list[str]] = defaultdict(list)
    for b in range(inst.n_blocks):
        label = inst.block_ids[b]
        people = [
            inst.person_ids[p] for p in inst.talk_people[t] if b in inst.person_unavailable[p]
        ]
        if b in inst.talk_unavailable[t]:
            because["the talk itself is marked unavailable"].append(label)
        elif people:
            because[f"{_names(people)} cannot make it"].append(label)
        elif inst.talk_minutes[t] > inst.block_minutes[b]:
            because[f"the block is too short ({inst.block_minutes[b]} min)"].append(label)
        elif all(b in inst.room_unavailable[r] for r in range(inst.n_rooms)):
            because["no room is available"].append(label)
    everywhere = [reason for reason, blocks in because.items() if len(blocks) == inst.n_blocks]
    if everywhere:
        return (
            f"Talk {tid} ({inst.talk_minutes[t]} min) fits no block: "
            f"{everywhere[0]} in every block."
        )
    parts = "; ".join(f"{_names(blocks)}: {reason}" for reason, blocks in because.items())
    return f"Talk {tid} ({inst.talk_minutes[t]} min) fits no block. {parts}."


def _matching(groups: dict[int, set[int]]) -> list[int]:
    """Groups left without a block of their own (Kuhn's augmenting paths)."""
    owner: dict[int, int] = {}

    def place(g: int, seen: set[int]) -> bool:
        for b in sorted(groups[g]):
            if b in seen:
                continue
            seen.add(b)
            if b not in owner or place(owner[b], seen):
                owner[b] = g
                return True
        return False

    return [g for g in groups if not place(g, set())]


def diagnose(inst: Instance) -> list[str]:
    """Reasons, in words, why no valid schedule can exist (empty when none is found)."""
    reasons = []
    blocks_of = [talk_blocks(inst, t) for t in range(inst.n_talks)]
    for t, blocks in enumerate(blocks_of):
        if not blocks:
            reasons.append(why_nowhere(inst, t))
    if reasons:
        return reasons
    if not inst.mixed_sessions:
        # One person's talks of different tracks need different blocks (rule 4 keeps
        # them in one room, rule 3 keeps one track per session).
        for p, talks in enumerate(inst.person_talks):
            tracks: dict[int, set[int]] = defaultdict(set)
            for t in talks:
                tracks[inst.talk_track[t]].update(blocks_of[t])
            if len(tracks) < 2:
                continue
            if _matching(dict(tracks)):
                usable = sorted(set().union(*tracks.values()))
                reasons.append(
                    f"{inst.person_ids[p]} gives talks in {len(tracks)} tracks "
                    f"({_names([inst.talk_ids[t] for t in talks])}), which must be in different "
                    f"blocks, but can only be placed in {len(usable)} block(s) "
                    f"({_names([inst.block_ids[b] for b in usable])})."
                )
        sessions = sum(
            1
            for b in range(inst.n_blocks)
            for r in range(inst.n_rooms)
            if b not in inst.room_unavailable[r]
        )
        need = sum(sessions_at_least(inst, talks) for talks in inst.track_talks)
        if need > sessions:
            reasons.append(
                f"The tracks need at least {need} sessions (one track per session), "
                f"but the blocks and rooms make only {sessions}."
            )
    available = sum(
        inst.block_minutes[b]
        for b in range(inst.n_blocks)
        for r in range(inst.n_rooms)
        if b not in inst.room_unavailable[r]
    )
    total = sum(inst.talk_minutes)
    if total > available:
        reasons.append(
            f"The talks last {total} min in all, but the sessions hold only {available} min."
        )
    return reasons


def sessions_at_least(inst: Instance, talks: list[int]) -> int:
    """A proven lower bound on the sessions a track's talks fill."""
    if not talks or not inst.block_minutes:
        return 0
    longest = max(inst.block_minutes)
    minutes = {inst.talk_minutes[t] for t in talks}
    if len(minutes) == 1:
        (m,) = minutes
        per_session = longest // m
        return math.ceil(len(talks) / per_session) if per_session else len(talks)
    return math.ceil(sum(inst.talk_minutes[t] for t in talks) / longest)


def lower_bound(inst: Instance) -> int:
    """A proven lower bound on the objective: the part of each term no schedule avoids."""
    w = inst.weights
    bound = 0
    # A talk whose previous session is gone, or no longer allowed, moves.
    for t, (bid, rid) in inst.previous.items():
        b, r = inst.block_index.get(bid), inst.room_index.get(rid)
        if b is None or r is None or not inst.allowed(t, b, r):
            bound += w["moved"]
    # A talk wanted by more people than the largest room it can use holds.
    for t in range(inst.n_talks):
        rooms = [
            inst.room_capacity[r]
            for b in range(inst.n_blocks)
            for r in range(inst.n_rooms)
            if inst.allowed(t, b, r)
        ]
        if rooms:
            bound += w["capacity_overflow"] * max(0, inst.demand[t] - max(rooms))
    # A track with more sessions than a room has blocks uses several rooms.
    if not inst.mixed_sessions:
        most = max(
            (
                sum(1 for b in range(inst.n_blocks) if b not in inst.room_unavailable[r])
                for r in range(inst.n_rooms)
            ),
            default=0,
        )
        if most:
            for talks in inst.track_talks:
                need = sessions_at_least(inst, talks)
                if need:
                    bound += w["track_rooms"] * (math.ceil(need / most) - 1)
    return bound


def explain_infeasible(inst: Instance, talks: list[int] | None, seconds: float = 20.0) -> list[str]:
    """Why CP-SAT found no valid schedule: the checks above, else a set of talks that
    cannot all be placed together (from CP-SAT's assumptions)."""
    if talks:
        reasons = [why_nowhere(inst, t) for t in talks if not talk_blocks(inst, t)]
        if reasons:
            return reasons
    reasons = diagnose(inst)
    if reasons:
        return reasons
    from .model import build  # the model imports nothing from here

    sub = build(inst, None, list(range(inst.n_talks)), assumptions=True)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(sub.model)
    if status != cp_model.INFEASIBLE:
        return ["No valid schedule was found, but none was proven impossible in the time given."]
    core = sorted(sub.placed[i] for i in solver.sufficient_assumptions_for_infeasibility())
    lines = []
    for t in core[:12]:
        blocks = [inst.block_ids[b] for b in talk_blocks(inst, t)]
        people = ", ".join(inst.person_ids[p] for p in inst.talk_people[t])
        lines.append(
            f"{inst.talk_ids[t]} ({inst.track_ids[inst.talk_track[t]]}, {inst.talk_minutes[t]} min"
            + (f", {people}" if people else "")
            + f"; possible blocks: {_names(blocks)})"
        )
    more = f" and {len(core) - 12} more" if len(core) > 12 else ""
    return [
        f"These {len(core)} talks cannot all be placed together (blocks, rooms, tracks and "
        f"presenters leave no valid arrangement): " + "; ".join(lines) + more + "."
    ]
