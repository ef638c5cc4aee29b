"""The format's six hard rules (FORMAT.md, "Hard rules"), checked on placements, in words.

One checker for everything that reads a schedule: the solver's own tests of what it
returns, the CLI, and the agenda when it reads a solution into the draft. Placements are
(talk, block, room) ids, as a solution document lists them, so a solution that names
unknown ids, leaves a talk out or places one twice is checked too (rule 1). ``names``
(id → name) words the sentences with the names an organiser knows; the ids otherwise.
The tests check it against the reference scorer, ``score.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .instance import Instance


@dataclass
class Violation:
    """One broken rule (1 to 6, as FORMAT.md numbers them), a sentence, the talks involved."""

    rule: int
    message: str
    talks: list[str] = field(default_factory=list)


def attendee_conflicts(places: Iterable[tuple]) -> int:
    """The format's ``attendee_conflict`` term from (attendee, block, room) triples, one per
    talk an attendee wants where it is placed: for each attendee and block, every room of
    interest beyond the first."""
    rooms: dict = defaultdict(set)
    for attendee, block, room in places:
        rooms[attendee, block].add(room)
    return sum(len(r) - 1 for r in rooms.values())


def check(
    inst: Instance, placements: Iterable[tuple[str, str, str]], names: dict | None = None
) -> list[Violation]:
    """The hard rules ``placements`` break in ``inst``, rule by rule; empty when it keeps
    them all."""
    names = names or {}

    def name(key: str) -> str:
        return names.get(key, key)

    def quoted(talks: Iterable[int]) -> str:
        return ", ".join(f"“{name(inst.talk_ids[t])}”" for t in talks)

    def ids(talks: Iterable[int]) -> list[str]:
        return [inst.talk_ids[t] for t in talks]

    found: list[Violation] = []
    where: dict[int, tuple[int, int]] = {}
    count = [0] * inst.n_talks
    for tid, bid, rid in placements:
        t = inst.talk_index.get(tid)
        if t is None:
            found.append(Violation(1, f"“{tid}” is no talk of the instance.", [tid]))
            continue
        count[t] += 1
        b, r = inst.block_index.get(bid), inst.room_index.get(rid)
        if b is None:
            found.append(
                Violation(1, f"{quoted([t])} is placed in an unknown block “{bid}”.", [tid])
            )
        if r is None:
            found.append(
                Violation(1, f"{quoted([t])} is placed in an unknown room “{rid}”.", [tid])
            )
        if b is not None and r is not None and t not in where:
            where[t] = (b, r)
    for t, n in enumerate(count):
        if n == 0:
            found.append(Violation(1, f"{quoted([t])} is not placed.", ids([t])))
        elif n > 1:
            found.append(Violation(1, f"{quoted([t])} is placed {n} times.", ids([t])))

    sessions: dict[tuple[int, int], list[int]] = defaultdict(list)
    for t, place in sorted(where.items()):
        sessions[place].append(t)
    for (b, r), talks in sorted(sessions.items()):
        session = f"{name(inst.room_ids[r])}, {name(inst.block_ids[b])}"
        minutes = sum(inst.talk_minutes[t] for t in talks)
        if minutes > inst.block_minutes[b]:
            found.append(
                Violation(
                    2,
                    f"{session}: {minutes} minutes of talks in a {inst.block_minutes[b]}-minute "
                    f"session ({quoted(talks)}).",
                    ids(talks),
                )
            )
        tracks = sorted({inst.track_ids[inst.talk_track[t]] for t in talks})
        if not inst.mixed_sessions and len(tracks) > 1:
            found.append(
                Violation(
                    3,
                    f"{session}: the tracks {', '.join(name(k) for k in tracks)} share one "
                    f"session ({quoted(talks)}).",
                    ids(talks),
                )
            )

    for p, talks in enumerate(inst.person_talks):
        held: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for t in talks:
            if t in where:
                b, r = where[t]
                held[b].add((r, t))
        for b, pairs in sorted(held.items()):
            if len({r for r, _ in pairs}) > 1:
                both = sorted(t for _, t in pairs)
                found.append(
                    Violation(
                        4,
                        f"{name(inst.person_ids[p])} is due in two rooms at once, "
                        f"{name(inst.block_ids[b])} ({quoted(both)}).",
                        ids(both),
                    )
                )

    for t, (b, r) in sorted(where.items()):
        block = name(inst.block_ids[b])
        if b in inst.talk_unavailable[t]:
            found.append(Violation(5, f"{quoted([t])} cannot run in {block}.", ids([t])))
        for p in inst.talk_people[t]:
            if b in inst.person_unavailable[p]:
                found.append(
                    Violation(
                        5,
                        f"{name(inst.person_ids[p])} cannot make {block} ({quoted([t])}).",
                        ids([t]),
                    )
                )
        if b in inst.room_unavailable[r]:
            found.append(
                Violation(
                    5,
                    f"{name(inst.room_ids[r])} cannot be used in {block} ({quoted([t])}).",
                    ids([t]),
                )
            )
    for t, fixed in enumerate(inst.talk_fixed):
        if fixed is None or not count[t] or where.get(t) == fixed:
            continue
        fb, fr = fixed
        kept = f"{quoted([t])} is kept in {name(inst.room_ids[fr])}, {name(inst.block_ids[fb])}"
        # placed where nothing exists: the rule-1 sentence says where; this one what is kept
        found.append(Violation(6, kept + (", and may not move." if t in where else "."), ids([t])))
    found.sort(key=lambda v: v.rule)
    return found
