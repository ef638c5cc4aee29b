"""The database itself protects the papers' data, whatever code writes to it."""

import pytest
from sqlalchemy.exc import IntegrityError

from conference.papers.models import (
    CallForPapers,
    PaperAuthor,
    PaperVersion,
    Review,
    ReviewAssignment,
)
from tests.factories import (
    CLOSES,
    OPENS,
    dated_call_setting,
    make_event,
    make_paper,
    make_user,
    received,
)


def refused(db, *rows):
    db.session.add_all(rows)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_versions_of_a_paper_never_share_a_number(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    file = received(b"%PDF-1.7 again")
    refused(
        db,
        PaperVersion(
            paper_id=paper.id,
            number=1,
            storage_key=file.key,
            size=file.size,
            sha256=file.sha256,
            original_filename="again.pdf",
            kind="pdf",
            mime_type="application/pdf",
        ),
    )
    assert [v.number for v in paper.versions] == [1]


def test_a_paper_has_at_most_one_presenting_author(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    second = PaperAuthor(
        paper_id=paper.id,
        position=1,
        name="Kim Min-jun",
        organisation="Suwon",
        email="kim@suwon.example",
        is_presenting=True,
    )
    refused(db, second)
    second.is_presenting = False
    db.session.add(second)
    db.session.flush()  # a second author who does not present is fine


def test_an_author_is_listed_once_per_paper(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    refused(
        db,
        PaperAuthor(
            paper_id=paper.id,
            position=1,
            name="Chiến again",
            organisation="Son La",
            email=submitter.email,
        ),
    )


def test_an_event_has_one_call_for_papers(db):
    event, *_ = dated_call_setting()
    refused(db, CallForPapers(event_id=event.id, opens_at=OPENS, closes_at=CLOSES))


def test_a_call_closes_after_it_opens(db):
    event = make_event()
    refused(db, CallForPapers(event_id=event.id, opens_at=CLOSES, closes_at=OPENS))


def test_a_reviewer_is_assigned_to_a_paper_once(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    user = make_user()
    db.session.add(ReviewAssignment(paper_id=paper.id, reviewer_id=user.id))
    db.session.commit()
    refused(db, ReviewAssignment(paper_id=paper.id, reviewer_id=user.id))


def test_a_review_recommends_only_accept_revise_or_reject(db):
    event, _, _, submitter = dated_call_setting()
    paper = make_paper(event, submitter)
    assignment = ReviewAssignment(paper_id=paper.id, reviewer_id=make_user().id)
    db.session.add(assignment)
    db.session.commit()
    refused(db, Review(assignment_id=assignment.id, recommendation="maybe"))
