"""Synthetic instances with fixed seeds, for the benchmark and the tests.

A conference of a given shape: days of parallel-session blocks, rooms of mixed sizes,
tracks of uneven size, a share of presenters with two talks, a few people who cannot make
some blocks, and attendees whose interests follow a Zipf popularity mixed with an
affinity for one or two tracks (people come for a theme, and everyone wants the stars).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from .instance import INSTANCE_FORMAT


@dataclass(frozen=True)
class Shape:
    """What an instance looks like; `generate` draws one at random from it."""

    name: str
    days: int
    blocks_per_day: int
    block_minutes: int
    capacities: tuple[int, int]  # smallest and largest room
    rooms: int
    talks: int
    talk_minutes: int
    tracks: int
    attendees: int
    interests: tuple[int, int]  # fewest and most per attendee
    two_talk_share: float = 0.1  # presenters who give two talks
    unavailable_people: int = 3  # people who cannot make one or two blocks
    unavailable_rooms: int = 1  # (room, block) pairs that cannot be used
    similar_pairs: int = 1
    favourite_tracks: tuple[int, int] = (1, 2)
    affinity: float = 0.7  # share of interests drawn from the favourite tracks
    zipf: float = 0.8


SHAPES = {
    # Like the ASEAN+3 conference: two afternoons of three parallel blocks.
    "S": Shape("S", 2, 3, 90, (40, 150), 5, 100, 20, 8, 300, (5, 15)),
    "L": Shape(
        "L", 4, 4, 90, (40, 400), 20, 1000, 20, 60, 3000, (8, 12),
        unavailable_people=30, unavailable_rooms=6, similar_pairs=8, favourite_tracks=(2, 3),
    ),
    # Small ones for the tests: a solver proves optimality on them in seconds.
    "XS": Shape("XS", 1, 3, 60, (20, 60), 3, 18, 20, 4, 40, (2, 5), unavailable_people=1),
    "XXS": Shape("XXS", 1, 2, 60, (10, 30), 2, 8, 20, 3, 15, (2, 4), unavailable_people=1),
}  # fmt: skip

STARTS = ["09:00", "11:00", "14:00", "16:00", "18:00", "20:00"]


def _track_sizes(rng: random.Random, shape: Shape) -> list[int]:
    """Uneven track sizes that add up to the number of talks, two talks at least."""
    weights = [1 / (i + 1) ** 0.7 * rng.uniform(0.8, 1.2) for i in range(shape.tracks)]
    total = sum(weights)
    sizes = [max(2, int(shape.talks * w / total)) for w in weights]
    i = 0
    while sum(sizes) != shape.talks:
        step = 1 if sum(sizes) < shape.talks else -1
        if step > 0 or sizes[i % shape.tracks] > 2:
            sizes[i % shape.tracks] += step
        i += 1
    return sizes


def generate(shape: Shape | str, seed: int = 0, name: str | None = None) -> dict:
    """A format-1 instance document of this shape, the same for the same seed."""
    if isinstance(shape, str):
        shape = SHAPES[shape]
    rng = random.Random(f"{shape.name}-{seed}")
    first_day = dt.date(2024, 10, 29)
    blocks = [
        {
            "id": f"d{d + 1}-b{i + 1}",
            "day": (first_day + dt.timedelta(days=d)).isoformat(),
            "start": STARTS[i],
            "minutes": shape.block_minutes,
        }
        for d in range(shape.days)
        for i in range(shape.blocks_per_day)
    ]
    block_ids = [b["id"] for b in blocks]
    low, high = shape.capacities
    capacities = sorted(
        (
            round(low + (high - low) * (i / max(1, shape.rooms - 1)) ** 1.5)
            for i in range(shape.rooms)
        ),
        reverse=True,
    )
    rooms = [{"id": f"room-{i + 1:02d}", "capacity": c} for i, c in enumerate(capacities)]
    for _ in range(shape.unavailable_rooms):
        room = rng.choice(rooms[1:] or rooms)
        room.setdefault("unavailable", [])
        block = rng.choice(block_ids)
        if block not in room["unavailable"]:
            room["unavailable"].append(block)

    tracks = [{"id": f"track-{k + 1:02d}"} for k in range(shape.tracks)]
    for _ in range(shape.similar_pairs):
        a, b = rng.sample(range(shape.tracks), 2)
        similar = tracks[a].setdefault("similar", [])
        if tracks[b]["id"] not in similar and tracks[a]["id"] not in tracks[b].get("similar", []):
            similar.append(tracks[b]["id"])

    sizes = _track_sizes(rng, shape)
    talk_track = [k for k, n in enumerate(sizes) for _ in range(n)]
    rng.shuffle(talk_track)
    n_people = round(shape.talks / (1 + shape.two_talk_share))
    presenter = list(range(n_people)) + rng.sample(range(n_people), shape.talks - n_people)
    rng.shuffle(presenter)
    people = [{"id": f"person-{p + 1:04d}"} for p in range(n_people)]
    for p in rng.sample(range(n_people), min(n_people, shape.unavailable_people)):
        people[p]["unavailable"] = sorted(rng.sample(block_ids, rng.choice((1, 1, 2))))
    talks = [
        {
            "id": f"t{t + 1:04d}",
            "minutes": shape.talk_minutes,
            "track": tracks[talk_track[t]]["id"],
            "people": [people[presenter[t]]["id"]],
        }
        for t in range(shape.talks)
    ]

    # Zipf popularity over a random order of the talks; tracks weigh what their talks weigh.
    ranks = list(range(shape.talks))
    rng.shuffle(ranks)
    popularity = [1 / (ranks[t] + 1) ** shape.zipf for t in range(shape.talks)]
    by_track = [[] for _ in tracks]
    for t, k in enumerate(talk_track):
        by_track[k].append(t)
    track_weight = [sum(popularity[t] for t in ts) for ts in by_track]
    everyone = list(range(shape.talks))
    cumulative = {None: list(itertools.accumulate(popularity))}
    attendees = []
    for a in range(shape.attendees):
        n = rng.randint(*shape.interests)
        favourites = set()
        for _ in range(rng.randint(*shape.favourite_tracks)):
            favourites.add(rng.choices(range(shape.tracks), track_weight)[0])
        key = tuple(sorted(favourites))
        near = [t for k in key for t in by_track[k]]
        if key not in cumulative:
            cumulative[key] = list(itertools.accumulate(popularity[t] for t in near))
        chosen: set[int] = set()
        for _ in range(n * 4):
            if len(chosen) == n:
                break
            if rng.random() < shape.affinity:
                chosen.add(rng.choices(near, cum_weights=cumulative[key])[0])
            else:
                chosen.add(rng.choices(everyone, cum_weights=cumulative[None])[0])
        attendees.append(
            {"id": f"a{a + 1:05d}", "interests": [talks[t]["id"] for t in sorted(chosen)]}
        )

    return {
        "format": INSTANCE_FORMAT,
        "name": name or f"generated-{shape.name.lower()}-{seed}",
        "blocks": blocks,
        "rooms": rooms,
        "tracks": tracks,
        "people": people,
        "talks": talks,
        "attendees": attendees,
    }
