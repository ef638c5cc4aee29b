"""Proposals of parallel sessions: the job keeps a valid proposal and touches no draft;
a cancel or a dead worker leaves the draft as it was; accepting puts the proposal in the
draft and lowers the delegates' conflicts, or is refused with what changed; a re-plan
after a presenter's new unavailability moves few talks, keeps every rule, and publishing
tells the presenters of the talks it moved."""

import time

import pytest
from sqlalchemy import select

from conference.agenda.availability import mark_presenter_unavailable
from conference.agenda.instances import SolutionRefused, draft_attendee_conflicts
from conference.agenda.models import AgendaSession, ProposalStatus, ScheduleProposal
from conference.agenda.proposals import (
    ProposalOptions,
    accept_proposal,
    cancel_proposal,
    discard_proposal,
    follow,
    proposal_choices,
    proposal_page,
    start_proposal,
)
from conference.agenda.publishing import latest_publication, publish, snapshot
from conference.agenda.talks import place_talk
from conference.errors import ValidationError
from conference.extensions import db as _db
from conference.jobs.models import Job, JobStatus
from conference.jobs.services import AFTER_COMMIT_KEY
from conference.mail.models import OutboxMessage
from conference.scheduling.generate import generate
from tests.factories import make_user
from tests.factories.proposals import event_from_instance
from tests.factories.scheduling import score_module

FAST = ProposalOptions(time_limit=1)


def score(doc, solution):
    """The reference scorer's verdict on a solution to an instance."""
    scorer = score_module()
    inst = scorer.load_instance(doc)
    return scorer.score(inst, scorer.load_solution(solution, inst))


def ran(proposal_id) -> ScheduleProposal:
    """The proposal as the job left it (the test session's copy forgotten)."""
    _db.session.expire_all()
    return _db.session.get(ScheduleProposal, proposal_id)


@pytest.fixture
def xs(db):
    """An event of 18 talks, 3 blocks and 3 rooms, placed by first fit."""
    return event_from_instance("XS", seed=0)


@pytest.fixture
def organiser(db):
    return make_user("organiser@example.org")


def test_factory_event_is_the_generated_instance(xs):
    """The test event holds what the generator made (so the figures below mean something)."""
    doc = generate("XS", 0)
    assert len(xs.talks) == len(doc["talks"])
    assert draft_attendee_conflicts(xs.event) > 0


def test_the_job_keeps_a_valid_proposal_and_leaves_the_draft_alone(xs, organiser):
    before = snapshot(xs.event)
    conflicts = draft_attendee_conflicts(xs.event)
    proposal = start_proposal(xs.event, organiser, FAST)
    _db.session.commit()  # the job runs once the proposal is committed

    done = ran(proposal.id)
    assert done.status == ProposalStatus.READY
    verdict = score(done.instance.document, done.solution)
    assert verdict["valid"], verdict["violations"]
    assert done.progress["objective"] == verdict["objective"]
    assert done.explanation["objective"] == verdict["objective"]
    assert done.summary["before"]["attendee_conflicts"] == conflicts
    assert done.summary["after"]["attendee_conflicts"] == verdict["terms"]["attendee_conflict"]
    assert snapshot(xs.event) == before
    assert _db.session.get(Job, done.job_id).status == JobStatus.FINISHED


def test_accepting_puts_the_proposal_in_the_draft_and_lowers_the_conflicts(xs, organiser):
    conflicts = draft_attendee_conflicts(xs.event)
    proposal = start_proposal(xs.event, organiser, ProposalOptions(time_limit=2))
    _db.session.commit()
    done = ran(proposal.id)

    applied = accept_proposal(xs.event, done, organiser)
    _db.session.commit()

    assert ran(proposal.id).status == ProposalStatus.ACCEPTED
    after = draft_attendee_conflicts(xs.event)
    assert after == done.summary["after"]["attendee_conflicts"] == applied.conflicts_after
    assert after < conflicts
    # One session per block and room, titled after its track, holding the proposal's talks.
    by_talk = {p["talk"]: (p["block"], p["room"]) for p in done.solution["placements"]}
    for talk in xs.talks.values():
        _db.session.refresh(talk)
        block, room = by_talk[f"talk-{talk.id}"]
        assert f"room-{talk.session.room_id}" == room
        assert xs.blocks_by_id[block].overlaps(talk.session.starts_at, talk.session.ends_at)
        assert talk.session.title == talk.session.track.name
    with pytest.raises(ValidationError, match="in the draft already"):
        accept_proposal(xs.event, ran(proposal.id), organiser)


def test_a_cancelled_proposal_stops_soon_and_leaves_the_draft_untouched(
    make_app, database_url, tmp_path
):
    if database_url.startswith("sqlite"):
        # A job in a thread of its own needs a database the test's thread can read too.
        app = make_app(
            TASKS_MODE="thread", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.db'}"
        )
        with app.app_context():
            _db.create_all()
    else:
        app = make_app(TASKS_MODE="thread")
    with app.app_context():
        s = event_from_instance("XS", seed=0)
        organiser = make_user("organiser@example.org")
        before = snapshot(s.event)
        proposal = start_proposal(s.event, organiser, ProposalOptions(time_limit=120))
        _db.session.commit()
        proposal_id = proposal.id
        deadline = time.monotonic() + 30
        while not ran(proposal_id).progress.get("objective") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ran(proposal_id).status == ProposalStatus.RUNNING  # searching, with a schedule
        asked = time.monotonic()
        assert cancel_proposal(s.event, ran(proposal_id))
        _db.session.commit()
        while ran(proposal_id).status == ProposalStatus.RUNNING and time.monotonic() < asked + 20:
            time.sleep(0.1)

        stopped = ran(proposal_id)
        assert stopped.status == ProposalStatus.CANCELLED
        assert time.monotonic() - asked < 10  # not the 120 s of the time limit
        assert stopped.solution is None
        assert snapshot(s.event) == before
        with pytest.raises(ValidationError, match="cancelled"):
            accept_proposal(s.event, stopped, organiser)
        _db.session.remove()


def test_a_killed_worker_leaves_the_draft_untouched_and_the_proposal_says_so(xs, organiser, app):
    before = snapshot(xs.event)
    proposal = start_proposal(xs.event, organiser, FAST)
    _db.session.info.pop(AFTER_COMMIT_KEY)  # the job is never delivered: its worker died
    record = _db.session.get(Job, proposal.job_id)
    record.status, record.claimed_by = JobStatus.RUNNING, "gone:1:dead"
    record.attempts = app.config["JOB_MAX_ATTEMPTS"]  # the last attempt
    record.lease_expires_at = record.created_at  # ran out long ago
    _db.session.commit()

    followed = follow(ran(proposal.id))
    _db.session.commit()

    assert followed.status == ProposalStatus.FAILED
    assert "stopped" in followed.reasons[0] and "draft is as it was" in followed.reasons[0]
    assert snapshot(xs.event) == before
    with pytest.raises(ValidationError):
        accept_proposal(xs.event, followed, organiser)


def test_accepting_after_the_agenda_changed_is_refused_with_what_changed(xs, organiser):
    proposal = start_proposal(xs.event, organiser, FAST)
    _db.session.commit()
    talk = next(iter(xs.talks.values()))
    presenter = talk.presenters[0]
    other = next(s for s in _db.session.scalars(select(AgendaSession)) if s.id != talk.session_id)
    mark_presenter_unavailable(xs.event, presenter, next(iter(xs.blocks.values())), "Flight moved")
    place_talk(xs.event, talk, other.id)  # moved by hand in the editor meanwhile
    _db.session.commit()
    before = snapshot(xs.event)

    done = ran(proposal.id)
    assert proposal_page(xs.event, done).changed  # the page warns before anyone accepts
    with pytest.raises(SolutionRefused) as refused:
        accept_proposal(xs.event, done, organiser)
    _db.session.rollback()

    assert "changed since this proposal was made" in refused.value.message
    problems = " ".join(refused.value.problems)
    assert f"“{talk.title}” was moved in the editor" in problems
    assert presenter.display_name.split()[0] in problems  # the presenter, by name
    assert snapshot(xs.event) == before
    assert ran(proposal.id).status == ProposalStatus.READY


def test_discarding_leaves_the_draft_as_it_was(xs, organiser):
    before = snapshot(xs.event)
    proposal = start_proposal(xs.event, organiser, FAST)
    _db.session.commit()
    discard_proposal(xs.event, ran(proposal.id), organiser)
    _db.session.commit()
    assert ran(proposal.id).status == ProposalStatus.DISCARDED
    assert snapshot(xs.event) == before


def test_one_proposal_runs_at_a_time_per_event(xs, organiser):
    start_proposal(xs.event, organiser, FAST)  # not committed: still running
    with pytest.raises(ValidationError, match="being computed"):
        start_proposal(xs.event, organiser, FAST)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (ProposalOptions(time_limit=0), "between 1 and 600"),
        (ProposalOptions(block_ids=["d9-0900"]), "not on the agenda any more"),
        (ProposalOptions(block_ids=[]), "at least one block"),
        (ProposalOptions(room_ids=[]), "at least one room"),
        (ProposalOptions(talk_ids=[]), "at least one talk"),
        (ProposalOptions(talk_ids=[999_999]), "neither in the parallel sessions"),
        (ProposalOptions(previous="published"), "not published yet"),
        (ProposalOptions(weights={"moved": -1}), "whole number"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_started(xs, organiser, options, message):
    with pytest.raises(ValidationError, match=message):
        start_proposal(xs.event, organiser, options)
    _db.session.rollback()
    assert _db.session.scalar(select(ScheduleProposal.id)) is None


def test_the_form_offers_accepted_talks_not_kept_where_they_are(xs):
    talk = next(iter(xs.talks.values()))
    talk.fixed = True
    _db.session.commit()
    offered = proposal_choices(xs.event)
    chosen = {t.id for t in offered.talks if t.place}
    assert talk.id not in chosen
    assert chosen == {t.id for t in xs.talks.values()} - {talk.id}
    assert [b.id for b in offered.blocks] == [b.id for b in xs.blocks.values()]
    assert offered.conflicts == draft_attendee_conflicts(xs.event)


def test_an_impossible_event_fails_saying_why_in_names(xs, organiser):
    """Every block ruled out for one presenter: no valid schedule, and the reason names
    the talk (not its id)."""
    talk = next(iter(xs.talks.values()))
    for block in xs.blocks.values():
        mark_presenter_unavailable(xs.event, talk.presenters[0], block, "Cannot come")
    _db.session.commit()
    before = snapshot(xs.event)
    proposal = start_proposal(xs.event, organiser, FAST)
    _db.session.commit()

    failed = ran(proposal.id)
    assert failed.status == ProposalStatus.FAILED
    reasons = " ".join(failed.reasons)
    assert talk.title in reasons and f"talk-{talk.id}" not in reasons
    assert snapshot(xs.event) == before


def test_replan_after_a_new_unavailability_moves_few_talks_and_tells_their_presenters(
    db, organiser
):
    """The published agenda of 100 talks; one presenter can no longer make their block. The
    proposal that keeps the published placement moves at most 5% of the talks, breaks no
    rule (score.py), and publishing it tells the presenters of the talks it moved."""
    s = event_from_instance("S", seed=0)
    first = start_proposal(s.event, organiser, ProposalOptions(time_limit=3))
    _db.session.commit()
    accept_proposal(s.event, ran(first.id), organiser)
    publish(s.event, organiser)
    _db.session.commit()
    outbox_before = _db.session.scalar(select(_db.func.count(OutboxMessage.id)))

    talk = next(t for t in s.talks.values() if len(t.presenters) == 1)
    presenter = talk.presenters[0]
    block = next(
        b for b in s.blocks.values() if b.overlaps(talk.session.starts_at, talk.session.ends_at)
    )
    mark_presenter_unavailable(s.event, presenter, block, "Flight moved to the next day")
    _db.session.commit()

    replan = start_proposal(s.event, organiser, ProposalOptions(time_limit=3, previous="published"))
    _db.session.commit()
    done = ran(replan.id)
    assert done.status == ProposalStatus.READY
    verdict = score(done.instance.document, done.solution)
    assert verdict["valid"], verdict["violations"]
    moved = verdict["terms"]["moved"]
    assert 1 <= moved <= 0.05 * len(s.talks)

    accept_proposal(s.event, done, organiser)
    publication = publish(s.event, organiser)
    _db.session.commit()

    moved_talks = {c["talk"] for c in publication.changes if c["change"] == "moved"}
    assert talk.id in moved_talks
    told = _db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[
        outbox_before:
    ]
    assert presenter.email in {m.recipient for m in told}
    assert all("moved" in m.subject for m in told)
    assert latest_publication(s.event).version == 2
