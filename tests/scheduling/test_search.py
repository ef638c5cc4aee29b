"""The solver: valid schedules scored as the reference scorer scores them, better than
the baseline, the same for the same seed and workers, cancellable, and stable on a
re-plan."""

import multiprocessing
import threading
import time

import pytest

from conference.scheduling import (
    CANCELLED,
    FEASIBLE,
    OPTIMAL,
    Search,
    evaluate,
    parse_instance,
    solve,
)
from conference.scheduling.generate import generate
from conference.scheduling.greedy import greedy

from .reference import example_small, reference_score


def check_valid(doc: dict, result) -> dict:
    """The result's solution is valid for score.py, with the objective the result says."""
    reference = reference_score(doc, result.solution)
    assert reference["valid"], reference["violations"]
    assert reference["objective"] == result.objective == result.solution["stats"]["objective"]
    assert reference["terms"] == result.terms
    return reference


@pytest.mark.parametrize("make", [example_small, lambda: generate("XS", 3)], ids=["example", "XS"])
def test_solution_is_valid_and_scored_as_the_reference_scorer_does(make):
    doc = make()
    result = solve(doc, time_limit=2, workers=1)
    assert result.status in (FEASIBLE, OPTIMAL)
    check_valid(doc, result)
    assert result.first_solution_seconds is not None
    assert 0 <= result.bound <= result.objective


def test_solver_beats_the_baseline_within_seconds():
    doc = generate("S", 0)
    inst = parse_instance(doc)
    baseline = evaluate(inst, greedy(inst))[1]
    result = solve(doc, time_limit=3, workers=1)
    check_valid(doc, result)
    assert result.objective < baseline
    assert result.first_solution_seconds < 1


def test_progress_reports_better_and_better_schedules():
    doc = generate("S", 1)
    seen = []
    result = solve(doc, time_limit=2, workers=1, on_progress=seen.append)
    objectives = [p.objective for p in seen]
    assert len(objectives) >= 2
    assert objectives == sorted(objectives, reverse=True) and len(set(objectives)) == len(
        objectives
    )
    assert objectives[-1] == result.objective
    assert all(sum(p.terms.values()) >= 0 and p.bound == result.bound for p in seen)


def test_same_seed_and_workers_give_the_same_schedule():
    doc = example_small()
    runs = [solve(doc, time_limit=120, work_limit=4, seed=7, workers=2) for _ in range(2)]
    assert runs[0].moves == runs[1].moves > 0
    assert runs[0].solution["placements"] == runs[1].solution["placements"]
    other = solve(doc, time_limit=120, work_limit=4, seed=8, workers=2)
    check_valid(doc, other)


def test_tiny_event_is_proven_optimal():
    # Three tracks, two blocks: someone who wants one talk of each has two in one block.
    talks = [
        {"id": f"{k}{i}", "minutes": 20, "track": k} for k in ("a", "b", "c") for i in range(3)
    ]
    doc = {
        "format": "conference-schedule-instance/1",
        "name": "tiny",
        "blocks": [{"id": "b1", "minutes": 60}, {"id": "b2", "minutes": 60}],
        "rooms": [{"id": "r1", "capacity": 10}, {"id": "r2", "capacity": 10}],
        "tracks": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "talks": talks,
        "attendees": [{"id": "x", "interests": ["a0", "b0", "c0"]}],
    }
    result = solve(doc, time_limit=20, workers=1)
    assert (result.status, result.objective, result.bound) == (OPTIMAL, 1, 1)
    check_valid(doc, result)


def test_should_stop_ends_the_search_with_the_best_schedule_so_far():
    doc = generate("S", 2)
    started = time.perf_counter()
    reports = []
    result = solve(
        doc,
        time_limit=60,
        workers=1,
        on_progress=reports.append,
        should_stop=lambda: len(reports) >= 2,
    )
    assert time.perf_counter() - started < 10
    assert result.status == CANCELLED
    check_valid(doc, result)
    assert result.objective <= reports[-1].objective


def test_stop_from_another_thread_ends_the_helper_processes_too():
    doc = generate("S", 2)
    search = Search(doc, workers=2)
    threading.Timer(2, search.stop).start()
    started = time.perf_counter()
    result = search.run(time_limit=60)
    assert time.perf_counter() - started < 15
    assert result.status == CANCELLED
    check_valid(doc, result)
    assert multiprocessing.active_children() == []


def test_cancelled_before_it_starts_returns_no_schedule():
    result = solve(generate("S", 2), time_limit=60, should_stop=lambda: True)
    assert (result.status, result.solution, result.objective) == (CANCELLED, None, None)


def test_replan_after_a_new_unavailability_moves_few_talks():
    doc = generate("S", 3)
    first = solve(doc, time_limit=4, workers=1)
    check_valid(doc, first)
    # A presenter now cannot make the block their talk is in.
    placed = {p["talk"]: p for p in first.solution["placements"]}
    talk = next(t for t in doc["talks"] if placed[t["id"]]["block"] != "d1-b1")
    person = talk["people"][0]
    block = placed[talk["id"]]["block"]
    people = [dict(p) for p in doc["people"]]
    for p in people:
        if p["id"] == person:
            p["unavailable"] = sorted(set(p.get("unavailable", [])) | {block})
    changed = doc | {"people": people}

    again = solve(changed, time_limit=4, workers=1, previous=first.solution)
    reference = check_valid(changed | {"previous": first.solution["placements"]}, again)
    moved = reference["terms"]["moved"]
    assert 1 <= moved <= 0.05 * len(doc["talks"])
    now = {p["talk"]: p["block"] for p in again.solution["placements"]}
    assert all(now[t["id"]] != block for t in doc["talks"] if person in t["people"])
