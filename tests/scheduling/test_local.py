"""The local search keeps every hard rule and counts the objective exactly as it moves."""

import random

import pytest

from conference.scheduling import evaluate
from conference.scheduling.local import LocalSearch
from conference.scheduling.objective import violations

from .instances import busy_instance


@pytest.mark.parametrize(("name", "seed"), [("XS", 2), ("S", 0)])
def test_every_move_keeps_the_rules_and_the_objective_exact(name, seed):
    inst, start = busy_instance(name, seed)
    search = LocalSearch(inst, start, random.Random(seed))
    search.temperature = 3.0  # worse moves too, so that every kind of move is taken
    for step in range(2000):
        search.step()
        if step % 100 == 0:
            assert search.state.value == evaluate(inst, search.state.assign)[1]
            assert violations(inst, search.state.assign) == []
    assert search.best_value == evaluate(inst, search.best)[1]
    assert search.best_value < evaluate(inst, start)[1]
