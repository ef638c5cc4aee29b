"""The scheduling format's hard rules, and its attendee term, over plain data (pure).

Format 1 (``../shared/standards/schedule/FORMAT.md``, whose ``score.py`` is the reference)
describes the problem of placing talks into parallel sessions. The agenda reads a solution
into the draft only when it keeps every hard rule of the instance it answers; this module
says which it breaks, in words, with the names an organiser knows (``names``: id → name).
The tests check it against ``score.py``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from conference.errors import ValidationError

SOLUTION_FORMAT = "conference-schedule-solution/1"


@dataclass
class Violation:
    rule: int
    message: str
    talks: list = field(default_factory=list)


def read_placements(solution, instance_name: str) -> list[tuple[str, str, str]]:
    """A solution document's placements as (talk, block, room) ids; refused, saying what is
    wrong, when it does not follow format 1 or answers another instance."""
    if not isinstance(solution, dict):
        raise ValidationError("The solution is not a JSON object.")
    if solution.get("format") != SOLUTION_FORMAT:
        raise ValidationError(f"The solution's “format” must be “{SOLUTION_FORMAT}”.")
    name = solution.get("instance")
    if not isinstance(name, str) or not name:
        raise ValidationError("The solution does not say which instance it answers (“instance”).")
    if name != instance_name:
        raise ValidationError(f"The solution answers the instance “{name}”, not “{instance_name}”.")
    placements = solution.get("placements")
    if not isinstance(placements, list):
        raise ValidationError("The solution's “placements” must be a list.")
    found = []
    for n, placement in enumerate(placements):
        if not isinstance(placement, dict):
            raise ValidationError(f"placements[{n}] is not an object.")
        values = tuple(placement.get(k) for k in ("talk", "block", "room"))
        if not all(isinstance(v, str) and v for v in values):
            raise ValidationError(
                f"placements[{n}] needs a “talk”, a “block” and a “room”, each a non-empty string."
            )
        found.append(values)
    return found


def attendee_conflicts(places) -> int:
    """The format's ``attendee_conflict`` term from (attendee, block, room) triples, one
    per talk an attendee wants where it is placed: for each attendee and block, every room
    of interest beyond the first."""
    rooms: dict = defaultdict(set)
    for attendee, block, room in places:
        rooms[attendee, block].add(room)
    return sum(len(r) - 1 for r in rooms.values())


def _ids(items) -> set:
    return {item["id"] for item in items}


def check_placements(instance: dict, placements, names: dict | None = None) -> list[Violation]:
    """The hard rules ``placements`` break in ``instance`` (a format-1 document as this app
    writes it: well formed, every reference known); an empty list when it keeps them all."""
    names = names or {}

    def name(key: str) -> str:
        return names.get(key, key)

    def quoted(talk_ids) -> str:
        return ", ".join(f"“{name(t)}”" for t in talk_ids)

    blocks = {b["id"]: b for b in instance["blocks"]}
    rooms = {r["id"]: r for r in instance["rooms"]}
    talks = {t["id"]: t for t in instance["talks"]}
    people = {p["id"]: set(p.get("unavailable", ())) for p in instance.get("people", ())}
    mixed = instance.get("mixed_sessions", False)
    found: list[Violation] = []

    where: dict[str, tuple[str, str]] = {}
    count: dict[str, int] = defaultdict(int)
    for talk, block, room in placements:
        if talk not in talks:
            found.append(Violation(1, f"“{talk}” is no talk of the instance.", [talk]))
            continue
        count[talk] += 1
        if block not in blocks:
            found.append(
                Violation(1, f"{quoted([talk])} is placed in an unknown block “{block}”.", [talk])
            )
        if room not in rooms:
            found.append(
                Violation(1, f"{quoted([talk])} is placed in an unknown room “{room}”.", [talk])
            )
        if block in blocks and room in rooms and talk not in where:
            where[talk] = (block, room)
    for talk in talks:
        if count[talk] == 0:
            found.append(Violation(1, f"{quoted([talk])} is not placed.", [talk]))
        elif count[talk] > 1:
            found.append(Violation(1, f"{quoted([talk])} is placed {count[talk]} times.", [talk]))

    sessions: dict = defaultdict(list)
    for talk, place in where.items():
        sessions[place].append(talk)
    for (block, room), ids in sorted(sessions.items()):
        minutes = sum(talks[t]["minutes"] for t in ids)
        if minutes > blocks[block]["minutes"]:
            found.append(
                Violation(
                    2,
                    f"{name(room)}, {name(block)}: {minutes} minutes of talks in a "
                    f"{blocks[block]['minutes']}-minute session ({quoted(ids)}).",
                    ids,
                )
            )
        tracks = sorted({talks[t]["track"] for t in ids})
        if not mixed and len(tracks) > 1:
            found.append(
                Violation(
                    3,
                    f"{name(room)}, {name(block)}: the tracks "
                    + ", ".join(name(k) for k in tracks)
                    + f" share one session ({quoted(ids)}).",
                    ids,
                )
            )
    by_person: dict = defaultdict(lambda: defaultdict(set))
    for talk, (block, room) in where.items():
        for person in talks[talk].get("people", ()):
            by_person[person][block].add((room, talk))
    for person, per_block in sorted(by_person.items()):
        for block, held in sorted(per_block.items()):
            if len({room for room, _ in held}) > 1:
                ids = sorted(t for _, t in held)
                found.append(
                    Violation(
                        4,
                        f"{name(person)} is due in two rooms at once, {name(block)} "
                        f"({quoted(ids)}).",
                        ids,
                    )
                )
    for talk, (block, room) in sorted(where.items()):
        item = talks[talk]
        if block in item.get("unavailable", ()):
            found.append(Violation(5, f"{quoted([talk])} cannot run in {name(block)}.", [talk]))
        for person in item.get("people", ()):
            if block in people.get(person, ()):
                found.append(
                    Violation(
                        5, f"{name(person)} cannot make {name(block)} ({quoted([talk])}).", [talk]
                    )
                )
        if block in rooms[room].get("unavailable", ()):
            found.append(
                Violation(
                    5, f"{name(room)} cannot be used in {name(block)} ({quoted([talk])}).", [talk]
                )
            )
        fixed = item.get("fixed")
        if fixed and (fixed["block"], fixed["room"]) != (block, room):
            found.append(
                Violation(
                    6,
                    f"{quoted([talk])} is kept in {name(fixed['room'])}, {name(fixed['block'])}, "
                    "and may not move.",
                    [talk],
                )
            )
    for talk, item in talks.items():
        fixed = item.get("fixed")
        if fixed and count[talk] and talk not in where:  # placed only where nothing exists
            found.append(
                Violation(
                    6,
                    f"{quoted([talk])} is kept in {name(fixed['room'])}, {name(fixed['block'])}.",
                    [talk],
                )
            )
    found.sort(key=lambda v: v.rule)
    return found
