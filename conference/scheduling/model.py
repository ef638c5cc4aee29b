"""The CP-SAT model: some talks free to move, the rest staying where they are.

With every talk free it is the whole problem (a first schedule when the greedy one fails,
a proof that none exists, the optimum of a small event); with a few talks free it
re-places what a change displaced (a re-plan). The model's objective plus `offset` is
exactly the objective of the whole schedule (objective.py).

Variables: x[t, s] = talk t in session s = (block, room), only for the sessions where t
may go. The terms:
- capacity overflow and moves are costs on x;
- attendee conflicts: for an attendee and a block, one indicator per room holding one of
  their interests (the OR of the x's), minus one indicator "the block holds any" (or
  minus nothing when a talk that stays put already holds a room of interest there). An
  indicator is shared by every attendee who wants the same talks, attendees with the
  same free interests are counted once with a weight, and an attendee with a single free
  interest becomes plain costs on that talk's x;
- rooms per track: an indicator per (track, room) the track may newly use;
- similar tracks in parallel: an indicator per (track, block) and one per (pair, block).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .instance import Instance
from .objective import Assignment

Session = tuple[int, int]


@dataclass
class SubModel:
    model: cp_model.CpModel
    x: dict[int, dict[Session, cp_model.IntVar]]
    offset: int
    infeasible_talk: int | None = None  # a free talk with no session left (then no model)
    stats: dict = field(default_factory=dict)
    placed: dict[int, int] = field(default_factory=dict)  # assumption literal -> its talk

    def assignment(self, solver: cp_model.CpSolver, base: Assignment) -> Assignment:
        """The whole schedule: `base` with the free talks where the solver put them."""
        out = list(base) if base is not None else [None] * len(self.x)
        for t, options in self.x.items():
            out[t] = next(s for s, var in options.items() if solver.boolean_value(var))
        return out

    def solution_assignment(self, values, base: Assignment) -> Assignment:
        """Same as `assignment`, from a solution callback's values."""
        out = list(base) if base is not None else [None] * len(self.x)
        for t, options in self.x.items():
            out[t] = next(s for s, var in options.items() if values.boolean_value(var))
        return out


class _Builder:
    def __init__(self, inst: Instance, base, free: list[int], objective: bool, assumptions: bool):
        self.inst = inst
        self.objective = objective and not assumptions
        self.assumptions = assumptions
        self.placed: dict[int, int] = {}
        self.base = base
        self.model = cp_model.CpModel()
        self.free = sorted(set(free))
        self.free_set = set(self.free)
        self.costs: dict[int, int] = defaultdict(int)  # var index -> coefficient
        self.vars: dict[int, cp_model.IntVar] = {}
        self.hint: dict[int, bool] = {}
        self.ors: dict[tuple, cp_model.IntVar] = {}
        self.offset = 0
        self.n_attendee_terms = 0

    # -- literals -----------------------------------------------------------------------

    def new_bool(self, hint: bool) -> cp_model.IntVar:
        var = self.model.new_bool_var("")
        self.vars[var.index] = var
        self.hint[var.index] = hint
        return var

    def cost(self, var: cp_model.IntVar, coefficient: int) -> None:
        if coefficient:
            self.costs[var.index] += coefficient

    def any_of(self, literals: list[cp_model.IntVar]) -> cp_model.IntVar:
        """A literal at least the OR of these (exactly it when its cost is positive)."""
        if len(literals) == 1:
            return literals[0]
        key = tuple(sorted(lit.index for lit in literals))
        var = self.ors.get(key)
        if var is None:
            var = self.new_bool(any(self.hint[i] for i in key))
            for lit in literals:
                self.model.add_implication(lit, var)
            self.ors[key] = var
        return var

    def some_of(self, literals: list[cp_model.IntVar]) -> cp_model.IntVar:
        """A literal at most the OR of these (exactly it when its cost is negative)."""
        key = ("some", *sorted(lit.index for lit in literals))
        var = self.ors.get(key)
        if var is None:
            var = self.new_bool(any(self.hint[lit.index] for lit in literals))
            self.model.add_bool_or(literals).only_enforce_if(var)
            self.ors[key] = var
        return var

    # -- the model ----------------------------------------------------------------------

    def build(self) -> SubModel:
        inst, base = self.inst, self.base
        stay = [t for t in range(inst.n_talks) if t not in self.free_set]
        fixed_minutes: dict[Session, int] = defaultdict(int)
        fixed_track: dict[Session, int] = {}
        person_room: dict[tuple[int, int], int] = {}
        for t in stay:
            b, r = base[t]
            fixed_minutes[b, r] += inst.talk_minutes[t]
            fixed_track[b, r] = inst.talk_track[t]
            for p in inst.talk_people[t]:
                person_room[p, b] = r

        # x[t, s] for the sessions talk t may use
        self.x: dict[int, dict[Session, cp_model.IntVar]] = {}
        for t in self.free:
            options = {}
            k = inst.talk_track[t]
            current = base[t] if base is not None else None
            for b in range(inst.n_blocks):
                for r in range(inst.n_rooms):
                    s = (b, r)
                    if not inst.allowed(t, b, r):
                        continue
                    if fixed_minutes.get(s, 0) + inst.talk_minutes[t] > inst.block_minutes[b]:
                        continue
                    if not inst.mixed_sessions and fixed_track.get(s, k) != k:
                        continue
                    if any(person_room.get((p, b), r) != r for p in inst.talk_people[t]):
                        continue
                    options[s] = self.new_bool(s == current)
            if not options:
                return SubModel(self.model, {}, 0, infeasible_talk=t)
            if self.assumptions:
                placed = self.model.new_bool_var(f"placed {inst.talk_ids[t]}")
                self.model.add_exactly_one(options.values()).only_enforce_if(placed)
                self.model.add_at_most_one(options.values())
                self.model.add_assumptions([placed])
                self.placed[placed.index] = t
            else:
                self.model.add_exactly_one(options.values())
            self.x[t] = options

        by_session: dict[Session, list[int]] = defaultdict(list)
        for t, options in self.x.items():
            for s in options:
                by_session[s].append(t)
        self._sessions(by_session, fixed_minutes, fixed_track)
        self._people(person_room)
        if not self.objective:  # only whether the talks can be placed at all
            self._hint()
            return SubModel(self.model, self.x, 0, placed=self.placed)
        self._talk_costs(stay)
        self._attendees(stay)
        self._track_rooms(stay)
        self._similar(stay)

        self.model.minimize(sum(c * self.vars[i] for i, c in self.costs.items() if c))
        self._hint()
        stats = {"vars": len(self.vars), "attendee_profiles": self.n_attendee_terms}
        return SubModel(self.model, self.x, self.offset, stats=stats)

    def _hint(self) -> None:
        if self.base is not None:
            for i, value in self.hint.items():
                self.model.add_hint(self.vars[i], value)

    def _sessions(self, by_session, fixed_minutes, fixed_track) -> None:
        inst = self.inst
        for s, talks in by_session.items():
            b = s[0]
            room_left = inst.block_minutes[b] - fixed_minutes.get(s, 0)
            if sum(inst.talk_minutes[t] for t in talks) > room_left:
                self.model.add(sum(inst.talk_minutes[t] * self.x[t][s] for t in talks) <= room_left)
            if inst.mixed_sessions or s in fixed_track:
                continue
            tracks: dict[int, list[int]] = defaultdict(list)
            for t in talks:
                tracks[inst.talk_track[t]].append(t)
            if len(tracks) < 2:
                continue
            holds = [self.any_of([self.x[t][s] for t in ts]) for ts in tracks.values()]
            self.model.add_at_most_one(holds)

    def _people(self, person_room) -> None:
        """Two free talks of one person in one block share the room."""
        inst = self.inst
        for p, talks in enumerate(inst.person_talks):
            mine = [t for t in talks if t in self.x]
            if len(mine) < 2:
                continue
            by_block: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
            for t in mine:
                for (b, r), var in self.x[t].items():
                    by_block[b][r].append((t, var))
            for b, rooms in by_block.items():
                if (p, b) in person_room or len(rooms) < 2:
                    continue  # already held to one room by a talk that stays
                if len({t for entries in rooms.values() for t, _ in entries}) < 2:
                    continue
                here = [self.any_of([var for _, var in entries]) for entries in rooms.values()]
                self.model.add_at_most_one(here)

    def _talk_costs(self, stay) -> None:
        inst, w = self.inst, self.inst.weights
        capacity = inst.room_capacity
        for t in stay:
            b, r = self.base[t]
            self.offset += w["capacity_overflow"] * max(0, inst.demand[t] - capacity[r])
            if t in inst.previous:
                self.offset += w["moved"] * (
                    inst.previous[t] != (inst.block_ids[b], inst.room_ids[r])
                )
        for t, options in self.x.items():
            previous = inst.previous.get(t)
            for (b, r), var in options.items():
                c = w["capacity_overflow"] * max(0, inst.demand[t] - capacity[r])
                if previous is not None and previous != (inst.block_ids[b], inst.room_ids[r]):
                    c += w["moved"]
                self.cost(var, c)

    def _attendees(self, stay) -> None:
        inst = self.inst
        weight = inst.weights["attendee_conflict"]
        if not weight:
            return
        # Attendees who want the same free talks and already face the same rooms (of the
        # talks that stay) count once, with a weight.
        profiles: dict[tuple, int] = defaultdict(int)
        for talks in inst.interests:
            if len(talks) < 2:
                continue
            free = tuple(t for t in talks if t in self.free_set)
            held: dict[int, set[int]] = defaultdict(set)
            for t in talks:
                if t not in self.free_set:
                    b, r = self.base[t]
                    held[b].add(r)
            if not free:
                self.offset += weight * sum(len(rooms) - 1 for rooms in held.values())
                continue
            key = (free, tuple(sorted((b, tuple(sorted(rs))) for b, rs in held.items())))
            profiles[key] += 1
        self.n_attendee_terms = len(profiles)
        for (free, held_items), count in profiles.items():
            c = weight * count
            held = dict(held_items)
            self.offset += c * sum(len(rooms) - 1 for rooms in held.values())
            if len(free) == 1:
                (t,) = free
                for (b, r), var in self.x[t].items():
                    if b in held and r not in held[b]:
                        self.cost(var, c)
                continue
            per_block: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
            for t in free:
                for (b, r), var in self.x[t].items():
                    if r not in held.get(b, ()):
                        per_block[b][r].append(var)
            for b, rooms in per_block.items():
                indicators = [self.any_of(lits) for lits in rooms.values()]
                if b in held:
                    for ind in indicators:
                        self.cost(ind, c)
                elif len(indicators) > 1:
                    for ind in indicators:
                        self.cost(ind, c)
                    self.cost(self.some_of(indicators), -c)

    def _track_rooms(self, stay) -> None:
        inst = self.inst
        weight = inst.weights["track_rooms"]
        held: dict[int, set[int]] = defaultdict(set)
        for t in stay:
            held[inst.talk_track[t]].add(self.base[t][1])
        moving: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
        for t, options in self.x.items():
            k = inst.talk_track[t]
            for (_, r), var in options.items():
                if r not in held[k]:
                    moving[k][r].append(var)
        for k in range(len(inst.track_ids)):
            has_free = any(t in self.x for t in inst.track_talks[k])
            if held[k]:
                self.offset += weight * (len(held[k]) - 1)
            elif has_free:
                self.offset -= weight  # the first room is free of charge, and one is used
            used = [self.any_of(lits) for lits in moving[k].values()]
            for var in used:
                self.cost(var, weight)
            if used and not held[k]:
                self.model.add_bool_or(used)  # implied; it tightens the bound

    def _similar(self, stay) -> None:
        inst = self.inst
        weight = inst.weights["similar_parallel"]
        if not inst.similar_pairs or not weight:
            return
        present: dict[int, set[int]] = defaultdict(set)
        for t in stay:
            present[inst.talk_track[t]].add(self.base[t][0])
        maybe: dict[tuple[int, int], list] = defaultdict(list)
        for t, options in self.x.items():
            k = inst.talk_track[t]
            for (b, _), var in options.items():
                if b not in present[k]:
                    maybe[k, b].append(var)
        for k1, k2 in inst.similar_pairs:
            for b in range(inst.n_blocks):
                in1, in2 = b in present[k1], b in present[k2]
                if in1 and in2:
                    self.offset += weight
                elif in1 and (k2, b) in maybe:
                    self.cost(self.any_of(maybe[k2, b]), weight)
                elif in2 and (k1, b) in maybe:
                    self.cost(self.any_of(maybe[k1, b]), weight)
                elif (k1, b) in maybe and (k2, b) in maybe:
                    p1, p2 = self.any_of(maybe[k1, b]), self.any_of(maybe[k2, b])
                    both = self.new_bool(self.hint[p1.index] and self.hint[p2.index])
                    self.model.add_bool_or([~p1, ~p2, both])
                    self.cost(both, weight)


def build(
    inst: Instance,
    base: list[Session | None] | None,
    free: list[int],
    *,
    objective: bool = True,
    assumptions: bool = False,
) -> SubModel:
    """The model of placing the talks `free`, the others staying where `base` has them
    (`base` None: every talk is free, no hint). Without `objective`, only the hard rules.
    With `assumptions`, only the hard rules and each talk's placement an assumption (to
    find a set of talks that cannot all be placed)."""
    return _Builder(inst, base, free, objective, assumptions).build()
