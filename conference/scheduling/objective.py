"""The objective of a placement (FORMAT.md, "Objective"), its hard rules, and solutions.

An assignment is a list with one (block, room) pair of indices per talk. `evaluate` gives
the five terms and their weighted sum, exactly as the reference scorer counts them;
`violations` lists the hard rules an assignment breaks, in words (rules.py checks them).
"""

from __future__ import annotations

import json

from . import rules
from .instance import SOLUTION_FORMAT, TERMS, Instance, InstanceError

Assignment = list[tuple[int, int]]


def attendee_conflicts(inst: Instance, assign: Assignment) -> int:
    """Sum over attendees and blocks of the rooms of interest beyond the first."""
    return rules.attendee_conflicts(
        (a, *assign[t]) for a, talks in enumerate(inst.interests) for t in talks
    )


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


def placements_of(inst: Instance, assign: Assignment) -> list[tuple[str, str, str]]:
    """The (talk, block, room) ids of an assignment, in the instance's talk order."""
    return [
        (inst.talk_ids[t], inst.block_ids[b], inst.room_ids[r]) for t, (b, r) in enumerate(assign)
    ]


def violations(inst: Instance, assign: Assignment) -> list[str]:
    """The hard rules an assignment breaks, one sentence each (see rules.check)."""
    return [v.message for v in rules.check(inst, placements_of(inst, assign))]


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
