"""The solver's own objective is the reference scorer's, term by term."""

import random

import pytest

from conference.scheduling import evaluate, parse_instance
from conference.scheduling.generate import generate
from conference.scheduling.greedy import greedy
from conference.scheduling.objective import solution_document

from .reference import example_small, reference_score


def with_previous(doc: dict, rng: random.Random) -> dict:
    """The instance with a previous schedule: most talks somewhere, some in a block or
    room that is gone, some not listed, and one listed that is gone."""
    blocks = [b["id"] for b in doc["blocks"]] + ["gone-block"]
    rooms = [r["id"] for r in doc["rooms"]] + ["gone-room"]
    previous = [
        {"talk": t["id"], "block": rng.choice(blocks), "room": rng.choice(rooms)}
        for t in doc["talks"]
        if rng.random() < 0.8
    ]
    previous.append({"talk": "withdrawn-talk", "block": blocks[0], "room": rooms[0]})
    return doc | {"previous": previous, "weights": {"moved": 7, "track_rooms": 3}}


def with_similar_tracks(doc: dict) -> dict:
    tracks = [dict(t) for t in doc["tracks"]]
    tracks[0]["similar"] = [tracks[1]["id"], tracks[2]["id"]]
    tracks[2]["similar"] = [tracks[1]["id"]]
    return doc | {"tracks": tracks}


INSTANCES = {
    "example-small": example_small,
    "generated XS": lambda: generate("XS", 1),
    "generated S, similar tracks": lambda: with_similar_tracks(generate("S", 1)),
    "generated S with previous": lambda: with_previous(generate("S", 2), random.Random(2)),
    "example-small with previous": lambda: with_previous(example_small(), random.Random(3)),
}


@pytest.mark.parametrize("make", INSTANCES.values(), ids=INSTANCES.keys())
def test_objective_equals_the_reference_scorer_on_any_placement(make):
    doc = make()
    inst = parse_instance(doc)
    rng = random.Random(5)
    schedules = [greedy(inst)] if greedy(inst) else []
    # Random placements too: most break hard rules, and every term still counts alike.
    for _ in range(20):
        schedules.append(
            [(rng.randrange(inst.n_blocks), rng.randrange(inst.n_rooms)) for _ in inst.talk_ids]
        )
    for assign in schedules:
        terms, objective = evaluate(inst, assign)
        reference = reference_score(doc, solution_document(inst, assign))
        assert (terms, objective) == (reference["terms"], reference["objective"])


def test_greedy_baseline_keeps_every_hard_rule():
    for doc in (example_small(), generate("S", 0), generate("XS", 2)):
        inst = parse_instance(doc)
        reference = reference_score(doc, solution_document(inst, greedy(inst)))
        assert reference["valid"], reference["violations"]
