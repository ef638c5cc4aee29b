"""The event as a scheduling instance (format 1), and solutions read back into the draft:
the mapping checked field by field and by the format's own scorer, the draft written as a
solution says, and refusals that leave the draft as it was."""

import json

import jsonschema
import pytest
from sqlalchemy import select

from conference.agenda.availability import mark_presenter_unavailable
from conference.agenda.instances import (
    SolutionRefused,
    apply_solution,
    build_instance,
    draft_attendee_conflicts,
    export_instance,
)
from conference.agenda.models import AgendaSession, AgendaSignup, Talk
from conference.agenda.publishing import publish, snapshot
from conference.agenda.talks import place_talk
from conference.errors import ValidationError
from conference.extensions import db as _db
from tests.factories.scheduling import (
    clock,
    instance_schema,
    scheduling_event,
    score_module,
    solution,
)


def key(row) -> str:
    prefix = {"Talk": "talk", "Room": "room", "Track": "track", "Registration": "person"}
    return f"{prefix[type(row).__name__]}-{row.id}"


def by_id(items) -> dict:
    return {item["id"]: item for item in items}


@pytest.fixture
def s(db):
    return scheduling_event()


def scored(doc, placements):
    score = score_module()
    inst = score.load_instance(doc)
    return score.score(inst, score.load_solution(solution(doc["name"], placements), inst))


def good_placements(s):
    """A valid solution: Inclusion in Lotus and Climate in Orchid in the first block, the
    kept Skills talk where it is."""
    b1, b2 = (b.id for b in s.blocks)
    return [
        (key(s.son_la), b1, key(s.lotus)),
        (key(s.later), b1, key(s.lotus)),
        (key(s.yeonsu), b1, key(s.lotus)),
        (key(s.panel), b1, key(s.orchid)),
        (key(s.suwon), b1, key(s.orchid)),
        (key(s.skills_talk), b2, key(s.lotus)),
    ]


# Building --------------------------------------------------------------------------------


def test_instance_is_valid_for_the_reference_scorer_and_the_schema(s):
    doc = build_instance(s.event)
    jsonschema.validate(doc, instance_schema())
    inst = score_module().load_instance(doc)  # raises FormatError on a broken reference
    assert inst.n_talks == len(doc["talks"])
    json.dumps(doc)  # plain JSON


def test_blocks_are_the_parallel_windows(s):
    doc = build_instance(s.event)
    day = s.event.start_date.isoformat()
    assert doc["blocks"] == [
        {"id": "d1-1330", "day": day, "start": "13:30", "minutes": 90},
        {"id": "d1-1530", "day": day, "start": "15:30", "minutes": 90},
    ]


def test_rooms_are_those_of_parallel_sessions_with_their_unavailable_blocks(s):
    doc = build_instance(s.event)
    rooms = by_id(doc["rooms"])
    assert list(rooms) == [key(s.lotus), key(s.orchid), key(s.jasmine)]  # not the hall
    assert rooms[key(s.lotus)]["capacity"] == 40
    # Orchid's size is unknown: big enough for everyone, so it never counts as overflowing.
    assert rooms[key(s.orchid)]["capacity"] == len(doc["attendees"])
    assert rooms[key(s.orchid)]["unavailable"] == ["d1-1530"]  # the keynote is there
    assert rooms[key(s.jasmine)]["unavailable"] == ["d1-1530"]  # marked by the organisers
    assert "unavailable" not in rooms[key(s.lotus)]


def test_talks_to_schedule_placed_waiting_and_kept(s):
    doc = build_instance(s.event)
    talks = by_id(doc["talks"])
    assert set(talks) == {
        key(t) for t in (s.son_la, s.yeonsu, s.suwon, s.panel, s.skills_talk, s.later)
    }  # not the keynote, nor the talk without a paper waiting outside any session
    assert talks[key(s.skills_talk)]["fixed"] == {"block": "d1-1530", "room": key(s.lotus)}
    assert all("fixed" not in t for k, t in talks.items() if k != key(s.skills_talk))
    assert talks[key(s.son_la)]["minutes"] == 30
    assert talks[key(s.son_la)]["track"] == key(s.inclusion)
    assert talks[key(s.panel)]["track"] == key(s.climate)  # its session's, having no paper
    assert talks[key(s.later)]["people"] == [key(s.p1)]
    assert talks[key(s.panel)]["people"] == []


def test_people_are_presenters_with_the_blocks_they_cannot_make(s):
    people = by_id(build_instance(s.event)["people"])
    assert set(people) == {key(p) for p in (s.p1, s.p2, s.p3, s.p4)}
    assert people[key(s.p2)]["unavailable"] == ["d1-1530"]  # leaves at 15:00
    assert people[key(s.p3)]["unavailable"] == ["d1-1530"]  # gives the keynote then
    assert "unavailable" not in people[key(s.p1)]


def test_attendees_are_confirmed_delegates_with_interests_in_its_talks(s):
    doc = build_instance(s.event)
    attendees = {a["id"]: set(a["interests"]) for a in doc["attendees"]}
    assert attendees == {
        f"a{s.ana.id}": {key(s.son_la), key(s.suwon)},  # not the talk left out
        f"a{s.ben.id}": {key(s.son_la), key(s.yeonsu), key(s.later)},
        f"a{s.cai.id}": {key(s.suwon), key(s.skills_talk)},
    }  # the delegate pending approval does not count yet
    text = json.dumps(doc)
    assert s.ana.email not in text and s.ana.family_name not in text


def test_similar_tracks_and_default_weights(s):
    doc = build_instance(s.event)
    tracks = by_id(doc["tracks"])
    pair = {key(s.inclusion), key(s.climate)}
    first = min(pair, key=lambda k: int(k.split("-")[1]))
    assert tracks[first]["similar"] == list(pair - {first})
    assert doc["weights"] == {
        "attendee_conflict": 1,
        "capacity_overflow": 1,
        "track_rooms": 10,
        "similar_parallel": 5,
        "moved": 20,
    }
    assert doc["mixed_sessions"] is False
    assert "previous" not in doc


def test_previous_placement_from_the_draft_or_the_publication(s):
    draft = build_instance(s.event, previous="draft")
    assert {(p["talk"], p["block"], p["room"]) for p in draft["previous"]} == {
        (key(s.son_la), "d1-1330", key(s.lotus)),
        (key(s.yeonsu), "d1-1330", key(s.lotus)),
        (key(s.suwon), "d1-1330", key(s.orchid)),
        (key(s.panel), "d1-1330", key(s.orchid)),
        (key(s.skills_talk), "d1-1530", key(s.lotus)),
    }
    with pytest.raises(ValidationError, match="not published"):
        build_instance(s.event, previous="published")
    s.a.chairs = [s.chair]  # Suwon's presenter cannot chair A at the same time
    publish(s.event)
    place_talk(s.event, s.suwon, s.a.id)  # moved in the draft after publishing
    published = build_instance(s.event, previous="published")
    suwon = next(p for p in published["previous"] if p["talk"] == key(s.suwon))
    assert suwon["room"] == key(s.orchid)
    # The reference scorer counts Suwon as moved when the draft is the solution.
    result = scored(published, [(p["talk"], p["block"], p["room"]) for p in draft["previous"]])
    assert result["terms"]["moved"] == 0
    now = build_instance(s.event, previous="draft")["previous"]
    result = scored(published, [(p["talk"], p["block"], p["room"]) for p in now])
    assert result["terms"]["moved"] == 1


def test_talks_not_to_place_are_kept_or_left_out(s):
    doc = build_instance(s.event, place=[s.son_la.id])
    talks = by_id(doc["talks"])
    assert "fixed" not in talks[key(s.son_la)]
    assert talks[key(s.suwon)]["fixed"] == {"block": "d1-1330", "room": key(s.orchid)}
    assert key(s.later) not in talks  # not placed and not to place: stays waiting
    with pytest.raises(ValidationError, match="talks to place"):
        build_instance(s.event, place=[s.keynote_talk.id])


def test_an_agenda_without_parallel_sessions_cannot_be_exported(db):
    from tests.factories.events import make_event

    with pytest.raises(ValidationError, match="no parallel sessions"):
        build_instance(make_event())


def test_draft_conflicts_agree_with_the_reference_scorer(s):
    doc = build_instance(s.event, previous="draft")
    placements = [(p["talk"], p["block"], p["room"]) for p in doc["previous"]]
    result = scored(doc, placements)
    # Son La (Lotus) and Suwon (Orchid) in one block: ana is torn; ben is not.
    assert draft_attendee_conflicts(s.event) == result["terms"]["attendee_conflict"] == 1


# Reading a solution back -----------------------------------------------------------------


def test_a_solution_is_read_into_the_draft(s):
    kept = export_instance(s.event)
    placements = good_placements(s)
    assert scored(kept.document, placements)["valid"]
    signup = AgendaSignup(registration_id=s.ana.id, session_id=s.d.id)
    _db.session.add(signup)
    _db.session.commit()
    d_id = s.d.id

    applied = apply_solution(s.event, solution(kept.name, placements))
    _db.session.commit()

    assert (applied.sessions_created, applied.sessions_changed, applied.sessions_deleted) == (
        0,
        3,
        1,
    )
    assert _db.session.get(AgendaSession, d_id) is None  # left empty: deleted
    assert applied.signups_dropped == 1
    a, b, c = (_db.session.get(AgendaSession, x.id) for x in (s.a, s.b, s.c))
    assert (a.title, a.room_id, a.track_id) == ("Inclusion", s.lotus.id, s.inclusion.id)
    assert (b.title, b.room_id) == ("Climate", s.orchid.id)
    assert [t.title for t in a.talks] == ["Son La", "Later", "Yeonsu"]  # the solution's order
    assert [clock(s.event, t.starts_at) for t in a.talks] == ["13:30", "14:00", "14:20"]
    assert [t.title for t in c.talks] == ["Skills"]
    # Suwon's presenter presents in Orchid at the same time: no longer A's chair.
    assert [p.id for p in a.chairs] == [s.chair.id]
    assert (
        len(applied.chairs_dropped) == 1 and "presents in Orchid Room" in applied.chairs_dropped[0]
    )
    assert applied.talks_moved == ["Later"]
    # What the reference scorer says of the solution is what the draft now holds.
    assert (
        applied.conflicts_after == scored(kept.document, placements)["terms"]["attendee_conflict"]
    )
    assert draft_attendee_conflicts(s.event) == applied.conflicts_after


def test_sessions_follow_their_track_to_another_room_and_new_ones_are_made(s):
    kept = export_instance(s.event)
    b1, b2 = (b.id for b in s.blocks)
    placements = [
        (key(s.son_la), b1, key(s.orchid)),
        (key(s.yeonsu), b1, key(s.orchid)),
        (key(s.later), b1, key(s.orchid)),
        (key(s.suwon), b1, key(s.jasmine)),
        (key(s.panel), b1, key(s.lotus)),
        (key(s.skills_talk), b2, key(s.lotus)),
    ]
    applied = apply_solution(s.event, solution(kept.name, placements))
    _db.session.commit()
    assert (applied.sessions_created, applied.sessions_changed, applied.sessions_deleted) == (
        1,
        3,  # A, B, and C in the second block
        1,
    )
    # A (Inclusion) follows its track to Orchid, B (Climate) to Jasmine; the second Climate
    # session is new, in Lotus; D is left without talks and goes.
    a, b = (_db.session.get(AgendaSession, x.id) for x in (s.a, s.b))
    assert (a.room.name, a.title, sorted(t.title for t in a.talks)) == (
        "Orchid Room",
        "Inclusion",
        ["Later", "Son La", "Yeonsu"],
    )
    assert (b.room.name, b.title, [t.title for t in b.talks]) == (
        "Jasmine Room",
        "Climate",
        ["Suwon"],
    )
    held = {
        x.room.name: (x.title, [t.title for t in x.talks])
        for x in _db.session.scalars(
            select(AgendaSession).where(
                AgendaSession.event_id == s.event.id,
                AgendaSession.kind == "parallel",
                AgendaSession.starts_at == a.starts_at,
            )
        )
    }
    assert held == {
        "Orchid Room": ("Inclusion", ["Son La", "Yeonsu", "Later"]),
        "Jasmine Room": ("Climate", ["Suwon"]),
        "Lotus Room": ("Climate", ["Panel"]),
    }


def _draft_now(event) -> dict:
    return snapshot(event)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda s, p: p + [(key(s.keynote_talk), p[0][1], key(s.lotus))], "no talk"),
        (lambda s, p: p[1:], "is not placed"),
        (lambda s, p: p + [p[0]], "placed 2 times"),
        (
            lambda s, p: [(t, b, "room-999999" if i == 0 else r) for i, (t, b, r) in enumerate(p)],
            "unknown room",
        ),
        (
            lambda s, p: [(t, "d9-0900" if i == 0 else b, r) for i, (t, b, r) in enumerate(p)],
            "unknown block",
        ),
        (
            lambda s, p: [(t, b, key(s.lotus) if t == key(s.suwon) else r) for t, b, r in p],
            "share one session",
        ),
        (
            lambda s, p: [
                (
                    t,
                    s.blocks[1].id if t in (key(s.suwon), key(s.panel)) else b,
                    key(s.jasmine) if t in (key(s.suwon), key(s.panel)) else r,
                )
                for t, b, r in p
            ],
            "cannot make",
        ),
        (
            lambda s, p: [
                (t, s.blocks[0].id if t == key(s.skills_talk) else b, r) for t, b, r in p
            ],
            "may not move",
        ),
    ],
    ids=[
        "unknown talk",
        "missing talk",
        "twice",
        "unknown room",
        "unknown block",
        "two tracks",
        "presenter away",
        "kept talk moved",
    ],
)
def test_a_solution_breaking_a_rule_is_refused_and_nothing_changes(s, change, expected):
    kept = export_instance(s.event)
    _db.session.commit()
    before = _draft_now(s.event)
    placements = change(s, good_placements(s))
    assert not scored(kept.document, placements)["valid"]  # the reference agrees
    with pytest.raises(SolutionRefused) as refused:
        apply_solution(s.event, solution(kept.name, placements))
    _db.session.rollback()
    assert any(expected in line for line in refused.value.problems), refused.value.problems
    assert _draft_now(s.event) == before


def test_a_solution_to_an_unknown_instance_or_of_another_format_is_refused(s):
    kept = export_instance(s.event)
    with pytest.raises(ValidationError, match="No instance called"):
        apply_solution(s.event, solution("someone-else-1", good_placements(s)))
    broken = solution(kept.name, good_placements(s)) | {"format": "csv"}
    with pytest.raises(ValidationError, match="format"):
        apply_solution(s.event, broken)
    with pytest.raises(ValidationError, match="No instance"):
        apply_solution(s.event, ["not", "an", "object"])


def test_a_new_unavailability_since_the_export_refuses_the_solution(s):
    kept = export_instance(s.event)
    mark_presenter_unavailable(s.event, s.p1, s.blocks[0], "Flight delayed")
    _db.session.commit()
    before = _draft_now(s.event)
    with pytest.raises(SolutionRefused) as refused:
        apply_solution(s.event, solution(kept.name, good_placements(s)))
    _db.session.rollback()
    assert refused.value.problems == [
        f"Hà Trung Chiến now cannot make: {s.blocks[0].label} (was: none)."
    ]
    assert _draft_now(s.event) == before


def test_a_talk_moved_in_the_editor_since_the_export_refuses_the_solution(s):
    kept = export_instance(s.event)
    place_talk(s.event, s.yeonsu, s.b.id)
    _db.session.commit()
    with pytest.raises(SolutionRefused) as refused:
        apply_solution(s.event, solution(kept.name, good_placements(s)))
    assert refused.value.problems == ["“Yeonsu” was moved in the editor since the export."]


def test_changed_talks_since_the_export_refuse_the_solution(s):
    kept = export_instance(s.event)
    s.son_la.duration_minutes = 45
    s.suwon.fixed = True
    extra = Talk(event_id=s.event.id, title="Surprise", duration_minutes=10, session=s.b)
    extra.starts_at = s.b.starts_at
    _db.session.add(extra)
    _db.session.commit()
    with pytest.raises(SolutionRefused) as refused:
        apply_solution(s.event, solution(kept.name, good_placements(s)))
    assert set(refused.value.problems) == {
        "“Son La” now lasts 45 minutes (was 30).",
        "“Suwon” is now kept where it is.",
        "“Surprise” was placed in a parallel session of these blocks since.",
    }


def test_interests_changed_since_the_export_do_not_refuse_the_solution(s):
    from conference.agenda.interests import set_interest

    kept = export_instance(s.event)
    set_interest(s.cai, s.yeonsu, True)
    _db.session.commit()
    apply_solution(s.event, solution(kept.name, good_placements(s)))


def test_a_solution_applied_twice_is_refused_the_second_time(s):
    kept = export_instance(s.event)
    apply_solution(s.event, solution(kept.name, good_placements(s)))
    _db.session.commit()
    with pytest.raises(SolutionRefused, match="changed since"):
        apply_solution(s.event, solution(kept.name, good_placements(s)))


# The commands ----------------------------------------------------------------------------


def test_export_then_import_through_the_commands(app, s, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "instance.json"
    result = runner.invoke(
        args=["agenda", "export-instance", "--event", s.event.slug, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    score_module().load_instance(doc)
    assert f"Instance {doc['name']} written" in result.output
    answer = tmp_path / "solution.json"
    answer.write_text(json.dumps(solution(doc["name"], good_placements(s))))
    result = runner.invoke(args=["agenda", "import-solution", "--event", s.event.slug, str(answer)])
    assert result.exit_code == 0, result.output
    assert "Delegates torn between rooms: 1 → " in result.output
    _db.session.expire_all()
    assert _db.session.get(Talk, s.later.id).session_id == s.a.id


def test_a_refused_import_says_why_and_writes_nothing(app, s, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "instance.json"
    runner.invoke(args=["agenda", "export-instance", "--event", s.event.slug, "--out", str(out)])
    doc = json.loads(out.read_text())
    answer = tmp_path / "solution.json"
    answer.write_text(json.dumps(solution(doc["name"], good_placements(s)[1:])))
    before = _draft_now(s.event)
    result = runner.invoke(args=["agenda", "import-solution", "--event", s.event.slug, str(answer)])
    assert result.exit_code == 1
    assert "“Son La” is not placed." in result.output
    assert "nothing was changed" in result.output
    _db.session.expire_all()
    assert _draft_now(s.event) == before
    answer.write_text("{not json")
    result = runner.invoke(args=["agenda", "import-solution", "--event", s.event.slug, str(answer)])
    assert result.exit_code == 1 and "is not a JSON file" in result.output


def test_export_of_an_unknown_event_or_an_empty_agenda_says_so(app, db, tmp_path):
    from tests.factories.events import make_event

    runner = app.test_cli_runner()
    out = tmp_path / "instance.json"
    result = runner.invoke(args=["agenda", "export-instance", "--event", "nope", "--out", str(out)])
    assert result.exit_code == 1 and "nope" in result.output
    event = make_event()
    result = runner.invoke(
        args=["agenda", "export-instance", "--event", event.slug, "--out", str(out)]
    )
    assert result.exit_code == 1 and "no parallel sessions" in result.output
    assert not out.exists()
