"""Calls for papers: an event's dates, file rules, topics and review criteria.

Times are typed on the event's wall clock (``conference.localtime``); the criteria's
names, scales and weights are frozen once a review is in.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, select

from conference.agenda.models import Track
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.localtime import to_utc
from conference.papers.filetypes import DEFAULT_KINDS, KINDS
from conference.papers.models import (
    DEFAULT_MAX_BYTES,
    CallForPapers,
    Paper,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from conference.papers.uploads import format_size
from conference.registration.validation import clean_long_text, clean_text, fold

MAX_CRITERIA = 20


@dataclass
class CriterionDetails:
    """One review criterion as an organiser describes it."""

    name: str
    max_score: int = 5
    weight: int = 1
    description: str = ""


@dataclass
class CallDetails:
    """What an organiser says about the call; times are event-local (naive) or aware."""

    opens_at: datetime
    closes_at: datetime
    edit_deadline: datetime | None = None
    allowed_kinds: tuple[str, ...] = tuple(DEFAULT_KINDS)
    max_bytes: int = DEFAULT_MAX_BYTES
    abstract_word_limit: int = 300
    anonymous_review: bool = False
    talk_minutes: int = 15
    topic_ids: tuple[int, ...] = ()
    criteria: tuple[CriterionDetails, ...] = ()


def call_for(event) -> CallForPapers | None:
    """The event's call for papers, if it has one."""
    return db.session.scalar(select(CallForPapers).where(CallForPapers.event_id == event.id))


def get_call(event) -> CallForPapers:
    """The event's call for papers, or NotFound."""
    call = call_for(event)
    if call is None:
        raise NotFound(f"{event.title} has no call for papers.")
    return call


def _whole(value, low: int, high: int, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{what} must be a whole number from {low} to {high}.", field=field)
    return value


def _clean_criteria(criteria) -> list[CriterionDetails]:
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(f"Use at most {MAX_CRITERIA} criteria.", field="criteria")
    cleaned, seen = [], set()
    for n, criterion in enumerate(criteria):
        name = clean_text(criterion.name)
        if not name or len(name) > 100:
            raise ValidationError(
                "Give each criterion a name of at most 100 characters.", field=f"criteria-{n}-name"
            )
        if fold(name) in seen:
            raise ValidationError(f"“{name}” is listed twice.", field=f"criteria-{n}-name")
        seen.add(fold(name))
        cleaned.append(
            CriterionDetails(
                name=name,
                max_score=_whole(
                    criterion.max_score, 1, 100, f"criteria-{n}-max_score", "The highest score"
                ),
                weight=_whole(criterion.weight, 1, 100, f"criteria-{n}-weight", "The weight"),
                description=clean_long_text(criterion.description),
            )
        )
    return cleaned


def _reviews_exist(event) -> bool:
    return db.session.scalar(
        select(
            exists()
            .where(Review.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.paper_id == Paper.id)
            .where(Paper.event_id == event.id)
        )
    )


def save_call(event, details: CallDetails) -> CallForPapers:
    """Create or change the event's call for papers.

    Criteria can be renamed or reweighted only while no review is in: scores already given
    would otherwise be read against a different scale. Descriptions may always change.
    """
    opens = to_utc(details.opens_at, event.tz, field="opens_at")
    closes = to_utc(details.closes_at, event.tz, field="closes_at")
    if closes <= opens:
        raise ValidationError("The call must close after it opens.", field="closes_at")
    edit_deadline = None
    if details.edit_deadline is not None:
        edit_deadline = to_utc(details.edit_deadline, event.tz, field="edit_deadline")
        if edit_deadline < closes:
            raise ValidationError(
                "The deadline for new versions cannot be before the call closes.",
                field="edit_deadline",
            )
    kinds = list(dict.fromkeys(details.allowed_kinds))
    if not kinds:
        raise ValidationError("Allow at least one type of file.", field="allowed_kinds")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValidationError(
            f"Unknown file type {unknown[0]!r}: choose from {', '.join(KINDS)}.",
            field="allowed_kinds",
        )
    server_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    top = server_limit or 2**31 - 1
    if isinstance(details.max_bytes, int) and details.max_bytes > top:
        raise ValidationError(
            f"This server accepts uploads of at most {format_size(top)}.", field="max_bytes"
        )
    max_bytes = _whole(details.max_bytes, 1, top, "max_bytes", "The size limit")
    word_limit = _whole(
        details.abstract_word_limit, 1, 10_000, "abstract_word_limit", "The word limit"
    )
    talk_minutes = _whole(details.talk_minutes, 1, 480, "talk_minutes", "The talk length")
    topics = []
    for track_id in dict.fromkeys(details.topic_ids):
        track = db.session.get(Track, track_id)
        if track is None or track.event_id != event.id:
            raise ValidationError("Choose topics among this event's tracks.", field="topic_ids")
        topics.append(track)
    criteria = _clean_criteria(details.criteria)

    call = call_for(event)
    old = [(c.name, c.max_score, c.weight) for c in call.criteria] if call else []
    new = [(c.name, c.max_score, c.weight) for c in criteria]
    if old != new and call is not None and _reviews_exist(event):
        raise ValidationError(
            "Reviews are in already: the criteria's names, scales and weights can no longer "
            "change (descriptions can).",
            field="criteria",
        )
    if call is None:
        call = CallForPapers(event_id=event.id)
        db.session.add(call)
    call.opens_at, call.closes_at, call.edit_deadline = opens, closes, edit_deadline
    call.allowed_kinds, call.max_bytes = kinds, max_bytes
    call.abstract_word_limit, call.talk_minutes = word_limit, talk_minutes
    call.anonymous_review = bool(details.anonymous_review)
    call.topics = topics
    if old == new:
        for existing, wanted in zip(call.criteria, criteria, strict=True):
            existing.description = wanted.description
    else:
        call.criteria = []
        db.session.flush()  # the old rows go first: names are unique per call
        call.criteria = [
            ReviewCriterion(
                name=c.name,
                description=c.description,
                max_score=c.max_score,
                weight=c.weight,
                position=n,
            )
            for n, c in enumerate(criteria)
        ]
    db.session.flush()
    return call
