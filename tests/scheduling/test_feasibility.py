"""An event with no valid schedule gets the reason in words: which talk fits no block, why."""

from conference.scheduling import INFEASIBLE, solve

from .instances import instance, talk


def reasons_for(doc) -> list[str]:
    result = solve(doc, time_limit=10, workers=1)
    assert result.status == INFEASIBLE
    assert result.solution is None
    return result.reasons


def test_presenter_unavailable_in_every_block():
    doc = instance(
        [talk("p1", people=["somchai"]), talk("p2")],
        people=[{"id": "somchai", "unavailable": ["b1", "b2"]}],
    )
    assert reasons_for(doc) == [
        "Talk p1 (20 min) fits no block: somchai cannot make it in every block."
    ]


def test_talk_longer_than_every_block():
    doc = instance([talk("p1"), talk("keynote", minutes=90)], minutes=60)
    assert reasons_for(doc) == [
        "Talk keynote (90 min) fits no block: the block is too short (60 min) in every block."
    ]


def test_talk_with_mixed_reasons_says_each_block_s():
    doc = instance(
        [talk("p1", people=["ana"], unavailable=["b2"])],
        people=[{"id": "ana", "unavailable": ["b1"]}],
    )
    (reason,) = reasons_for(doc)
    assert reason.startswith("Talk p1 (20 min) fits no block.")
    assert "b1: ana cannot make it" in reason
    assert "b2: the talk itself is marked unavailable" in reason


def test_two_talks_of_one_presenter_in_different_tracks_with_one_block_they_can_make():
    doc = instance(
        [talk("p1", "health", people=["mai"]), talk("p2", "skills", people=["mai"])],
        blocks=3,
        rooms=3,
        people=[{"id": "mai", "unavailable": ["b2", "b3"]}],
    )
    (reason,) = reasons_for(doc)
    assert reason.startswith(
        "mai gives talks in 2 tracks (p1, p2), which must be in different blocks"
    )
    assert "only be placed in 1 block(s) (b1)" in reason


def test_more_tracks_than_sessions():
    doc = instance([talk("p1", "health"), talk("p2", "skills"), talk("p3", "cities")], blocks=2)
    assert reasons_for(doc) == [
        "The tracks need at least 3 sessions (one track per session), "
        "but the blocks and rooms make only 2."
    ]


def test_talks_that_cannot_all_be_placed_together_are_named():
    # Each check passes alone (every talk has a block, two sessions for two tracks), but
    # both talks can only run in b1, in the one room, and they are of different tracks.
    doc = instance(
        [talk("p1", "health", unavailable=["b2"]), talk("p2", "skills", unavailable=["b2"])],
        blocks=2,
    )
    (reason,) = reasons_for(doc)
    assert reason.startswith("These 2 talks cannot all be placed together")
    assert "p1 (health, 20 min; possible blocks: b1)" in reason
    assert "p2 (skills, 20 min; possible blocks: b1)" in reason


def test_feasible_but_tight_instance_is_solved():
    doc = instance(
        [talk("p1", "health", unavailable=["b2"]), talk("p2", "skills", unavailable=["b1"])],
        blocks=2,
    )
    result = solve(doc, time_limit=5, workers=1)
    assert result.status == "optimal" and result.objective == 0
