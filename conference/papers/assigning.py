"""Assigning reviewers: never to a paper they wrote, nor to one by anyone of their own
organisation, by hand or automatically to the least-loaded reviewer.

A reviewer's organisation is the one on their own registration for the event (found by
account or e-mail), compared without regard to letter case, spaces, punctuation or
diacritics. A reviewer never gets a paper they wrote or submitted (matched by e-mail or
registration).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from conference.auth.models import EventRole, User
from conference.auth.services import has_event_role
from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.papers.models import OPEN_STATUSES, Paper, PaperStatus, ReviewAssignment
from conference.papers.reviewing import check_reviewable
from conference.registration.models import Registration
from conference.registration.validation import fold


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


def reviewer_choices(paper: Paper) -> list[tuple[User, str | None]]:
    """The event's reviewers not yet assigned to the paper, each with the conflict of
    interest that keeps them from reviewing it (None: they may)."""
    assigned = {a.reviewer_id for a in paper.assignments}
    candidates = [u for u in event_reviewers(paper.event) if u.id not in assigned]
    conflicts = conflicts_of_interest(paper, candidates)
    return [(u, conflicts[u.id]) for u in candidates]


def _assign(paper: Paper, user: User, by: User | None, now: datetime) -> ReviewAssignment:
    assignment = ReviewAssignment(
        paper=paper, reviewer=user, assigned_by_id=getattr(by, "id", None), assigned_at=now
    )
    db.session.add(assignment)
    if paper.status == PaperStatus.SUBMITTED:
        paper.status = PaperStatus.UNDER_REVIEW
    return assignment


def assign_reviewer(
    paper: Paper, user: User | None, by: User | None = None, *, now: datetime | None = None
) -> ReviewAssignment:
    """Ask a reviewer (or organiser) of the event to review the paper, unless they wrote
    it or share an organisation with an author. ``None``: no reviewer was chosen."""
    if user is None:
        raise ValidationError("Choose a reviewer.", field="reviewer")
    check_reviewable(paper)
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
    if paper.status == PaperStatus.UNDER_REVIEW and not paper.assignments:
        paper.status = PaperStatus.SUBMITTED
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
        .where(Paper.event_id == event.id, Paper.status.in_(OPEN_STATUSES))
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
