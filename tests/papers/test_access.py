"""Who may see and do what with a paper: the rules the papers' pages ask the services."""

from datetime import UTC, datetime

import pytest
from flask import get_flashed_messages

from conference.auth.services import revoke_role
from conference.errors import NotFound, ValidationError
from conference.pages import attempt, private_page
from conference.papers.assigning import assign_reviewer, reviewer_choices
from conference.papers.authors import author_paper
from conference.papers.decisions import can_decide, decide
from conference.papers.forms import CallForm
from conference.papers.models import PaperStatus
from conference.papers.overview import check_status, paper_rows, status_counts
from conference.papers.reviewing import (
    is_open_for_review,
    reviewer_assignment,
    reviewer_view,
    submit_review,
)
from conference.papers.submissions import AuthorDetails, author_options, withdraw
from conference.papers.views._common import fields_as
from tests.factories import (
    BEFORE_EDIT_DEADLINE,
    DURING,
    dated_call_setting,
    delegate,
    give_role,
    make_paper,
    make_reviewer,
    make_user,
    scores,
)

AFTER_EDIT_DEADLINE = datetime(2024, 9, 1, tzinfo=UTC)


# Authors -----------------------------------------------------------------------------


def test_a_submitted_paper_can_take_versions_and_be_withdrawn_its_decision_unseen(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    options = author_options(paper, submitter, now=BEFORE_EDIT_DEADLINE)
    assert options.upload_refusal is None and options.can_withdraw
    assert not options.decided and options.comments == []


def test_after_the_deadline_the_author_is_told_why_no_version_is_taken(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    options = author_options(paper, submitter, now=AFTER_EDIT_DEADLINE)
    assert options.upload_refusal.startswith("New versions could be uploaded until")


def test_a_revision_shows_the_comments_and_takes_a_version_after_the_deadline(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    submit_review(assign_reviewer(paper, make_reviewer(event)), scores(call), "revise", "Shorter.")
    decide(paper, "revise", "Please shorten it.", None, notify=False)
    options = author_options(paper, submitter, now=AFTER_EDIT_DEADLINE)
    assert options.decided and options.comments == ["Shorter."]
    assert options.upload_refusal is None and options.can_withdraw


def test_an_accepted_paper_is_no_longer_the_authors_to_withdraw(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    decide(paper, "accept", "", None, notify=False)
    options = author_options(paper, submitter, now=BEFORE_EDIT_DEADLINE)
    assert options.decided and not options.can_withdraw


def test_a_co_author_whose_address_is_unverified_finds_no_such_paper(db):
    event, category, call, submitter = dated_call_setting()
    co_author = delegate(event, category, email="lan@sonla.example")
    paper = make_paper(event, submitter, AuthorDetails("Lò Thị Lan", "Son La", "lan@sonla.example"))
    assert author_paper(event, submitter, paper.id) == paper
    with pytest.raises(NotFound):
        author_paper(event, co_author, paper.id)


# Reviewers ---------------------------------------------------------------------------


def test_a_reviewer_reaches_only_their_own_assignment_while_they_hold_the_role(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    mine, theirs = make_user(name="Mine"), make_reviewer(event, name="Theirs")
    grant = give_role(event, mine, "reviewer")
    assignment = assign_reviewer(paper, mine)
    db.session.commit()
    assert reviewer_assignment(event, mine, assignment.id) == assignment
    with pytest.raises(NotFound):
        reviewer_assignment(event, theirs, assignment.id)
    revoke_role(event, grant.id)
    with pytest.raises(NotFound):
        reviewer_assignment(event, mine, assignment.id)


def test_a_withdrawn_paper_is_gone_from_its_reviewer(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    user = make_reviewer(event)
    assignment = assign_reviewer(paper, user)
    withdraw(paper, submitter)
    with pytest.raises(NotFound):
        reviewer_assignment(event, user, assignment.id)


def test_anonymous_review_names_the_file_after_the_paper_not_its_uploader(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assignment = assign_reviewer(paper, make_reviewer(event))
    assert reviewer_view(assignment).file_name == "paper.pdf"
    call.anonymous_review = True
    name = reviewer_view(assignment).file_name
    assert name.startswith(f"Paper {paper.id}") and "paper.pdf" not in name


def test_a_paper_is_open_for_review_until_accepted_or_rejected(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assert is_open_for_review(paper)
    decide(paper, "revise", "More data.", None, notify=False)
    assert is_open_for_review(paper)
    decide(paper, "reject", "", None, notify=False)
    assert not is_open_for_review(paper)


# Organisers --------------------------------------------------------------------------


def test_organisers_may_decide_on_any_paper_but_a_withdrawn_one(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assert can_decide(paper)
    withdraw(paper, submitter)
    assert not can_decide(paper)


def test_reviewer_choices_leave_out_the_assigned_and_name_each_conflict(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assigned = make_reviewer(event, name="Assigned")
    colleague = make_reviewer(event, email="colleague@sonla.example", name="Colleague")
    delegate(event, category, email="colleague@sonla.example")  # the same organisation
    free = make_reviewer(event, name="Free")
    assign_reviewer(paper, assigned)
    choices = dict(reviewer_choices(paper))
    assert set(choices) == {colleague, free}
    assert choices[free] is None and "works at" in choices[colleague]


def test_no_reviewer_chosen_is_refused_beside_the_choice(db):
    event, category, call, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    with pytest.raises(ValidationError) as refused:
        assign_reviewer(paper, None)
    assert refused.value.field == "reviewer"


def test_the_list_counts_statuses_and_averages_the_weighted_scores(db):
    event, category, call, submitter = dated_call_setting()
    first = make_paper(event, submitter, now=DURING)
    make_paper(event, submitter, now=DURING, title="Another paper")
    submit_review(assign_reviewer(first, make_reviewer(event)), scores(call, 5, 10), "accept")
    assert status_counts(event) == {PaperStatus.UNDER_REVIEW: 1, PaperStatus.SUBMITTED: 1}
    rows = paper_rows(event, list(call.criteria), status="under_review")
    assert [(r.paper, r.reviewed, r.assigned, r.score) for r in rows] == [(first, 1, 1, 100.0)]
    assert rows[0].recommendations == {"accept": 1}


def test_an_unknown_status_filter_is_refused():
    assert check_status(None) is None and check_status("accepted") == "accepted"
    with pytest.raises(ValidationError, match="Unknown status"):
        check_status("lost")


# The pages' helpers ------------------------------------------------------------------


def test_a_service_message_lands_beside_the_row_of_the_form_it_names(app, db):
    rows = {"criteria-0-name": "", "criteria-1-name": "Clarity"}
    with app.test_request_context("/", method="POST", data=rows):
        form = CallForm(meta={"csrf": False})
        with attempt(form) as done, fields_as({"criteria-0-name": "criteria-1-name"}):
            raise ValidationError("“Clarity” is listed twice.", field="criteria-0-name")
        assert not done
        assert form.criteria[1].form.name.errors == ["“Clarity” is listed twice."]
        assert form.form_errors == [] and get_flashed_messages() == []


def test_a_message_about_a_whole_list_goes_above_the_form(app, db):
    with app.test_request_context("/", method="POST"):
        form = CallForm(meta={"csrf": False})
        with attempt(form):
            raise ValidationError("Use at most 20 criteria.", field="criteria")
        assert form.form_errors == ["Use at most 20 criteria."]


def test_a_private_page_is_never_cached_indexed_or_referred(app):
    body, status, headers = private_page("page", 422)
    assert (body, status) == ("page", 422)
    assert headers == {
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
    }
