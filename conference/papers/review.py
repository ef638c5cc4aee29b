"""Review and decision: assigning reviewers without conflicts of interest, scores on the
call's criteria, the organisers' side-by-side view, and decisions that become talks.

A reviewer never gets a paper they wrote or submitted (matched by e-mail or registration),
nor one by anyone of their own organisation: their organisation is the one on their own
registration for the event (found by account or e-mail), compared without regard to
letter case, spaces, punctuation or diacritics.

An accepted paper becomes one talk waiting to be placed (no session). Accepting again
reuses it, refreshing its title, abstract and presenters. Rejecting or asking for a
revision after acceptance deletes the talk while it is not yet placed; once an organiser
has placed it in a session, that change is refused until the talk is taken out of the
agenda, so the programme never loses a talk silently.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from conference.agenda.ids import whole_number
from conference.agenda.models import Talk
from conference.auth.models import EventRole, User
from conference.auth.services import has_event_role
from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.papers.models import (
    PAPER_STATUSES,
    RECOMMENDATIONS,
    Paper,
    PaperVersion,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from conference.papers.services import EDITABLE, call_for, link_registrations, notify_authors
from conference.registration.models import Registration
from conference.registration.validation import clean_long_text, fold

DECISIONS = {"accept": "accepted", "reject": "rejected", "revise": "revise"}
DECISION_SUBJECTS = {
    "accept": "Your paper is accepted",
    "reject": "Your paper was not accepted",
    "revise": "Your paper: a revision is requested",
}
COMMENT_LIMIT = 10_000


def organisation_key(name: str) -> str:
    """ "Son La City People's Committee" and "son la city peoples  committee" match."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


# Conflicts of interest ---------------------------------------------------------------


@dataclass
class Identity:
    """Who a reviewer is at an event: their e-mail, registrations and organisations."""

    user: User
    registration_ids: set[int] = field(default_factory=set)
    organisations: dict[str, str] = field(default_factory=dict)  # key -> name as written


def event_reviewers(event) -> list[User]:
    """The active users with the event's reviewer role, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(EventRole, EventRole.user_id == User.id)
            .where(EventRole.event_id == event.id, EventRole.role == "reviewer", User.active)
            .order_by(User.name, User.email)
        )
    )


def identities(event, users: list[User]) -> dict[int, Identity]:
    """Each user's registrations for the event (by account or e-mail address) and their
    organisations, in one query."""
    found = {u.id: Identity(u) for u in users}
    by_email = {u.email: u.id for u in users}
    if not users:
        return found
    for registration in db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            or_(Registration.user_id.in_(found), Registration.email.in_(by_email)),
        )
    ):
        for user_id in {registration.user_id, by_email.get(registration.email)} & found.keys():
            who = found[user_id]
            who.registration_ids.add(registration.id)
            key = organisation_key(registration.organisation)
            if key:
                who.organisations[key] = registration.organisation
    return found


def identity(event, user: User) -> Identity:
    """The reviewer's registrations for the event, by account or by e-mail address."""
    return identities(event, [user])[user.id]


def _conflict(paper: Paper, who: Identity) -> str | None:
    name = who.user.display_name
    submitter = paper.submitter
    emails = {submitter.email} | {a.email for a in paper.authors}
    registrations = {submitter.id} | {a.registration_id for a in paper.authors}
    if who.user.email in emails or who.registration_ids & registrations:
        return f"{name} is an author of “{paper.title}”."
    for organisation in [submitter.organisation] + [a.organisation for a in paper.authors]:
        key = organisation_key(organisation)
        if key in who.organisations:
            return f"{name} works at {who.organisations[key]}, like an author of “{paper.title}”."
    return None


def conflict_of_interest(paper: Paper, user: User) -> str | None:
    """Why this user may not review this paper, or None."""
    return _conflict(paper, identity(paper.event, user))


def conflicts_of_interest(paper: Paper, users: list[User]) -> dict[int, str | None]:
    """``conflict_of_interest`` for several users at once (one query)."""
    return {
        user_id: _conflict(paper, who) for user_id, who in identities(paper.event, users).items()
    }


# Assigning ---------------------------------------------------------------------------


def _check_reviewable(paper: Paper) -> None:
    if paper.status not in EDITABLE:
        raise ValidationError(
            f"“{paper.title}” is {PAPER_STATUSES[paper.status].lower()}: it is not up for review."
        )


def _assign(paper: Paper, user: User, by: User | None, now: datetime) -> ReviewAssignment:
    assignment = ReviewAssignment(
        paper=paper, reviewer=user, assigned_by_id=getattr(by, "id", None), assigned_at=now
    )
    db.session.add(assignment)
    if paper.status == "submitted":
        paper.status = "under_review"
    return assignment


def assign_reviewer(
    paper: Paper, user: User, by: User | None = None, *, now: datetime | None = None
) -> ReviewAssignment:
    """Ask a reviewer (or organiser) of the event to review the paper, unless they wrote
    it or share an organisation with an author."""
    _check_reviewable(paper)
    if not has_event_role(user, paper.event, "reviewer", "organiser"):
        raise ValidationError(
            f"{user.display_name} is not a reviewer of {paper.event.title}: give them the "
            "reviewer role first.",
            field="reviewer",
        )
    if any(a.reviewer_id == user.id for a in paper.assignments):
        raise ValidationError(
            f"{user.display_name} reviews “{paper.title}” already.", field="reviewer"
        )
    reason = conflict_of_interest(paper, user)
    if reason:
        raise ValidationError(f"Conflict of interest: {reason}", field="reviewer")
    assignment = _assign(paper, user, by, now or utcnow())
    db.session.flush()
    return assignment


def unassign_reviewer(assignment: ReviewAssignment) -> None:
    """Take a paper back from a reviewer who has not reviewed it yet."""
    if assignment.review is not None:
        raise ValidationError(
            f"{assignment.reviewer.display_name} has reviewed the paper already; the review stays."
        )
    paper = assignment.paper
    db.session.delete(assignment)
    db.session.flush()
    db.session.expire(paper, ["assignments"])
    if paper.status == "under_review" and not paper.assignments:
        paper.status = "submitted"
    db.session.flush()


@dataclass
class AutoAssignment:
    """What ``auto_assign`` did: new assignments, and papers left short of reviewers."""

    assigned: list[ReviewAssignment] = field(default_factory=list)
    short: dict[int, int] = field(default_factory=dict)  # paper id -> reviewers missing


def auto_assign(
    event, per_paper: int = 2, by: User | None = None, *, now: datetime | None = None
) -> AutoAssignment:
    """Give every paper up for review ``per_paper`` reviewers, each time choosing the
    least-loaded reviewer without a conflict of interest."""
    if isinstance(per_paper, bool) or not isinstance(per_paper, int) or not 1 <= per_paper <= 20:
        raise ValidationError("Ask for 1 to 20 reviewers per paper.", field="per_paper")
    now = now or utcnow()
    reviewers = event_reviewers(event)
    who = identities(event, reviewers)
    load = Counter(
        dict(
            db.session.execute(
                select(ReviewAssignment.reviewer_id, func.count(ReviewAssignment.id))
                .join(Paper, Paper.id == ReviewAssignment.paper_id)
                .where(Paper.event_id == event.id)
                .group_by(ReviewAssignment.reviewer_id)
            ).all()
        )
    )
    papers = db.session.scalars(
        select(Paper)
        .where(Paper.event_id == event.id, Paper.status.in_(EDITABLE))
        .options(
            selectinload(Paper.authors),
            selectinload(Paper.assignments),
            selectinload(Paper.submitter),
        )
        .order_by(Paper.id)
    ).all()
    # The papers with the fewest possible reviewers choose first, so they are not left
    # short by papers that anyone could review.
    eligible = {
        paper.id: [
            u
            for u in reviewers
            if all(a.reviewer_id != u.id for a in paper.assignments)
            and _conflict(paper, who[u.id]) is None
        ]
        for paper in papers
    }
    result = AutoAssignment()
    for paper in sorted(papers, key=lambda p: (len(eligible[p.id]), p.id)):
        needed = per_paper - len(paper.assignments)
        if needed <= 0:
            continue
        candidates = sorted(eligible[paper.id], key=lambda u: (load[u.id], u.id))
        for user in candidates[:needed]:
            result.assigned.append(_assign(paper, user, by, now))
            load[user.id] += 1
        if len(candidates) < needed:
            result.short[paper.id] = needed - len(candidates)
    db.session.flush()
    return result


# Reviewing ---------------------------------------------------------------------------


def assignments_for(event, user: User) -> list[ReviewAssignment]:
    """A reviewer's papers at the event (withdrawn ones left out), oldest first."""
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .join(Paper, Paper.id == ReviewAssignment.paper_id)
            .where(
                Paper.event_id == event.id,
                ReviewAssignment.reviewer_id == user.id,
                Paper.status != "withdrawn",
            )
            .options(selectinload(ReviewAssignment.paper), selectinload(ReviewAssignment.review))
            .order_by(ReviewAssignment.assigned_at, ReviewAssignment.id)
        )
    )


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
    _check_reviewable(paper)
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


# Decisions ---------------------------------------------------------------------------


def _presenters(paper: Paper) -> list[Registration]:
    link_registrations(paper)
    ids = [a.registration_id for a in paper.authors if a.is_presenting and a.registration_id]
    return [db.session.get(Registration, rid) for rid in ids]


def _accept_as_talk(paper: Paper) -> Talk:
    talk = paper.talk
    if talk is None:
        talk = Talk(
            event_id=paper.event_id,
            session_id=None,
            duration_minutes=call_for(paper.event).talk_minutes,
        )
        db.session.add(talk)
        paper.talk = talk
    talk.title, talk.abstract = paper.title, paper.abstract
    talk.presenters = _presenters(paper)
    return talk


def _drop_talk(paper: Paper) -> None:
    talk = paper.talk
    if talk is None:
        return
    if talk.session_id is not None:
        raise ValidationError(
            f"“{paper.title}” is placed in the session “{talk.session.title}”: take it out "
            "of the agenda first.",
            field="decision",
        )
    paper.talk = None
    db.session.delete(talk)


def decide(
    paper: Paper,
    decision: str,
    note: str,
    by: User | None,
    *,
    now: datetime | None = None,
    notify: bool = True,
) -> Paper:
    """Accept, reject or ask for a revision; every author is told by e-mail (unless
    ``notify`` is false: an import or the demo). An accepted paper becomes one talk waiting
    to be placed in the agenda."""
    if decision not in DECISIONS:
        raise ValidationError("Decide accept, reject or revise.", field="decision")
    if paper.status == "withdrawn":
        raise ValidationError("The paper is withdrawn: there is nothing to decide.")
    status = DECISIONS[decision]
    if paper.status == status:
        raise ValidationError(
            f"“{paper.title}” is {PAPER_STATUSES[status].lower()} already.", field="decision"
        )
    note = clean_long_text(note)
    if len(note) > COMMENT_LIMIT:
        raise ValidationError(f"Keep the note under {COMMENT_LIMIT:,} characters.", field="note")
    if decision == "revise" and not note:
        raise ValidationError("Tell the authors what to revise.", field="note")
    if decision == "accept":
        _accept_as_talk(paper)
    else:
        _drop_talk(paper)
    paper.status, paper.decision_note = status, note
    paper.decided_at, paper.decided_by_id = now or utcnow(), getattr(by, "id", None)
    db.session.flush()
    if not notify:
        return paper
    notify_authors(
        paper,
        "paper_decision",
        DECISION_SUBJECTS[decision],
        decision=decision,
        note=note,
        comments=comments_for_authors(paper),
    )
    return paper
