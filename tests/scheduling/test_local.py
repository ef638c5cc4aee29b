"""The local search keeps every hard rule and counts the objective exactly as it moves."""

import random

import pytest

from conference.scheduling import evaluate, parse_instance
from conference.scheduling.generate import generate
from conference.scheduling.greedy import greedy
from conference.scheduling.local import LocalSearch
from conference.scheduling.objective import violations


def busy_instance(name: str, seed: int):
    """A generated instance with similar tracks and a previous schedule, so that every
    term of the objective moves."""
    doc = generate(name, seed)
    doc["tracks"][0]["similar"] = [doc["tracks"][1]["id"], doc["tracks"][2]["id"]]
    inst = parse_instance(doc)
    start = greedy(inst)
    rng = random.Random(seed)
    previous = [
        (inst.talk_ids[t], inst.block_ids[rng.randrange(inst.n_blocks)], inst.room_ids[r])
        for t, (_, r) in enumerate(start)
        if rng.random() < 0.7
    ]
    return inst.with_previous(previous), start


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
