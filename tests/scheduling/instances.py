"""Instances for the tests: small hand-made ones (a few blocks of one length, rooms of 50
seats, three tracks), and generated ones where every term of the objective moves."""

import random

from conference.scheduling import parse_instance
from conference.scheduling.generate import generate
from conference.scheduling.greedy import greedy


def instance(talks, blocks=2, rooms=1, minutes=60, people=(), **extra) -> dict:
    """A small instance: `blocks` blocks of `minutes`, `rooms` rooms, talks as given."""
    return {
        "format": "conference-schedule-instance/1",
        "name": "tiny",
        "blocks": [{"id": f"b{i + 1}", "minutes": minutes} for i in range(blocks)],
        "rooms": [{"id": f"r{i + 1}", "capacity": 50} for i in range(rooms)],
        "tracks": [{"id": "health"}, {"id": "skills"}, {"id": "cities"}],
        "people": list(people),
        "talks": talks,
        "attendees": [],
        **extra,
    }


def talk(ident, track="health", minutes=20, people=(), **extra) -> dict:
    return {"id": ident, "minutes": minutes, "track": track, "people": list(people), **extra}


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
