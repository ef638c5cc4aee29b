"""The format's hard rules and attendee term (scheduling/rules.py) agree with the reference
scorer on many placements, valid and not, and say what is wrong in an organiser's words."""

import json
import random

import pytest

from conference.scheduling.instance import InstanceError, parse_instance, parse_solution
from conference.scheduling.objective import violations
from conference.scheduling.rules import attendee_conflicts, check
from tests.factories.scheduling import solution, standard_dir


@pytest.fixture(scope="module")
def reference():
    from tests.factories.scheduling import score_module

    return score_module()


@pytest.fixture(scope="module")
def example():
    return json.loads((standard_dir() / "example-small.json").read_text())


def random_placements(doc, rng):
    """Mostly plausible placements (by track into a room per block), then spoiled now and
    then: a talk missing, twice, in an unknown room, moved to a random session."""
    blocks = [b["id"] for b in doc["blocks"]]
    rooms = [r["id"] for r in doc["rooms"]]
    placements = []
    for talk in doc["talks"]:
        if "fixed" in talk and rng.random() < 0.9:
            placements.append((talk["id"], talk["fixed"]["block"], talk["fixed"]["room"]))
            continue
        placements.append((talk["id"], rng.choice(blocks), rng.choice(rooms)))
    spoil = rng.random()
    if spoil < 0.1:
        placements.pop(rng.randrange(len(placements)))
    elif spoil < 0.2:
        placements.append(rng.choice(placements))
    elif spoil < 0.25:
        talk, block, _ = placements[0]
        placements[0] = (talk, block, "nowhere")
    elif spoil < 0.3:
        placements.append(("ghost", blocks[0], rooms[0]))
    return placements


def test_the_rules_agree_with_the_reference_scorer(reference, example):
    rng = random.Random(14)
    inst = reference.load_instance(example)
    ours = parse_instance(example)
    seen_invalid = 0
    for _ in range(400):
        placements = random_placements(example, rng)
        expected = reference.score(inst, placements)
        found = check(ours, placements)
        assert (not found) == expected["valid"], (placements, expected["violations"], found)
        if not expected["valid"]:
            seen_invalid += 1
            assert {v.rule for v in found} == {v["rule"] for v in expected["violations"]}
    assert seen_invalid > 100  # every rule's way of failing, many times over


def test_a_valid_placement_is_found_valid(reference, example):
    """Talks of each track packed into their own room, block after block: valid for both."""
    inst = reference.load_instance(example)
    rooms = [r["id"] for r in example["rooms"]]
    minutes = {b["id"]: b["minutes"] for b in example["blocks"]}
    free = {(b["id"], r): minutes[b["id"]] for b in example["blocks"] for r in rooms}
    track_of = {}
    placements = [
        (t["id"], t["fixed"]["block"], t["fixed"]["room"]) for t in example["talks"] if "fixed" in t
    ]
    for b, r in [(p[1], p[2]) for p in placements]:
        free[b, r] -= sum(
            t["minutes"] for t in example["talks"] if t.get("fixed") == {"block": b, "room": r}
        )
        track_of[b, r] = next(
            t["track"] for t in example["talks"] if t.get("fixed") == {"block": b, "room": r}
        )
    people_away = {p["id"]: set(p.get("unavailable", ())) for p in example["people"]}
    busy = {}
    for talk in example["talks"]:
        if "fixed" in talk:
            continue
        for (b, r), left in free.items():
            person_ok = all(
                b not in people_away.get(p, ()) and busy.get((p, b), r) == r for p in talk["people"]
            )
            if (
                left >= talk["minutes"]
                and track_of.get((b, r), talk["track"]) == talk["track"]
                and person_ok
            ):
                free[b, r] -= talk["minutes"]
                track_of[b, r] = talk["track"]
                for p in talk["people"]:
                    busy[p, b] = r
                placements.append((talk["id"], b, r))
                break
    assert reference.score(inst, placements)["valid"]
    assert check(parse_instance(example), placements) == []


def test_attendee_conflicts_agree_with_the_reference_term(reference, example):
    rng = random.Random(7)
    inst = reference.load_instance(example)
    for _ in range(100):
        placements = random_placements(example, rng)[: len(example["talks"])]
        where = {}
        for talk, block, room in placements:
            where.setdefault(talk, (block, room))
        if len(where) < len(example["talks"]) or any(
            b not in inst.block_index or r not in inst.room_index for b, r in where.values()
        ):
            continue
        triples = [
            (a["id"], *where[t])
            for a in example["attendees"]
            for t in set(a["interests"])
            if t in where
        ]
        expected = reference.score(inst, placements)["terms"]["attendee_conflict"]
        assert attendee_conflicts(triples) == expected


def test_messages_name_what_organisers_know():
    doc = {
        "format": "conference-schedule-instance/1",
        "name": "x",
        "blocks": [{"id": "d1-1330", "minutes": 60}],
        "rooms": [{"id": "room-1", "capacity": 10}, {"id": "room-2", "capacity": 10}],
        "tracks": [{"id": "track-1"}],
        "people": [{"id": "person-7"}],
        "talks": [
            {"id": "talk-1", "minutes": 40, "track": "track-1", "people": ["person-7"]},
            {"id": "talk-2", "minutes": 30, "track": "track-1", "people": ["person-7"]},
        ],
    }
    names = {
        "d1-1330": "Tue 13:30–14:30",
        "room-1": "Lotus",
        "room-2": "Orchid",
        "person-7": "Hà Trung Chiến",
        "talk-1": "Son La",
        "talk-2": "Suwon",
    }
    inst = parse_instance(doc)
    found = check(inst, [("talk-1", "d1-1330", "room-1"), ("talk-2", "d1-1330", "room-2")], names)
    assert [v.message for v in found] == [
        "Hà Trung Chiến is due in two rooms at once, Tue 13:30–14:30 (“Son La”, “Suwon”)."
    ]
    found = check(inst, [("talk-1", "d1-1330", "room-1"), ("talk-2", "d1-1330", "room-1")], names)
    assert [v.message for v in found] == [
        "Lotus, Tue 13:30–14:30: 70 minutes of talks in a 60-minute session (“Son La”, “Suwon”)."
    ]
    # The solver's own check of what it returns is the same one, in ids.
    assert violations(inst, [(0, 0), (0, 0)]) == [
        "room-1, d1-1330: 70 minutes of talks in a 60-minute session (“talk-1”, “talk-2”)."
    ]


@pytest.mark.parametrize(
    "document, message",
    [
        ([], "solution: expected an object"),
        ({"format": "conference-schedule-solution/2"}, "solution.format"),
        (
            {"format": "conference-schedule-solution/1", "instance": "x", "placements": {}},
            "solution.placements",
        ),
        (
            {
                "format": "conference-schedule-solution/1",
                "instance": "x",
                "placements": [{"talk": "t"}],
            },
            "solution.placements[0].block",
        ),
    ],
)
def test_a_malformed_solution_is_refused_saying_what_is_wrong(document, message):
    with pytest.raises(InstanceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_solution(document, repeats=True)


def test_a_talk_placed_twice_is_refused_or_left_to_the_rules():
    twice = solution("x", [("t", "b", "r"), ("t", "b", "r2")])
    with pytest.raises(InstanceError, match="placed twice"):
        parse_solution(twice)
    assert parse_solution(twice, repeats=True) == [("t", "b", "r"), ("t", "b", "r2")]
