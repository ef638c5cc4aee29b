"""A proposal of parallel sessions against the draft it would replace (pure).

Both are placements of one format-1 instance (``{talk id: (block id, room id)}``; a talk
of the draft not yet placed is missing). ``compare`` counts what organisers weigh before
accepting: the talks moved, delegates torn between two rooms of a block, seats missing,
the rooms each track uses; ``sessions`` lays both out block by block and room by room
for the page that shows them side by side; ``explained`` and ``reasons_in_words`` put
names and event times on the solver's ids.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from conference.scheduling.rules import attendee_conflicts

Placement = dict[str, tuple[str, str]]


def block_label(block: dict) -> str:
    """'Tue 29 Oct 13:30–15:00': a block of an instance, in the event's time."""
    starts = datetime.combine(date.fromisoformat(block["day"]), time.fromisoformat(block["start"]))
    ends = starts + timedelta(minutes=block["minutes"])
    return f"{starts:%a %d %b} {block['start']}–{ends:%H:%M}"


def names_of(doc: dict, people: dict | None = None) -> dict[str, str]:
    """The names organisers know for an instance's ids: blocks as event times, rooms,
    tracks, talks (the app's instances carry them under ``name`` and ``title``), and the
    ``people`` given."""
    names = {b["id"]: block_label(b) for b in doc["blocks"]}
    names.update((r["id"], r.get("name", r["id"])) for r in doc["rooms"])
    names.update((k["id"], k.get("name", k["id"])) for k in doc["tracks"])
    names.update((t["id"], t.get("title", t["id"])) for t in doc["talks"])
    names.update(people or {})
    return names


def placement_of(triples) -> Placement:
    """{talk: (block, room)} from (talk, block, room) triples or format-1 placements."""
    found = {}
    for p in triples:
        talk, block, room = (p["talk"], p["block"], p["room"]) if isinstance(p, dict) else p
        found[talk] = (block, room)
    return found


@dataclass
class Side:
    """One placement's figures."""

    placed: int = 0
    attendee_conflicts: int = 0
    overflow: int = 0  # seats missing, summed over talks: the format's capacity_overflow
    overflowing_talks: int = 0
    rooms_per_track: dict[str, int] = field(default_factory=dict)


@dataclass
class Comparison:
    """The draft (``before``) against the proposal (``after``)."""

    before: Side
    after: Side
    moved: list[dict]  # {talk, from: (block, room) | None, to: (block, room)}
    talks: int  # in the instance

    @property
    def newly_placed(self) -> int:
        return sum(1 for m in self.moved if m["from"] is None)

    @property
    def moved_placed(self) -> int:
        """Talks that had a place in the draft and get another one."""
        return len(self.moved) - self.newly_placed


def _side(doc: dict, where: Placement) -> Side:
    talks = {t["id"]: t for t in doc["talks"]}
    capacity = {r["id"]: r["capacity"] for r in doc["rooms"]}
    demand: dict[str, int] = defaultdict(int)
    for a in doc.get("attendees", ()):
        for t in set(a["interests"]):
            demand[t] += 1
    side = Side(placed=sum(1 for t in where if t in talks))
    side.attendee_conflicts = attendee_conflicts(
        (a["id"], *where[t])
        for a in doc.get("attendees", ())
        for t in set(a["interests"])
        if t in where
    )
    rooms: dict[str, set] = defaultdict(set)
    for t, (_, room) in where.items():
        if t not in talks:
            continue
        missing = demand[t] - capacity.get(room, demand[t])
        if missing > 0:
            side.overflow += missing
            side.overflowing_talks += 1
        rooms[talks[t]["track"]].add(room)
    side.rooms_per_track = {k: len(r) for k, r in rooms.items()}
    return side


def compare(doc: dict, before: Placement, after: Placement) -> Comparison:
    """The draft's placement of the instance's talks against the proposal's."""
    order = {t["id"]: n for n, t in enumerate(doc["talks"])}
    moved = [
        {"talk": t, "from": before.get(t), "to": after[t]}
        for t in sorted(after, key=lambda t: order.get(t, len(order)))
        if before.get(t) != after[t]
    ]
    return Comparison(_side(doc, before), _side(doc, after), moved, len(doc["talks"]))


def in_running_order(doc: dict, solution: dict, before: Placement, starts: dict) -> dict:
    """The solution with each session's talks in running order: those that stay in their
    session keep their order (so few start times shift), the others follow in the
    instance's order. ``starts``: {talk: sortable start in the draft}."""
    order = {t["id"]: n for n, t in enumerate(doc["talks"])}
    placements = list(solution["placements"])

    def key(p):
        stays = before.get(p["talk"]) == (p["block"], p["room"])
        return (
            p["block"],
            p["room"],
            0 if stays else 1,
            starts.get(p["talk"], "") if stays else "",
            order.get(p["talk"], len(order)),
        )

    return {**solution, "placements": sorted(placements, key=key)}


@dataclass
class Cell:
    """A session of one block and room: its track and talks, in running order."""

    tracks: list[str]
    talks: list[str]


def sessions(doc: dict, where: Placement, ordered=None) -> dict[tuple[str, str], Cell]:
    """{(block, room): Cell} of a placement; ``ordered`` (talk ids) gives the running order."""
    talks = {t["id"]: t for t in doc["talks"]}
    rank = {t: n for n, t in enumerate(ordered or ())}
    cells: dict = {}
    for t in sorted(where, key=lambda t: (rank.get(t, len(rank)), t)):
        if t not in talks:
            continue
        cell = cells.setdefault(where[t], Cell([], []))
        if talks[t]["track"] not in cell.tracks:
            cell.tracks.append(talks[t]["track"])
        cell.talks.append(t)
    return cells


def explained(explanation: dict, names: dict) -> dict:
    """The solver's explanation with names instead of ids, as the page shows it."""

    def name(key):
        return names.get(key, key)

    return {
        "conflicts": [
            {
                "attendees": c["attendees"],
                "block": name(c["block"]),
                "talks": [
                    {"title": name(t), "room": name(r)}
                    for t, r in zip(c["talks"], c["rooms"], strict=True)
                ],
            }
            for c in explanation.get("conflicts", ())
        ],
        "overflows": [
            {
                "talk": name(o["talk"]),
                "block": name(o["block"]),
                "room": name(o["room"]),
                "demand": o["demand"],
                "capacity": o["capacity"],
            }
            for o in explanation.get("overflows", ())
        ],
        "split_tracks": [
            {
                "track": name(s["track"]),
                "rooms": [{"room": name(r["room"]), "talks": r["talks"]} for r in s["rooms"]],
            }
            for s in explanation.get("split_tracks", ())
        ],
        "similar_parallel": [
            {"tracks": [name(k) for k in s["tracks"]], "blocks": [name(b) for b in s["blocks"]]}
            for s in explanation.get("similar_parallel", ())
        ],
    }


_ID = re.compile(r"\b(?:talk|room|track|person)-\d+\b|\bd\d+-\d{4}\b|\bno-track\b")


def reasons_in_words(reasons, names: dict) -> list[str]:
    """The solver's reasons (which name the instance's ids) with the names organisers
    know: talks quoted, rooms, tracks and people by name, blocks as event times."""
    talks = {k for k in names if k.startswith("talk-")}

    def name(match):
        key = match.group(0)
        if key not in names:
            return key
        return f"“{names[key]}”" if key in talks else names[key]

    return [_ID.sub(name, reason) for reason in reasons]
