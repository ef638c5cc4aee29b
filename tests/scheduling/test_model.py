"""The CP-SAT model counts the objective exactly: its optimum plus its offset is the
schedule's objective, whichever talks are free to move."""

import random

import pytest
from ortools.sat.python import cp_model

from conference.scheduling import evaluate, parse_instance
from conference.scheduling.greedy import greedy
from conference.scheduling.model import build

from .instances import busy_instance
from .reference import example_small


def example_with_previous():
    inst = parse_instance(example_small())
    start = greedy(inst)
    moved = [
        (inst.talk_ids[t], inst.block_ids[(b + 1) % inst.n_blocks], inst.room_ids[r])
        for t, (b, r) in enumerate(start)
    ]
    return inst.with_previous(moved[::3]), start


@pytest.mark.parametrize(
    "make", [lambda: busy_instance("XS", 2), example_with_previous], ids=["XS", "example"]
)
def test_model_objective_is_the_schedule_objective(make):
    inst, start = make()
    rng = random.Random(4)
    for _ in range(6):
        free = sorted(rng.sample(range(inst.n_talks), 7))
        sub = build(inst, start, free)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 20
        assert solver.solve(sub.model) == cp_model.OPTIMAL
        assign = sub.assignment(solver, start)
        assert round(solver.objective_value) + sub.offset == evaluate(inst, assign)[1]
        assert evaluate(inst, assign)[1] <= evaluate(inst, start)[1]  # the start is a hint
        assert all(assign[t] == start[t] for t in range(inst.n_talks) if t not in free)
