"""What a schedule leaves, and why: the parts of its objective, item by item.

`explain` lists the attendee conflicts by pair of talks (how many attendees want both,
in different rooms of one block), the talks whose room is too small (demand against
capacity), the tracks split over several rooms, similar tracks in parallel and the
talks moved from the previous schedule; `sentences` says the same in words. Ids are the
instance's; the app puts names and event times on them.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .instance import Instance, parse_instance, parse_solution
from .objective import Assignment, assignment_from, evaluate


def explain(instance: Instance | dict, solution: dict | Assignment, limit: int = 50) -> dict:
    """The objective of a complete schedule, item by item (the `limit` largest of each)."""
    inst = instance if isinstance(instance, Instance) else parse_instance(instance)
    if isinstance(solution, dict):
        assign = assignment_from(inst, parse_solution(solution))
    else:
        assign = list(solution)
    B, R, T = inst.block_ids, inst.room_ids, inst.talk_ids
    terms, objective = evaluate(inst, assign)

    pairs: Counter = Counter()
    for talks in inst.interests:
        by_block: dict[int, list[int]] = defaultdict(list)
        for t in talks:
            by_block[assign[t][0]].append(t)
        for ts in by_block.values():
            for i, t1 in enumerate(ts):
                for t2 in ts[i + 1 :]:
                    if assign[t1][1] != assign[t2][1]:
                        pairs[min(t1, t2), max(t1, t2)] += 1
    conflicts = [
        {
            "talks": [T[t1], T[t2]],
            "block": B[assign[t1][0]],
            "rooms": [R[assign[t1][1]], R[assign[t2][1]]],
            "attendees": n,
        }
        for (t1, t2), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:limit]
    ]

    overflows = sorted(
        (
            {
                "talk": T[t],
                "block": B[b],
                "room": R[r],
                "demand": inst.demand[t],
                "capacity": inst.room_capacity[r],
            }
            for t, (b, r) in enumerate(assign)
            if inst.demand[t] > inst.room_capacity[r]
        ),
        key=lambda o: (o["capacity"] - o["demand"], o["talk"]),
    )[:limit]

    rooms: dict[int, Counter] = defaultdict(Counter)
    blocks: dict[int, set[int]] = defaultdict(set)
    for t, (b, r) in enumerate(assign):
        rooms[inst.talk_track[t]][r] += 1
        blocks[inst.talk_track[t]].add(b)
    split = [
        {
            "track": inst.track_ids[k],
            "rooms": [{"room": R[r], "talks": n} for r, n in used.most_common()],
        }
        for k, used in sorted(rooms.items())
        if len(used) > 1
    ]
    similar = [
        {"tracks": [inst.track_ids[k1], inst.track_ids[k2]], "blocks": [B[b] for b in sorted(both)]}
        for k1, k2 in inst.similar_pairs
        if (both := blocks[k1] & blocks[k2])
    ]
    moved = []
    for t, (bid, rid) in sorted(inst.previous.items()):
        b, r = assign[t]
        if (B[b], R[r]) != (bid, rid):
            moved.append(
                {
                    "talk": T[t],
                    "from": {"block": bid, "room": rid},
                    "to": {"block": B[b], "room": R[r]},
                }
            )
    return {
        "objective": objective,
        "terms": terms,
        "conflicts": conflicts,
        "overflows": overflows,
        "split_tracks": split,
        "similar_parallel": similar,
        "moved": moved,
    }


def sentences(instance: Instance | dict, explanation: dict, limit: int = 10) -> list[str]:
    """The explanation in words, the largest items first."""
    inst = instance if isinstance(instance, Instance) else parse_instance(instance)
    label = dict(zip(inst.block_ids, inst.block_labels, strict=True))
    out = []
    for c in explanation["conflicts"][:limit]:
        a, b = c["talks"]
        ra, rb = c["rooms"]
        people = "attendee wants" if c["attendees"] == 1 else "attendees want"
        out.append(
            f"{c['attendees']} {people} both {a} ({ra}) and {b} ({rb}), "
            f"which run at the same time in {label[c['block']]}."
        )
    for o in explanation["overflows"][:limit]:
        out.append(
            f"{o['talk']} is wanted by {o['demand']} but {o['room']} seats {o['capacity']}, "
            f"in {label[o['block']]}."
        )
    for s in explanation["split_tracks"][:limit]:
        parts = ", ".join(
            f"{x['room']} ({x['talks']} talk{'s' if x['talks'] > 1 else ''})" for x in s["rooms"]
        )
        out.append(f"Track {s['track']} is split over {len(s['rooms'])} rooms: {parts}.")
    for s in explanation["similar_parallel"][:limit]:
        k1, k2 = s["tracks"]
        blocks = ", ".join(label[b] for b in s["blocks"])
        out.append(f"Similar tracks {k1} and {k2} run side by side in {blocks}.")
    for m in explanation["moved"][:limit]:
        out.append(
            f"{m['talk']} moves from {m['from']['room']} in {m['from']['block']} "
            f"to {m['to']['room']} in {m['to']['block']}."
        )
    return out
