"""Reading a schedule instance (format 1, ../shared/standards/schedule/FORMAT.md).

`parse_instance` checks the document and returns an `Instance` whose lists are indexed by
number (talk t, block b, room r, track k, person p, attendee a), which is what the solver
and the scorer work on. A document that does not follow the format, or that contradicts
itself (a fixed talk in a block its presenter cannot make, two fixed talks of different
tracks in one session...), raises `InstanceError` naming the field, e.g.
``talks[3].minutes (talk 'p04'): expected a whole number >= 1, not -5``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conference.errors import ValidationError

INSTANCE_FORMAT = "conference-schedule-instance/1"
SOLUTION_FORMAT = "conference-schedule-solution/1"
DEFAULT_WEIGHTS = {
    "attendee_conflict": 1,
    "capacity_overflow": 1,
    "track_rooms": 10,
    "similar_parallel": 5,
    "moved": 20,
}
TERMS = tuple(DEFAULT_WEIGHTS)


class InstanceError(ValidationError, ValueError):
    """The instance (or a previous solution) is malformed or inconsistent; names the field."""

    def __init__(self, field_name: str, problem: str):
        super().__init__(f"{field_name}: {problem}", field=field_name)


@dataclass
class Instance:
    """A checked instance: ids in lists, everything else indexed by position."""

    name: str
    block_ids: list[str]
    block_minutes: list[int]
    block_labels: list[str]  # "2024-10-29 13:30" or the id, for messages
    room_ids: list[str]
    room_capacity: list[int]
    room_unavailable: list[frozenset[int]]
    track_ids: list[str]
    similar_pairs: list[tuple[int, int]]
    person_ids: list[str]
    person_unavailable: list[frozenset[int]]
    talk_ids: list[str]
    talk_minutes: list[int]
    talk_track: list[int]
    talk_people: list[tuple[int, ...]]
    talk_unavailable: list[frozenset[int]]
    talk_fixed: list[tuple[int, int] | None]
    attendee_ids: list[str]
    interests: list[tuple[int, ...]]  # per attendee, talk indices, sorted, no duplicates
    previous: dict[int, tuple[str, str]]  # talk -> (block id, room id); ids may be gone
    weights: dict[str, int]
    mixed_sessions: bool
    demand: list[int] = field(init=False)
    person_talks: list[list[int]] = field(init=False)
    track_talks: list[list[int]] = field(init=False)
    block_index: dict[str, int] = field(init=False)
    room_index: dict[str, int] = field(init=False)
    talk_index: dict[str, int] = field(init=False)

    def __post_init__(self):
        self.block_index = {v: i for i, v in enumerate(self.block_ids)}
        self.room_index = {v: i for i, v in enumerate(self.room_ids)}
        self.talk_index = {v: i for i, v in enumerate(self.talk_ids)}
        self.demand = [0] * len(self.talk_ids)
        for talks in self.interests:
            for t in talks:
                self.demand[t] += 1
        self.person_talks = [[] for _ in self.person_ids]
        for t, people in enumerate(self.talk_people):
            for p in people:
                self.person_talks[p].append(t)
        self.track_talks = [[] for _ in self.track_ids]
        for t, k in enumerate(self.talk_track):
            self.track_talks[k].append(t)

    @property
    def n_talks(self) -> int:
        return len(self.talk_ids)

    @property
    def n_blocks(self) -> int:
        return len(self.block_ids)

    @property
    def n_rooms(self) -> int:
        return len(self.room_ids)

    def talk_blocked(self, t: int) -> set[int]:
        """Blocks talk t may not run in because of the talk itself or one of its people."""
        out = set(self.talk_unavailable[t])
        for p in self.talk_people[t]:
            out |= self.person_unavailable[p]
        return out

    def allowed(self, t: int, b: int, r: int) -> bool:
        """Whether talk t alone in session (b, r) keeps rules 5 and 6 and fits the block."""
        fixed = self.talk_fixed[t]
        if fixed is not None:
            return fixed == (b, r)
        return (
            self.talk_minutes[t] <= self.block_minutes[b]
            and b not in self.room_unavailable[r]
            and b not in self.talk_unavailable[t]
            and not any(b in self.person_unavailable[p] for p in self.talk_people[t])
        )

    def with_previous(self, placements: list[tuple[str, str, str]]) -> Instance:
        """This instance with `previous` replaced by (talk, block, room) ids."""
        previous = {}
        for tid, bid, rid in placements:
            t = self.talk_index.get(tid)
            if t is not None and t not in previous:
                previous[t] = (bid, rid)
        kwargs = {name: getattr(self, name) for name in _INIT_FIELDS}
        kwargs["previous"] = previous
        return Instance(**kwargs)


_INIT_FIELDS = [name for name, f in Instance.__dataclass_fields__.items() if f.init]


# ---------------------------------------------------------------- reading


def _object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise InstanceError(where, "expected an object")
    return value


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise InstanceError(where, "expected a list")
    return value


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InstanceError(where, "expected a non-empty string")
    return value


def _whole(value, where: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InstanceError(where, f"expected a whole number >= {minimum}, not {value!r}")
    return value


class _Reader:
    def __init__(self, doc):
        self.doc = _object(doc, "instance")

    def entries(self, key: str, required: bool = True) -> list[dict]:
        if key not in self.doc:
            if required:
                raise InstanceError(key, "missing")
            return []
        items = _list(self.doc[key], key)
        seen = set()
        for i, item in enumerate(items):
            _object(item, f"{key}[{i}]")
            if "id" not in item:
                raise InstanceError(f"{key}[{i}].id", "missing")
            ident = _text(item["id"], f"{key}[{i}].id")
            if ident in seen:
                raise InstanceError(f"{key}[{i}].id", f"duplicate id {ident!r}")
            seen.add(ident)
        return items

    @staticmethod
    def refs(value, where: str, index: dict[str, int], what: str) -> list[int]:
        out = []
        for j, ident in enumerate(_list(value, where)):
            _text(ident, f"{where}[{j}]")
            if ident not in index:
                raise InstanceError(f"{where}[{j}]", f"unknown {what} {ident!r}")
            out.append(index[ident])
        return out


def parse_instance(doc) -> Instance:
    """Check a format-1 instance document (already read from JSON) and index it."""
    reader = _Reader(doc)
    if doc.get("format") != INSTANCE_FORMAT:
        raise InstanceError("format", f"expected {INSTANCE_FORMAT!r}, not {doc.get('format')!r}")
    name = _text(doc.get("name"), "name")
    blocks = reader.entries("blocks")
    rooms = reader.entries("rooms")
    tracks = reader.entries("tracks")
    people = reader.entries("people", required=False)
    talks = reader.entries("talks")
    attendees = reader.entries("attendees", required=False)

    block_ids = [b["id"] for b in blocks]
    block_index = {v: i for i, v in enumerate(block_ids)}
    block_minutes = [
        _whole(b.get("minutes"), f"blocks[{i}].minutes", 1) for i, b in enumerate(blocks)
    ]
    block_labels = []
    for i, b in enumerate(blocks):
        for key in ("day", "start"):
            if key in b:
                _text(b[key], f"blocks[{i}].{key}")
        label = " ".join(b[key] for key in ("day", "start") if key in b)
        block_labels.append(f"{b['id']} ({label})" if label else b["id"])

    room_ids = [r["id"] for r in rooms]
    room_capacity = [
        _whole(r.get("capacity"), f"rooms[{i}].capacity", 0) for i, r in enumerate(rooms)
    ]
    room_unavailable = [
        frozenset(
            reader.refs(r.get("unavailable", []), f"rooms[{i}].unavailable", block_index, "block")
        )
        for i, r in enumerate(rooms)
    ]

    track_ids = [k["id"] for k in tracks]
    track_index = {v: i for i, v in enumerate(track_ids)}
    pairs = set()
    for i, k in enumerate(tracks):
        where = f"tracks[{i}].similar"
        for j in reader.refs(k.get("similar", []), where, track_index, "track"):
            if j == i:
                raise InstanceError(where, f"track {track_ids[i]!r} cannot be similar to itself")
            pairs.add((min(i, j), max(i, j)))

    person_ids = [p["id"] for p in people]
    person_index = {v: i for i, v in enumerate(person_ids)}
    person_unavailable = [
        frozenset(
            reader.refs(p.get("unavailable", []), f"people[{i}].unavailable", block_index, "block")
        )
        for i, p in enumerate(people)
    ]

    room_index = {v: i for i, v in enumerate(room_ids)}
    talk_ids = [t["id"] for t in talks]
    talk_index = {v: i for i, v in enumerate(talk_ids)}
    talk_minutes, talk_track, talk_people, talk_unavailable, talk_fixed = [], [], [], [], []
    for i, t in enumerate(talks):
        where = f"talks[{i}]"
        talk_minutes.append(_whole(t.get("minutes"), f"{where}.minutes", 1))
        if "track" not in t:
            raise InstanceError(f"{where}.track", "missing")
        talk_track.append(reader.refs([t["track"]], f"{where}.track", track_index, "track")[0])
        talk_people.append(
            tuple(
                sorted(
                    set(reader.refs(t.get("people", []), f"{where}.people", person_index, "person"))
                )
            )
        )
        talk_unavailable.append(
            frozenset(
                reader.refs(t.get("unavailable", []), f"{where}.unavailable", block_index, "block")
            )
        )
        fixed = t.get("fixed")
        if fixed is None:
            talk_fixed.append(None)
            continue
        _object(fixed, f"{where}.fixed")
        for key in ("block", "room"):
            if key not in fixed:
                raise InstanceError(f"{where}.fixed.{key}", "missing (a fixed talk names both)")
        b = reader.refs([fixed["block"]], f"{where}.fixed.block", block_index, "block")[0]
        r = reader.refs([fixed["room"]], f"{where}.fixed.room", room_index, "room")[0]
        talk_fixed.append((b, r))

    attendee_ids = [a["id"] for a in attendees]
    interests = []
    for i, a in enumerate(attendees):
        if "interests" not in a:
            raise InstanceError(f"attendees[{i}].interests", "missing")
        refs = reader.refs(a["interests"], f"attendees[{i}].interests", talk_index, "talk")
        interests.append(tuple(sorted(set(refs))))

    previous = _previous(doc.get("previous", []), "previous", talk_index)

    weights = dict(DEFAULT_WEIGHTS)
    for key, value in _object(doc.get("weights", {}), "weights").items():
        if key not in DEFAULT_WEIGHTS:
            raise InstanceError("weights", f"unknown term {key!r} (known: {', '.join(TERMS)})")
        weights[key] = _whole(value, f"weights.{key}", 0)
    mixed = doc.get("mixed_sessions", False)
    if not isinstance(mixed, bool):
        raise InstanceError("mixed_sessions", "expected true or false")

    inst = Instance(
        name=name,
        block_ids=block_ids,
        block_minutes=block_minutes,
        block_labels=block_labels,
        room_ids=room_ids,
        room_capacity=room_capacity,
        room_unavailable=room_unavailable,
        track_ids=track_ids,
        similar_pairs=sorted(pairs),
        person_ids=person_ids,
        person_unavailable=person_unavailable,
        talk_ids=talk_ids,
        talk_minutes=talk_minutes,
        talk_track=talk_track,
        talk_people=talk_people,
        talk_unavailable=talk_unavailable,
        talk_fixed=talk_fixed,
        attendee_ids=attendee_ids,
        interests=interests,
        previous=previous,
        weights=weights,
        mixed_sessions=mixed,
    )
    _check_fixed(inst)
    return inst


def _previous(value, where: str, talk_index: dict[str, int]) -> dict[int, tuple[str, str]]:
    out = {}
    for i, entry in enumerate(_list(value, where)):
        _object(entry, f"{where}[{i}]")
        tid, bid, rid = (
            _text(entry.get(key), f"{where}[{i}].{key}") for key in ("talk", "block", "room")
        )
        if tid in talk_index:  # a talk that is gone is ignored
            t = talk_index[tid]
            if t in out:
                raise InstanceError(f"{where}[{i}].talk", f"talk {tid!r} is listed twice")
            out[t] = (bid, rid)
    return out


def _check_fixed(inst: Instance) -> None:
    """A fixed placement that breaks a hard rule by itself makes the instance inconsistent."""
    sessions: dict[tuple[int, int], list[int]] = {}
    for t, fixed in enumerate(inst.talk_fixed):
        if fixed is None:
            continue
        b, r = fixed
        where = f"talks[{t}].fixed"
        tid, bid, rid = inst.talk_ids[t], inst.block_ids[b], inst.room_ids[r]
        if b in inst.talk_unavailable[t]:
            raise InstanceError(
                where, f"talk {tid!r} is fixed in block {bid!r}, which it lists as unavailable"
            )
        for p in inst.talk_people[t]:
            if b in inst.person_unavailable[p]:
                raise InstanceError(
                    where,
                    f"talk {tid!r} is fixed in block {bid!r}, "
                    f"but {inst.person_ids[p]!r} is unavailable then",
                )
        if b in inst.room_unavailable[r]:
            raise InstanceError(
                where, f"talk {tid!r} is fixed in room {rid!r}, unavailable in block {bid!r}"
            )
        sessions.setdefault(fixed, []).append(t)
    for (b, r), talks in sessions.items():
        last = talks[-1]
        where = f"talks[{last}].fixed"
        minutes = sum(inst.talk_minutes[t] for t in talks)
        names = ", ".join(repr(inst.talk_ids[t]) for t in talks)
        if minutes > inst.block_minutes[b]:
            raise InstanceError(
                where,
                f"talks {names} are fixed in {inst.room_ids[r]!r} in block {inst.block_ids[b]!r}: "
                f"{minutes} min in a {inst.block_minutes[b]}-min block",
            )
        if not inst.mixed_sessions and len({inst.talk_track[t] for t in talks}) > 1:
            raise InstanceError(
                where,
                f"talks {names} of different tracks are fixed in one session "
                f"({inst.room_ids[r]!r}, block {inst.block_ids[b]!r})",
            )
    for p, talks in enumerate(inst.person_talks):
        rooms: dict[int, tuple[int, int]] = {}
        for t in talks:
            fixed = inst.talk_fixed[t]
            if fixed is None:
                continue
            b, r = fixed
            if b in rooms and rooms[b][0] != r:
                other = rooms[b][1]
                raise InstanceError(
                    f"talks[{t}].fixed",
                    f"{inst.person_ids[p]!r} would be in two rooms in block {inst.block_ids[b]!r}: "
                    f"talks {inst.talk_ids[other]!r} and {inst.talk_ids[t]!r} are fixed in "
                    f"{inst.room_ids[rooms[b][0]]!r} and {inst.room_ids[r]!r}",
                )
            rooms[b] = (r, t)


def parse_solution(
    doc, inst: Instance | None = None, where: str = "solution", *, repeats: bool = False
) -> list[tuple[str, str, str]]:
    """The (talk, block, room) ids of a format-1 solution document. The ids are not
    checked against the instance (a previous solution may name talks that are gone).
    A talk placed twice is refused, unless ``repeats`` (rules.check then says so)."""
    _object(doc, where)
    if doc.get("format") != SOLUTION_FORMAT:
        raise InstanceError(
            f"{where}.format", f"expected {SOLUTION_FORMAT!r}, not {doc.get('format')!r}"
        )
    _text(doc.get("instance"), f"{where}.instance")
    if "placements" not in doc:
        raise InstanceError(f"{where}.placements", "missing")
    out = []
    for i, entry in enumerate(_list(doc["placements"], f"{where}.placements")):
        _object(entry, f"{where}.placements[{i}]")
        out.append(
            tuple(
                _text(entry.get(key), f"{where}.placements[{i}].{key}")
                for key in ("talk", "block", "room")
            )
        )
    seen = set()
    for i, (tid, _, _) in enumerate(() if repeats else out):
        if tid in seen:
            raise InstanceError(f"{where}.placements[{i}].talk", f"talk {tid!r} is placed twice")
        seen.add(tid)
    return out
