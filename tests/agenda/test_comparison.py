"""The draft against a proposal (pure): the counts organisers weigh, checked against the
format's reference scorer; the running order that keeps talks where they were; the
solver's ids put in names and event times."""

from conference.agenda.comparison import (
    block_label,
    compare,
    explained,
    in_running_order,
    names_of,
    reasons_in_words,
    sessions,
)
from tests.factories.scheduling import score_module

DOC = {
    "format": "conference-schedule-instance/1",
    "name": "forum-1",
    "blocks": [
        {"id": "d1-1330", "day": "2026-10-29", "start": "13:30", "minutes": 90},
        {"id": "d1-1530", "day": "2026-10-29", "start": "15:30", "minutes": 90},
    ],
    "rooms": [
        {"id": "room-1", "name": "Lotus Room", "capacity": 2},
        {"id": "room-2", "name": "Orchid Room", "capacity": 40},
    ],
    "tracks": [{"id": "track-1", "name": "Inclusion"}, {"id": "track-2", "name": "Climate"}],
    "people": [{"id": "person-7"}],
    "talks": [
        {"id": "talk-1", "title": "Son La", "minutes": 30, "track": "track-1", "people": []},
        {"id": "talk-2", "title": "Yeonsu", "minutes": 30, "track": "track-1", "people": []},
        {"id": "talk-3", "title": "Suwon", "minutes": 30, "track": "track-2", "people": []},
    ],
    "attendees": [
        {"id": "a1", "interests": ["talk-1", "talk-3"]},
        {"id": "a2", "interests": ["talk-1", "talk-2", "talk-3"]},
        {"id": "a3", "interests": ["talk-1"]},
    ],
}


def scored(placement):
    score = score_module()
    inst = score.load_instance(DOC)
    solution = {
        "format": "conference-schedule-solution/1",
        "instance": DOC["name"],
        "placements": [{"talk": t, "block": b, "room": r} for t, (b, r) in placement.items()],
    }
    return score.score(inst, score.load_solution(solution, inst))


def test_counts_agree_with_the_reference_scorer():
    before = {
        "talk-1": ("d1-1330", "room-1"),
        "talk-2": ("d1-1330", "room-2"),
        "talk-3": ("d1-1330", "room-2"),
    }
    after = {
        "talk-1": ("d1-1330", "room-2"),
        "talk-2": ("d1-1330", "room-2"),
        "talk-3": ("d1-1530", "room-1"),
    }
    c = compare(DOC, before, after)
    for side, placement in ((c.before, before), (c.after, after)):
        terms = scored(placement)["terms"]
        assert side.attendee_conflicts == terms["attendee_conflict"]
        assert side.overflow == terms["capacity_overflow"]
        assert sum(n - 1 for n in side.rooms_per_track.values()) == terms["track_rooms"]
    assert (c.before.attendee_conflicts, c.after.attendee_conflicts) == (2, 0)
    assert (c.before.overflow, c.before.overflowing_talks) == (1, 1)  # Son La: 3 want, 2 seats
    assert [m["talk"] for m in c.moved] == ["talk-1", "talk-3"]


def test_a_talk_not_placed_before_counts_as_newly_placed():
    c = compare(
        DOC,
        {"talk-1": ("d1-1330", "room-2")},
        {
            "talk-1": ("d1-1330", "room-2"),
            "talk-2": ("d1-1330", "room-2"),
            "talk-3": ("d1-1530", "room-2"),
        },
    )
    assert (c.newly_placed, c.moved_placed, c.before.placed, c.after.placed) == (2, 0, 1, 3)


def test_talks_that_stay_keep_their_order_and_the_others_follow():
    before = {"talk-2": ("d1-1330", "room-1"), "talk-3": ("d1-1330", "room-2")}
    starts = {"talk-2": "2026-10-29T06:30"}
    solution = {
        "format": "conference-schedule-solution/1",
        "instance": "forum-1",
        "placements": [
            {"talk": "talk-1", "block": "d1-1330", "room": "room-1"},
            {"talk": "talk-3", "block": "d1-1530", "room": "room-2"},
            {"talk": "talk-2", "block": "d1-1330", "room": "room-1"},
        ],
    }
    ordered = in_running_order(DOC, solution, before, starts)
    assert [p["talk"] for p in ordered["placements"]] == ["talk-2", "talk-1", "talk-3"]
    cells = sessions(
        DOC,
        {p["talk"]: (p["block"], p["room"]) for p in ordered["placements"]},
        [p["talk"] for p in ordered["placements"]],
    )
    assert cells["d1-1330", "room-1"].talks == ["talk-2", "talk-1"]
    assert cells["d1-1330", "room-1"].tracks == ["track-1"]


def test_ids_become_names_and_event_times():
    names = names_of(DOC, {"person-7": "Hà Trung Chiến"})
    assert block_label(DOC["blocks"][0]) == "Thu 29 Oct 13:30–15:00"
    reasons = reasons_in_words(
        ["Talk talk-1 (30 min) fits no block: person-7 cannot make it in d1-1330, d1-1530."],
        names,
    )
    assert reasons == [
        "Talk “Son La” (30 min) fits no block: Hà Trung Chiến cannot make it in "
        "Thu 29 Oct 13:30–15:00, Thu 29 Oct 15:30–17:00."
    ]
    shown = explained(
        {
            "conflicts": [
                {
                    "talks": ["talk-1", "talk-3"],
                    "block": "d1-1330",
                    "rooms": ["room-1", "room-2"],
                    "attendees": 2,
                }
            ],
            "overflows": [
                {"talk": "talk-1", "block": "d1-1330", "room": "room-1", "demand": 3, "capacity": 2}
            ],
            "split_tracks": [
                {
                    "track": "track-1",
                    "rooms": [{"room": "room-1", "talks": 1}, {"room": "room-2", "talks": 1}],
                }
            ],
            "similar_parallel": [],
        },
        names,
    )
    assert shown["conflicts"][0] == {
        "attendees": 2,
        "block": "Thu 29 Oct 13:30–15:00",
        "talks": [
            {"title": "Son La", "room": "Lotus Room"},
            {"title": "Suwon", "room": "Orchid Room"},
        ],
    }
    assert shown["overflows"][0]["room"] == "Lotus Room"
    assert shown["split_tracks"][0]["track"] == "Inclusion"
