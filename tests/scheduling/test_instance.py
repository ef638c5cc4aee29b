"""A malformed or inconsistent instance is refused, naming the field and what is wrong."""

import copy

import pytest

from conference.scheduling import InstanceError, parse_instance, parse_solution
from conference.scheduling.generate import generate


def small() -> dict:
    return generate("XS", 0)


def changed(change) -> dict:
    doc = copy.deepcopy(small())
    change(doc)
    return doc


def fix_first_talk(doc, block, room):
    doc["talks"][0]["fixed"] = {"block": block, "room": room}


CASES = {
    "wrong format": (
        lambda d: d.update(format="schedule/2"),
        "format",
        "conference-schedule-instance/1",
    ),
    "no talks": (lambda d: d.pop("talks"), "talks", "missing"),
    "negative minutes": (
        lambda d: d["talks"][3].update(minutes=-20),
        "talks[3].minutes",
        "whole number >= 1, not -20",
    ),
    "minutes as text": (lambda d: d["blocks"][1].update(minutes="60"), "blocks[1].minutes", "'60'"),
    "negative capacity": (lambda d: d["rooms"][0].update(capacity=-1), "rooms[0].capacity", "-1"),
    "duplicate talk id": (
        lambda d: d["talks"][2].update(id=d["talks"][1]["id"]),
        "talks[2].id",
        "duplicate id",
    ),
    "unknown track": (
        lambda d: d["talks"][4].update(track="robotics"),
        "talks[4].track[0]",
        "unknown track 'robotics'",
    ),
    "unknown person": (
        lambda d: d["talks"][0].update(people=["nobody"]),
        "talks[0].people[0]",
        "unknown person 'nobody'",
    ),
    "unknown interest": (
        lambda d: d["attendees"][5].update(interests=["t0001", "t9999"]),
        "attendees[5].interests[1]",
        "unknown talk 't9999'",
    ),
    "unknown unavailable block": (
        lambda d: d["rooms"][1].update(unavailable=["d9-b9"]),
        "rooms[1].unavailable[0]",
        "unknown block",
    ),
    "track similar to itself": (
        lambda d: d["tracks"][0].update(similar=[d["tracks"][0]["id"]]),
        "tracks[0].similar",
        "itself",
    ),
    "unknown weight": (
        lambda d: d.update(weights={"lateness": 3}),
        "weights",
        "unknown term 'lateness'",
    ),
    "negative weight": (lambda d: d.update(weights={"moved": -1}), "weights.moved", "-1"),
    "fixed without room": (
        lambda d: d["talks"][0].update(fixed={"block": "d1-b1"}),
        "talks[0].fixed.room",
        "missing",
    ),
    "fixed in unknown room": (
        lambda d: fix_first_talk(d, "d1-b1", "attic"),
        "talks[0].fixed.room[0]",
        "unknown room 'attic'",
    ),
    "previous listing a talk twice": (
        lambda d: d.update(previous=[{"talk": "t0001", "block": "x", "room": "y"}] * 2),
        "previous[1].talk",
        "listed twice",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_malformed_instance_names_the_field(case):
    change, field, words = case
    with pytest.raises(InstanceError) as caught:
        parse_instance(changed(change))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_fixed_talk_in_a_block_its_presenter_cannot_make_is_inconsistent():
    def change(doc):
        person = doc["talks"][0]["people"][0]
        next(p for p in doc["people"] if p["id"] == person)["unavailable"] = ["d1-b2"]
        fix_first_talk(doc, "d1-b2", "room-01")

    with pytest.raises(InstanceError) as caught:
        parse_instance(changed(change))
    assert caught.value.field == "talks[0].fixed"
    assert "is fixed in block 'd1-b2'" in str(caught.value) and "unavailable" in str(caught.value)


def test_fixed_talk_in_a_room_closed_that_block_is_inconsistent():
    def change(doc):
        doc["rooms"][2]["unavailable"] = ["d1-b3"]
        fix_first_talk(doc, "d1-b3", doc["rooms"][2]["id"])

    with pytest.raises(InstanceError, match=r"talks\[0\]\.fixed: .*unavailable in block 'd1-b3'"):
        parse_instance(changed(change))


def test_fixed_talks_of_two_tracks_in_one_session_are_inconsistent():
    def change(doc):
        first = doc["talks"][0]
        other = next(t for t in doc["talks"] if t["track"] != first["track"])
        first["fixed"] = other["fixed"] = {"block": "d1-b1", "room": "room-01"}

    with pytest.raises(InstanceError, match="of different tracks are fixed in one session"):
        parse_instance(changed(change))


def test_unknown_keys_and_optional_lists_are_accepted():
    doc = changed(lambda d: d.update(venue="BITEC", mixed_sessions=False))
    for key in ("people", "attendees", "previous", "weights"):
        doc.pop(key, None)
    for talk in doc["talks"]:
        talk.pop("people")
    inst = parse_instance(doc)
    assert inst.n_talks == len(doc["talks"]) and inst.demand == [0] * inst.n_talks


def test_previous_solution_must_follow_the_format():
    with pytest.raises(InstanceError, match=r"^previous\.placements\[0\]\.room: "):
        parse_solution(
            {
                "format": "conference-schedule-solution/1",
                "instance": "x",
                "placements": [{"talk": "a", "block": "b"}],
            },
            where="previous",
        )
