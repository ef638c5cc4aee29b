"""The organisers' overview of an event's papers: filtered by status or topic, counted
by status, each with its reviews in so far and their average weighted score."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.errors import ValidationError
from conference.extensions import db
from conference.papers.models import PAPER_STATUSES, Paper, ReviewAssignment, ReviewCriterion
from conference.papers.reviewing import weighted_score


def check_status(status: str | None) -> str | None:
    """A status to filter by (None: every status); ValidationError for an unknown one."""
    if status is not None and status not in PAPER_STATUSES:
        raise ValidationError(f"Unknown status {status!r}.")
    return status


def event_papers(event, *, status: str | None = None, track_id: int | None = None):
    """The event's papers for organisers, oldest first, optionally of one status or topic."""
    query = (
        select(Paper)
        .where(Paper.event_id == event.id)
        .options(
            selectinload(Paper.authors),
            selectinload(Paper.versions),
            selectinload(Paper.track),
            selectinload(Paper.assignments).selectinload(ReviewAssignment.review),
        )
        .order_by(Paper.created_at, Paper.id)
    )
    if status:
        query = query.where(Paper.status == status)
    if track_id:
        query = query.where(Paper.track_id == track_id)
    return list(db.session.scalars(query))


def status_counts(event) -> dict[str, int]:
    """How many of the event's papers have each status (statuses without papers left out)."""
    return dict(
        db.session.execute(
            select(Paper.status, func.count(Paper.id))
            .where(Paper.event_id == event.id)
            .group_by(Paper.status)
        ).all()
    )


@dataclass
class PaperRow:
    """A paper in the organisers' list, with its reviews so far."""

    paper: Paper
    reviewed: int
    assigned: int
    score: float | None  # the reviews' weighted scores, averaged (0-100)
    recommendations: Counter


def paper_rows(
    event,
    criteria: list[ReviewCriterion],
    *,
    status: str | None = None,
    track_id: int | None = None,
) -> list[PaperRow]:
    """``event_papers`` with how many reviews are in and their average weighted score on
    the call's ``criteria``."""
    rows = []
    for paper in event_papers(event, status=status, track_id=track_id):
        reviews = [a.review for a in paper.assignments if a.review is not None]
        scores = [s for s in (weighted_score(criteria, r.scores) for r in reviews) if s is not None]
        rows.append(
            PaperRow(
                paper=paper,
                reviewed=len(reviews),
                assigned=len(paper.assignments),
                score=round(sum(scores) / len(scores), 1) if scores else None,
                recommendations=Counter(r.recommendation for r in reviews),
            )
        )
    return rows
