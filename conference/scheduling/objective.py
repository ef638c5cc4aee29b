"""The objective of a placement (FORMAT.md, "Objective"), its hard rules, and solutions.

An assignment is a list with one (block, room) pair of indices per talk. `evaluate` gives
the five terms and their weighted sum, exactly as the reference scorer counts them;
`violations` lists the hard rules an assignment breaks, in words.
"""

from __future__ import annotations

import json

from .instance import SOLUTION_FORMAT, TERMS, Instance, InstanceError

Assignment = list[tuple[int, int]]


def attendee_conflicts(inst: Instance, assign: Assignment) -> int:
    """Sum over attendees and blocks of the rooms of interest beyond the first."""
    total = 0
    for talks in inst.interests:
        if len(talks) < 2:
            continue
        rooms_by_block: dict[int, set[int]] = {}
        for t in talks:
            b, r = assign[t]
            rooms_by_block.setdefault(b, set()).add(r)
        total += sum(len(rooms) - 1 for rooms in rooms_by_block.values())
    return total


def evaluate(inst: Instance, assign: Assignment) -> tuple[dict[str, int], int]:
    """(terms, objective) of a complete assignment."""
    overflow = sum(
        max(0, inst.demand[t] - inst.room_capacity[r]) for t, (_, r) in enumerate(assign)
    )
    track_rooms: list[set[int]] = [set() for _ in inst.track_ids]
    track_blocks: list[set[int]] = [set() for _ in inst.track_ids]
    for t, (b, r) in enumerate(assign):
        track_rooms[inst.talk_track[t]].add(r)
        track_blocks[inst.talk_track[t]].add(b)
    moved = 0
    for t, (block_id, room_id) in inst.previous.items():
        b, r = assign[t]
        moved += inst.block_ids[b] != block_id or inst.room_ids[r] != room_id
    terms = {
        "attendee_conflict": attendee_conflicts(inst, assign),
        "capacity_overflow": overflow,
        "track_rooms": sum(len(rooms) - 1 for rooms in track_rooms if rooms),
        "similar_parallel": sum(
            len(track_blocks[i] & track_blocks[j]) for i, j in inst.similar_pairs
        ),
        "moved": moved,
    }
    return terms, weighted(inst, terms)


def weighted(inst: Instance, terms: dict[str, int]) -> int:
    """The objective: the weighted sum of the terms."""
    return sum(inst.weights[name] * terms[name] for name in TERMS)


def violations(inst: Instance, assign: Assignment) -> list[str]:
    """The hard rules (2 to 6) a complete assignment breaks, one sentence each."""
    out = []
    sessions: dict[tuple[int, int], list[int]] = {}
    for t, session in enumerate(assign):
        sessions.setdefault(session, []).append(t)
    for (b, r), talks in sorted(sessions.items()):
        where = f"{inst.room_ids[r]} in block {inst.block_ids[b]}"
        minutes = sum(inst.talk_minutes[t] for t in talks)
        if minutes > inst.block_minutes[b]:
            out.append(f"{minutes} min of talks in {where}, a {inst.block_minutes[b]}-min block")
        if not inst.mixed_sessions and len({inst.talk_track[t] for t in talks}) > 1:
            out.append(f"talks of several tracks share {where}")
    for p, talks in enumerate(inst.person_talks):
        rooms: dict[int, set[int]] = {}
        for t in talks:
            b, r = assign[t]
            rooms.setdefault(b, set()).add(r)
        for b, rs in rooms.items():
            if len(rs) > 1:
                out.append(
                    f"{inst.person_ids[p]} is due in {len(rs)} rooms in block {inst.block_ids[b]}"
                )
    for t, (b, r) in enumerate(assign):
        if not inst.allowed(t, b, r):
            room, block = inst.room_ids[r], inst.block_ids[b]
            out.append(f"talk {inst.talk_ids[t]} may not run in {room} in block {block}")
    return out


def solution_document(inst: Instance, assign: Assignment, stats: dict | None = None) -> dict:
    """A format-1 solution: placements by block, room, then the instance's talk order."""
    order = sorted(range(inst.n_talks), key=lambda t: (assign[t], t))
    doc = {
        "format": SOLUTION_FORMAT,
        "instance": inst.name,
        "placements": [
            {
                "talk": inst.talk_ids[t],
                "block": inst.block_ids[assign[t][0]],
                "room": inst.room_ids[assign[t][1]],
            }
            for t in order
        ],
    }
    if stats is not None:
        doc["stats"] = stats
    return doc


def solution_text(doc: dict) -> str:
    """A solution document as JSON text with one placement a line (easy to diff)."""
    head = {key: value for key, value in doc.items() if key not in ("placements", "stats")}
    lines = [json.dumps(p, ensure_ascii=False) for p in doc["placements"]]
    text = json.dumps(head, ensure_ascii=False)[:-1]
    text += ',\n "placements": [\n  ' + ",\n  ".join(lines) + "\n ]"
    if "stats" in doc:
        text += ',\n "stats": ' + json.dumps(doc["stats"])
    return text + "\n}\n"


def assignment_from(inst: Instance, placements: list[tuple[str, str, str]]) -> Assignment:
    """The assignment of a complete solution to this instance (every talk, known ids)."""
    assign: list[tuple[int, int] | None] = [None] * inst.n_talks
    for i, (tid, bid, rid) in enumerate(placements):
        where = f"solution.placements[{i}]"
        if tid not in inst.talk_index:
            raise InstanceError(f"{where}.talk", f"unknown talk {tid!r}")
        if bid not in inst.block_index:
            raise InstanceError(f"{where}.block", f"unknown block {bid!r}")
        if rid not in inst.room_index:
            raise InstanceError(f"{where}.room", f"unknown room {rid!r}")
        assign[inst.talk_index[tid]] = (inst.block_index[bid], inst.room_index[rid])
    missing = [inst.talk_ids[t] for t, s in enumerate(assign) if s is None]
    if missing:
        raise InstanceError("solution.placements", f"talks not placed: {', '.join(missing[:10])}")
    return assign
