"""Review and decision: conflicts of interest, balanced assignment, scores, decisions, talks."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from conference.agenda.draft import agenda_conflicts
from conference.agenda.models import AgendaSession, Room, Talk
from conference.errors import ValidationError
from conference.mail.models import OutboxMessage
from conference.papers.assigning import (
    assign_reviewer,
    auto_assign,
    conflict_of_interest,
    organisation_key,
    unassign_reviewer,
)
from conference.papers.calls import CallDetails, CriterionDetails, save_call
from conference.papers.decisions import decide
from conference.papers.models import ReviewAssignment
from conference.papers.reviewing import (
    assignments_for,
    reviewer_view,
    reviews_for_organiser,
    submit_review,
)
from conference.papers.submissions import AuthorDetails
from conference.registration.places import change_status
from tests.factories import (
    CLOSES,
    OPENS,
    dated_call_setting,
    delegate,
    give_role,
    make_paper,
    make_reviewer,
    make_user,
    scores,
)

DECIDED = datetime(2024, 7, 10, 3, tzinfo=UTC)


def mails(db, subject_start):
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject.startswith(subject_start))
        .order_by(OutboxMessage.recipient)
    ).all()


# Conflicts of interest ---------------------------------------------------------------


def test_organisation_names_match_without_case_spaces_punctuation_or_diacritics():
    assert organisation_key("Sơn La City People's Committee") == organisation_key(
        "  son la CITY  peoples committee "
    )
    assert organisation_key("Suwon Lifelong Learning") != organisation_key("Suwon City Hall")


def test_a_reviewer_gets_a_paper_without_conflict_and_it_goes_under_review(db):
    event, category, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    user = make_reviewer(event, "yuki@okayama.example")
    delegate(event, category, email=user.email, organisation="Okayama City")
    assignment = assign_reviewer(paper, user, now=DECIDED)
    db.session.commit()
    assert assignment.reviewer == user and assignment.assigned_at == DECIDED
    assert paper.status == "under_review"
    assert assignments_for(event, user) == [assignment]


def test_a_reviewer_never_reviews_their_own_paper(db):
    event, category, _, submitter = dated_call_setting()
    # A co-author, by e-mail only: no registration at all.
    paper = make_paper(event, submitter, AuthorDetails("Kim Min-jun", "Suwon", "kim@suwon.example"))
    kim = make_reviewer(event, "KIM@suwon.example", name="Kim")
    with pytest.raises(ValidationError, match="Kim is an author") as refused:
        assign_reviewer(paper, kim)
    assert refused.value.field == "reviewer"
    # The submitter, through the registration linked to their account, another address.
    account = make_reviewer(event, "chien.private@example.org", name="Chiến")
    submitter.user_id = account.id
    db.session.commit()
    with pytest.raises(ValidationError, match="Chiến is an author"):
        assign_reviewer(paper, account)
    db.session.rollback()
    assert paper.status == "submitted"
    assert db.session.scalar(select(func.count(ReviewAssignment.id))) == 0


def test_a_reviewer_never_reviews_a_paper_of_their_own_organisation(db):
    event, category, _, submitter = dated_call_setting()
    paper = make_paper(
        event,
        submitter,
        AuthorDetails("Nguyễn Thị Lan", "Ho Chi Minh City Open University", "lan@hcmc.example"),
    )
    colleague = make_reviewer(event, "minh@hcmc.example", name="Minh")
    delegate(
        event,
        category,
        email="minh@hcmc.example",
        organisation="ho chi minh city  OPEN university",
    )
    with pytest.raises(ValidationError, match="Minh works at ho chi minh city"):
        assign_reviewer(paper, colleague)
    # The submitter's organisation counts too, with or without diacritics.
    neighbour = make_reviewer(event, "tuan@sonla.example", name="Tuấn")
    delegate(
        event, category, email="tuan@sonla.example", organisation="Sơn La City Peoples Committee"
    )
    assert "Tuấn works at" in conflict_of_interest(paper, neighbour)


def test_only_reviewers_and_organisers_of_the_event_review(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    outsider = make_user(name="Somchai")
    with pytest.raises(ValidationError, match="Somchai is not a reviewer"):
        assign_reviewer(paper, outsider)
    elsewhere = make_user()
    from tests.factories import make_event

    give_role(make_event(), elsewhere, "reviewer")
    with pytest.raises(ValidationError, match="not a reviewer"):
        assign_reviewer(paper, elsewhere)
    organiser = make_user(name="Organiser")
    give_role(event, organiser, "organiser")
    assert assign_reviewer(paper, organiser).reviewer_id == organiser.id


def test_a_reviewer_is_assigned_once_and_never_to_a_withdrawn_paper(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    user = make_reviewer(event, name="Yuki")
    assign_reviewer(paper, user)
    db.session.commit()
    with pytest.raises(ValidationError, match="Yuki reviews .* already"):
        assign_reviewer(paper, user)
    other = make_paper(event, submitter, title="Second paper")
    other.status = "withdrawn"
    db.session.commit()
    with pytest.raises(ValidationError, match="withdrawn: it is not up for review"):
        assign_reviewer(other, user)


def test_an_assignment_without_a_review_can_be_taken_back(db):
    event, _, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    a, b = make_reviewer(event), make_reviewer(event, name="Busy")
    first = assign_reviewer(paper, a)
    second = assign_reviewer(paper, b)
    submit_review(second, scores(call), "accept")
    db.session.commit()
    with pytest.raises(ValidationError, match="Busy has reviewed"):
        unassign_reviewer(second)
    unassign_reviewer(first)
    db.session.commit()
    assert [x.reviewer_id for x in paper.assignments] == [b.id]


def test_auto_assign_balances_the_load_and_respects_conflicts(db):
    event, category, _, submitter = dated_call_setting()
    papers = [make_paper(event, submitter, title=f"Paper {n}") for n in range(3)]
    hcmc = make_paper(
        event,
        submitter,
        AuthorDetails("Lan", "HCMC Open University", "lan@hcmc.example"),
        title="HCMC paper",
    )
    reviewers = [make_reviewer(event, f"r{n}@review.example") for n in range(3)]
    colleague = make_reviewer(event, "minh@hcmc.example")
    delegate(event, category, email=colleague.email, organisation="HCMC Open University")
    # Already busy elsewhere: gets fewer papers now.
    assign_reviewer(papers[0], reviewers[0])
    db.session.commit()

    result = auto_assign(event, per_paper=2)
    db.session.commit()

    assert result.short == {}
    for paper in [*papers, hcmc]:
        assert len(paper.assignments) == 2
    assert colleague.id not in {a.reviewer_id for a in hcmc.assignments}
    # 8 assignments over 4 reviewers, one of whom had one already: 2 each in the end.
    load = {u.id: 0 for u in [*reviewers, colleague]}
    for paper in [*papers, hcmc]:
        for a in paper.assignments:
            load[a.reviewer_id] += 1
    assert sorted(load.values()) == [2, 2, 2, 2]


def test_auto_assign_reports_papers_short_of_reviewers(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    make_reviewer(event)
    result = auto_assign(event, per_paper=3)
    assert len(result.assigned) == 1 and result.short == {paper.id: 2}
    with pytest.raises(ValidationError, match="1 to 20"):
        auto_assign(event, per_paper=0)


# Reviewing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ("missing", "score_{clarity}", "Score “Clarity” from 0 to 10"),
        ("too_high", "score_{relevance}", "“Relevance” must be from 0 to 5"),
        ("negative", "score_{clarity}", "“Clarity” must be from 0 to 10"),
        ("boolean", "score_{relevance}", "Score “Relevance”"),
        ("unknown", "scores", "only the criteria of this call"),
    ],
)
def test_scores_are_checked_against_the_criteria(db, given, field, message):
    event, _, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assignment = assign_reviewer(paper, make_reviewer(event))
    db.session.commit()
    relevance, clarity = (c.id for c in call.criteria)
    values = {
        "missing": {relevance: 3},
        "too_high": {relevance: 6, clarity: 5},
        "negative": {relevance: 3, clarity: -1},
        "boolean": {relevance: True, clarity: 5},
        "unknown": {relevance: 3, clarity: 5, 9999: 1},
    }[given]
    with pytest.raises(ValidationError, match=message) as refused:
        submit_review(assignment, values, "accept")
    assert refused.value.field == field.format(relevance=relevance, clarity=clarity)
    assert assignment.review is None


def test_a_review_needs_a_known_recommendation_and_can_be_changed_until_the_decision(db):
    event, _, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assignment = assign_reviewer(paper, make_reviewer(event))
    with pytest.raises(ValidationError, match="accept, revise or reject"):
        submit_review(assignment, scores(call), "maybe")
    review = submit_review(assignment, {str(k): v for k, v in scores(call).items()}, "revise")
    db.session.commit()
    changed = submit_review(assignment, scores(call, 5, 10), "accept", "Clear and moving.")
    assert changed.id == review.id and changed.recommendation == "accept"
    decide(paper, "accept", "", None, now=DECIDED)
    db.session.commit()
    with pytest.raises(ValidationError, match="accepted: it is not up for review"):
        submit_review(assignment, scores(call), "reject")


def test_organisers_see_scores_side_by_side_with_averages(db):
    event, _, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    a, b, c = (make_reviewer(event, name=n) for n in ("Aiko", "Budi", "Chan"))
    submit_review(assign_reviewer(paper, a), scores(call, 5, 10), "accept", "Strong.", "Top 3")
    submit_review(assign_reviewer(paper, b), scores(call, 2, 4), "revise")
    assign_reviewer(paper, c)  # not reviewed yet
    db.session.commit()

    summary = reviews_for_organiser(paper)
    assert [x.name for x in summary.criteria] == ["Relevance", "Clarity"]
    assert [(r.reviewer.name, r.scores, r.weighted) for r in summary.rows] == [
        ("Aiko", [5, 10], 100.0),
        ("Budi", [2, 4], 40.0),  # (2 * 2/5 + 1 * 4/10) / 3 = 0.4
        ("Chan", [None, None], None),
    ]
    assert summary.averages == [3.5, 7.0]
    assert summary.weighted_average == 70.0
    assert summary.recommendations == {"accept": 1, "revise": 1}
    assert summary.rows[0].review.confidential_comments == "Top 3"


def test_criteria_are_frozen_once_reviews_are_in(db):
    event, _, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    submit_review(assign_reviewer(paper, make_reviewer(event)), scores(call), "accept")
    db.session.commit()
    kept = [(c.id, c.name) for c in call.criteria]

    def details(*criteria):
        return CallDetails(opens_at=OPENS, closes_at=CLOSES, criteria=criteria)

    with pytest.raises(ValidationError, match="can no longer change") as refused:
        save_call(
            event, details(CriterionDetails("Relevance", 5, 3), CriterionDetails("Clarity", 10))
        )
    assert refused.value.field == "criteria"
    db.session.rollback()
    described = details(
        CriterionDetails("Relevance", 5, 2, "Fits the theme"), CriterionDetails("Clarity", 10, 1)
    )
    save_call(event, described)
    db.session.commit()
    assert [(c.id, c.name) for c in call.criteria] == kept
    assert call.criteria[0].description == "Fits the theme"


def test_anonymous_review_hides_the_authors_from_reviewers(db):
    event, _, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter, AuthorDetails("Kim Min-jun", "Suwon", "kim@suwon.example"))
    assignment = assign_reviewer(paper, make_reviewer(event))
    db.session.commit()

    open_view = reviewer_view(assignment)
    assert open_view.authors == [
        ("Hà Trung Chiến", "Son La City People's Committee"),
        ("Kim Min-jun", "Suwon"),
    ]
    assert "@" not in repr(open_view.authors)  # reviewers never get e-mail addresses
    assert open_view.latest_version.number == 1

    call.anonymous_review = True
    db.session.commit()
    hidden = reviewer_view(assignment)
    assert hidden.anonymous and hidden.authors == []
    assert hidden.title == paper.title and hidden.abstract == paper.abstract


# Decisions ---------------------------------------------------------------------------


def test_accepting_makes_one_talk_waiting_to_be_placed_and_tells_every_author(db):
    event, category, call, submitter = dated_call_setting()
    lan = delegate(event, category, email="lan@hcmc.example")
    paper = make_paper(
        event,
        submitter,
        AuthorDetails("Nguyễn Thị Lan", "HCMC", lan.email),
        AuthorDetails("Kim Min-jun", "Suwon", "kim@suwon.example"),
    )
    submit_review(assign_reviewer(paper, make_reviewer(event)), scores(call), "accept", "Bravo.")
    organiser = make_user()
    decide(paper, "accept", "Congratulations!", organiser, now=DECIDED)
    db.session.commit()

    assert (paper.status, paper.decided_at, paper.decided_by) == ("accepted", DECIDED, organiser)
    talk = paper.talk
    assert talk.session_id is None and talk.title == paper.title
    assert talk.abstract == paper.abstract and talk.duration_minutes == call.talk_minutes
    assert talk.presenters == [submitter]  # the presenting author, not the co-authors
    sent = mails(db, "Your paper is accepted")
    assert [m.recipient for m in sent] == [
        "chien@sonla.example",
        "kim@suwon.example",
        "lan@hcmc.example",
    ]
    assert "Congratulations!" in sent[0].body_text and "Bravo." in sent[0].body_text
    assert "accepted" in sent[0].body_html

    with pytest.raises(ValidationError, match="accepted already"):
        decide(paper, "accept", "", organiser)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Talk.id))) == 1
    assert len(mails(db, "Your paper is accepted")) == 3


def test_a_presenting_co_author_presents_the_talk(db):
    event, category, _, submitter = dated_call_setting()
    lan = delegate(event, category, email="lan@hcmc.example")
    paper = make_paper(event, submitter, AuthorDetails("Lan", "HCMC", lan.email))
    paper.authors[0].is_presenting = False
    db.session.flush()
    paper.authors[1].is_presenting = True
    db.session.commit()
    decide(paper, "accept", "", None)
    assert paper.talk.presenters == [lan]


def test_rejecting_after_acceptance_removes_the_unplaced_talk(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    decide(paper, "accept", "", None)
    db.session.commit()
    decide(paper, "reject", "The programme is full.", None)
    db.session.commit()
    assert paper.status == "rejected" and paper.talk is None
    assert db.session.scalar(select(func.count(Talk.id))) == 0
    assert "could not be accepted" in mails(db, "Your paper was not accepted")[0].body_text


def test_a_revision_needs_a_note_and_accepting_again_makes_one_talk(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    with pytest.raises(ValidationError, match="what to revise") as refused:
        decide(paper, "revise", "  ", None)
    assert refused.value.field == "note"
    decide(paper, "accept", "", None)
    decide(paper, "revise", "Shorten the abstract.", None)
    decide(paper, "accept", "", None)
    db.session.commit()
    assert db.session.scalar(select(func.count(Talk.id))) == 1
    assert "Shorten the abstract." in mails(db, "Your paper: a revision")[0].body_text


def test_a_placed_talk_keeps_its_paper_accepted_until_taken_out_of_the_agenda(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    decide(paper, "accept", "", None)
    day = event.start_date
    session = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Parallel session A",
        starts_at=datetime(day.year, day.month, day.day, 13, 30, tzinfo=event.tz),
        ends_at=datetime(day.year, day.month, day.day, 15, tzinfo=event.tz),
    )
    db.session.add(session)
    paper.talk.session = session
    db.session.commit()
    with pytest.raises(ValidationError, match="placed in the session “Parallel session A”"):
        decide(paper, "reject", "", None)
    db.session.rollback()
    assert paper.status == "accepted" and paper.talk.session_id == session.id


def test_nothing_is_decided_on_a_withdrawn_paper_or_with_an_unknown_decision(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    with pytest.raises(ValidationError, match="accept, reject or revise"):
        decide(paper, "maybe", "", None)
    paper.status = "withdrawn"
    db.session.commit()
    with pytest.raises(ValidationError, match="withdrawn"):
        decide(paper, "accept", "", None)
    assert paper.talk is None and mails(db, "Your paper") == []


def test_conflict_detection_covers_the_accepted_papers_talks(db):
    event, category, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    decide(paper, "accept", "", None)
    db.session.commit()
    day = event.start_date

    def at(hour):
        return datetime(day.year, day.month, day.day, hour, tzinfo=event.tz)

    room_a, room_b = Room(event_id=event.id, name="Lotus"), Room(event_id=event.id, name="Orchid")
    parallel = AgendaSession(
        event_id=event.id, kind="parallel", title="A", room=room_a, starts_at=at(13), ends_at=at(15)
    )
    chaired = AgendaSession(
        event_id=event.id, kind="parallel", title="B", room=room_b, starts_at=at(14), ends_at=at(16)
    )
    chaired.chairs.append(submitter)  # the presenter chairs another session meanwhile
    db.session.add_all([room_a, room_b, parallel, chaired])
    paper.talk.session = parallel
    db.session.commit()

    [overlap] = [c for c in agenda_conflicts(event) if c.kind == "person_overlap"]
    assert overlap.talks == (paper.talk.id,) and overlap.people == (submitter.id,)

    change_status(submitter, "cancel", notify_delegate=False)
    db.session.commit()
    unavailable = [c for c in agenda_conflicts(event) if c.kind == "presenter_unavailable"]
    assert [c.talks for c in unavailable] == [(paper.talk.id,)]
