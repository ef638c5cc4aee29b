"""Reviewing: a reviewer's papers and what they may see of them, scores on the call's
criteria, and the organisers' side-by-side view of the reviews.

A paper is open for review until it is accepted, rejected or withdrawn (a paper sent back
for revision is reviewed again). A reviewer sees no e-mail address ever, and no names (not
even the uploaded file's) while the call's review is anonymous.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.auth.models import User
from conference.auth.services import has_event_role
from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.ids import whole_number
from conference.papers.authors import NO_SUCH_PAPER
from conference.papers.calls import call_for
from conference.papers.models import (
    OPEN_STATUSES,
    RECOMMENDATIONS,
    Paper,
    PaperStatus,
    PaperVersion,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from conference.papers.uploads import download_name
from conference.registration.validation import clean_long_text

COMMENT_LIMIT = 10_000


def is_open_for_review(paper: Paper) -> bool:
    """Reviewers may be assigned and reviews given or changed: no decision closes it yet."""
    return paper.status in OPEN_STATUSES


def check_reviewable(paper: Paper) -> None:
    """Refuse (with the reason) when the paper is not up for review."""
    if not is_open_for_review(paper):
        raise ValidationError(
            f"“{paper.title}” is {paper.status_label.lower()}: it is not up for review."
        )


def assignments_for(event, user: User) -> list[ReviewAssignment]:
    """A reviewer's papers at the event (withdrawn ones left out), oldest first."""
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .join(Paper, Paper.id == ReviewAssignment.paper_id)
            .where(
                Paper.event_id == event.id,
                ReviewAssignment.reviewer_id == user.id,
                Paper.status != PaperStatus.WITHDRAWN,
            )
            .options(selectinload(ReviewAssignment.paper), selectinload(ReviewAssignment.review))
            .order_by(ReviewAssignment.assigned_at, ReviewAssignment.id)
        )
    )


def reviewer_assignment(event, user: User, assignment_id) -> ReviewAssignment:
    """The user's own assignment at this event, while they still hold the reviewer (or
    organiser) role there and the paper is not withdrawn; NotFound for any other id."""
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if (
        not has_event_role(user, event, "reviewer", "organiser")
        or assignment is None
        or assignment.reviewer_id != user.id
        or assignment.paper.event_id != event.id
        or assignment.paper.status == PaperStatus.WITHDRAWN
    ):
        raise NotFound(NO_SUCH_PAPER)
    return assignment


def _clean_scores(criteria: list[ReviewCriterion], scores: dict) -> dict[str, int]:
    given = {str(key): value for key, value in (scores or {}).items()}
    known = {str(c.id) for c in criteria}
    if set(given) - known:
        raise ValidationError("Score only the criteria of this call.", field="scores")
    cleaned = {}
    for criterion in criteria:
        value = given.get(str(criterion.id))
        if isinstance(value, str):
            try:
                value = whole_number(value.strip(), minimum=0)
            except ValueError:
                pass  # refused below, naming the criterion
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                f"Score “{criterion.name}” from 0 to {criterion.max_score}.",
                field=f"score_{criterion.id}",
            )
        if not 0 <= value <= criterion.max_score:
            raise ValidationError(
                f"The score for “{criterion.name}” must be from 0 to {criterion.max_score}.",
                field=f"score_{criterion.id}",
            )
        cleaned[str(criterion.id)] = value
    return cleaned


def submit_review(
    assignment: ReviewAssignment,
    scores: dict,
    recommendation: str,
    comments_to_authors: str = "",
    confidential_comments: str = "",
    *,
    now: datetime | None = None,
) -> Review:
    """Record (or change, until the decision) a review: a score for every criterion of
    the call, a recommendation, comments for the authors and for the organisers only."""
    paper = assignment.paper
    check_reviewable(paper)
    cleaned = _clean_scores(call_for(paper.event).criteria, scores)
    if recommendation not in RECOMMENDATIONS:
        raise ValidationError("Recommend accept, revise or reject.", field="recommendation")
    to_authors = clean_long_text(comments_to_authors)
    confidential = clean_long_text(confidential_comments)
    for name, text in (
        ("comments_to_authors", to_authors),
        ("confidential_comments", confidential),
    ):
        if len(text) > COMMENT_LIMIT:
            raise ValidationError(f"Keep comments under {COMMENT_LIMIT:,} characters.", field=name)
    now = now or utcnow()
    review = assignment.review
    if review is None:
        review = Review(assignment=assignment, submitted_at=now)
        db.session.add(review)
    review.scores, review.recommendation = cleaned, recommendation
    review.comments_to_authors, review.confidential_comments = to_authors, confidential
    review.updated_at = now
    db.session.flush()
    return review


@dataclass
class ReviewerView:
    """A paper as its reviewer sees it; ``authors`` is empty when review is anonymous."""

    paper_id: int
    title: str
    abstract: str
    topic: str
    status: str
    latest_version: PaperVersion | None
    anonymous: bool
    authors: list[tuple[str, str]]  # (name, organisation)
    review: Review | None
    file_name: str | None  # the latest version's, neutral when review is anonymous


def _file_name(paper: Paper, anonymous: bool) -> str | None:
    """Neutral when the review is anonymous: the uploader's file name may name them."""
    version = paper.latest_version
    if version is None:
        return None
    if anonymous:
        return download_name(
            f"Paper {paper.id}", f"version {version.number}", extension=version.kind
        )
    return version.original_filename


def reviewer_view(assignment: ReviewAssignment) -> ReviewerView:
    """What the assigned reviewer may see: no e-mail addresses ever, no names when the
    call's review is anonymous."""
    paper = assignment.paper
    anonymous = call_for(paper.event).anonymous_review
    return ReviewerView(
        paper_id=paper.id,
        title=paper.title,
        abstract=paper.abstract,
        topic=paper.track.name if paper.track else "",
        status=paper.status,
        latest_version=paper.latest_version,
        anonymous=anonymous,
        authors=[] if anonymous else [(a.name, a.organisation) for a in paper.authors],
        review=assignment.review,
        file_name=_file_name(paper, anonymous),
    )


# The organisers' view ----------------------------------------------------------------


@dataclass
class ReviewRow:
    reviewer: User
    review: Review | None  # None: not reviewed yet
    scores: list[int | None]  # in the order of the criteria
    weighted: float | None  # 0-100


@dataclass
class ReviewSummary:
    criteria: list[ReviewCriterion]
    rows: list[ReviewRow]
    averages: list[float | None]  # per criterion, over the reviews in
    weighted_average: float | None  # 0-100
    recommendations: dict[str, int]


def weighted_score(criteria: list[ReviewCriterion], scores: dict) -> float | None:
    """Each score as a share of its maximum, weighted, on a 0-100 scale."""
    parts = [(c.weight, scores[str(c.id)] / c.max_score) for c in criteria if str(c.id) in scores]
    total = sum(weight for weight, _ in parts)
    if not total:
        return None
    return round(100 * sum(weight * share for weight, share in parts) / total, 1)


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def reviews_for_organiser(paper: Paper) -> ReviewSummary:
    """Every reviewer's scores side by side, with per-criterion and weighted averages."""
    criteria = list(call_for(paper.event).criteria)
    rows = []
    for assignment in sorted(paper.assignments, key=lambda a: (a.assigned_at, a.id)):
        review = assignment.review
        scores = review.scores if review else {}
        rows.append(
            ReviewRow(
                reviewer=assignment.reviewer,
                review=review,
                scores=[scores.get(str(c.id)) for c in criteria],
                weighted=weighted_score(criteria, scores) if review else None,
            )
        )
    done = [row for row in rows if row.review is not None]
    return ReviewSummary(
        criteria=criteria,
        rows=rows,
        averages=[_mean(row.scores[n] for row in done) for n in range(len(criteria))],
        weighted_average=_mean(row.weighted for row in done),
        recommendations=dict(Counter(row.review.recommendation for row in done)),
    )


def comments_for_authors(paper: Paper) -> list[str]:
    """The reviewers' comments meant for the authors, without the reviewers' names."""
    return [
        a.review.comments_to_authors
        for a in sorted(paper.assignments, key=lambda a: (a.assigned_at, a.id))
        if a.review is not None and a.review.comments_to_authors
    ]
