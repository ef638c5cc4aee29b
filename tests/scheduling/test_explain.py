"""What a schedule leaves, item by item: conflicts by pair of talks, overflowing rooms,
split tracks, similar tracks side by side, moved talks; in words too."""

from conference.scheduling import evaluate, parse_instance
from conference.scheduling.explain import explain, sentences
from conference.scheduling.objective import solution_document

DOC = {
    "format": "conference-schedule-instance/1",
    "name": "explained",
    "blocks": [
        {"id": "d1-am", "day": "2024-10-29", "start": "09:00", "minutes": 60},
        {"id": "d1-pm", "day": "2024-10-29", "start": "14:00", "minutes": 60},
    ],
    "rooms": [{"id": "jasmine", "capacity": 10}, {"id": "orchid", "capacity": 1}],
    "tracks": [{"id": "health", "similar": ["skills"]}, {"id": "skills"}],
    "talks": [
        {"id": "h1", "minutes": 20, "track": "health"},
        {"id": "h2", "minutes": 20, "track": "health"},
        {"id": "s1", "minutes": 20, "track": "skills"},
    ],
    "attendees": [
        {"id": "x", "interests": ["h1", "s1"]},
        {"id": "y", "interests": ["h1", "s1", "h2"]},
        {"id": "z", "interests": ["h2"]},
    ],
    "previous": [{"talk": "h2", "block": "d1-am", "room": "jasmine"}],
}
# h1 and s1 side by side in the morning, h2 in the afternoon in the small room.
SCHEDULE = [(0, 0), (1, 1), (0, 1)]


def test_explanation_lists_what_the_objective_counts():
    inst = parse_instance(DOC)
    found = explain(DOC, solution_document(inst, SCHEDULE))
    assert found["conflicts"] == [
        {"talks": ["h1", "s1"], "block": "d1-am", "rooms": ["jasmine", "orchid"], "attendees": 2}
    ]
    assert found["overflows"] == [  # the largest first, then by talk
        {"talk": "h2", "block": "d1-pm", "room": "orchid", "demand": 2, "capacity": 1},
        {"talk": "s1", "block": "d1-am", "room": "orchid", "demand": 2, "capacity": 1},
    ]
    assert found["split_tracks"] == [
        {
            "track": "health",
            "rooms": [{"room": "jasmine", "talks": 1}, {"room": "orchid", "talks": 1}],
        }
    ]
    assert found["similar_parallel"] == [{"tracks": ["health", "skills"], "blocks": ["d1-am"]}]
    assert found["moved"] == [
        {
            "talk": "h2",
            "from": {"block": "d1-am", "room": "jasmine"},
            "to": {"block": "d1-pm", "room": "orchid"},
        }
    ]
    assert (found["terms"], found["objective"]) == evaluate(inst, SCHEDULE)


def test_explanation_in_words():
    inst = parse_instance(DOC)
    words = sentences(inst, explain(inst, SCHEDULE))
    assert words == [
        "2 attendees want both h1 (jasmine) and s1 (orchid), which run at the same time "
        "in d1-am (2024-10-29 09:00).",
        "h2 is wanted by 2 but orchid seats 1, in d1-pm (2024-10-29 14:00).",
        "s1 is wanted by 2 but orchid seats 1, in d1-am (2024-10-29 09:00).",
        "Track health is split over 2 rooms: jasmine (1 talk), orchid (1 talk).",
        "Similar tracks health and skills run side by side in d1-am (2024-10-29 09:00).",
        "h2 moves from jasmine in d1-am to orchid in d1-pm.",
    ]
