"""Calls for papers, papers with their authors and every uploaded version, and reviews.

Topics are the agenda's tracks (``Track``): an accepted paper becomes a talk in a
parallel session of the same track, organisers keep one list of themes rather than two,
and the public agenda's track filter and colours apply to papers without a mapping. A
call names the tracks open for submissions (``CallForPapers.topics``).
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import false, text

from conference.dbtypes import UTCDateTime, one_of, utcnow
from conference.extensions import db
from conference.papers.filetypes import DEFAULT_KINDS, KINDS

# The file kinds a call may accept, as filetypes.py (which decides them by content) knows them.
FILE_KINDS = {k: kind.description for k, kind in KINDS.items()}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class PaperStatus(StrEnum):
    """Where a paper stands; equal to the string stored in ``paper.status``."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REVISE = "revise"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return PAPER_STATUSES[self]


PAPER_STATUSES = {
    PaperStatus.SUBMITTED: "Submitted",
    PaperStatus.UNDER_REVIEW: "Under review",
    PaperStatus.ACCEPTED: "Accepted",
    PaperStatus.REJECTED: "Not accepted",
    PaperStatus.REVISE: "Revision requested",
    PaperStatus.WITHDRAWN: "Withdrawn",
}
# Papers still open: reviewed, decided on, withdrawn by their authors.
OPEN_STATUSES = (PaperStatus.SUBMITTED, PaperStatus.UNDER_REVIEW, PaperStatus.REVISE)
# Papers the organisers have decided on (a revision may be decided on again).
DECIDED_STATUSES = (PaperStatus.ACCEPTED, PaperStatus.REJECTED, PaperStatus.REVISE)
RECOMMENDATIONS = {"accept": "Accept", "revise": "Revise", "reject": "Reject"}

call_topic = Table(
    "call_topic",
    db.metadata,
    Column("call_id", ForeignKey("call_for_papers.id", ondelete="CASCADE"), primary_key=True),
    Column("track_id", ForeignKey("track.id", ondelete="CASCADE"), primary_key=True),
)


class CallForPapers(db.Model):
    """An event's call for papers (one per event): dates, file rules, review settings."""

    __tablename__ = "call_for_papers"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        CheckConstraint(
            "edit_deadline IS NULL OR edit_deadline >= closes_at", name="edits_after_closing"
        ),
        CheckConstraint("max_bytes > 0", name="max_bytes_positive"),
        CheckConstraint("abstract_word_limit > 0", name="word_limit_positive"),
        CheckConstraint("talk_minutes > 0", name="talk_minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # New versions are accepted until then (None: until the call closes).
    edit_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allowed_kinds: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_KINDS))
    max_bytes: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_BYTES)
    abstract_word_limit: Mapped[int] = mapped_column(Integer, default=300)
    anonymous_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    talk_minutes: Mapped[int] = mapped_column(Integer, default=15)  # an accepted paper's talk
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped["Event"] = relationship()  # noqa: F821
    topics: Mapped[list["Track"]] = relationship(secondary=call_topic)  # noqa: F821
    criteria: Mapped[list["ReviewCriterion"]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="ReviewCriterion.position"
    )

    @property
    def last_edit_at(self) -> datetime:
        """When authors stop being able to upload new versions."""
        return self.edit_deadline or self.closes_at

    def is_open(self, now: datetime | None = None) -> bool:
        """True while new papers may be submitted."""
        now = now or utcnow()
        return self.opens_at <= now < self.closes_at


class ReviewCriterion(db.Model):
    """One thing reviewers score, from 0 to ``max_score``; ``weight`` counts in the total."""

    __tablename__ = "review_criterion"
    __table_args__ = (
        UniqueConstraint("call_id", "name"),
        CheckConstraint("max_score >= 1", name="max_score_positive"),
        CheckConstraint("weight >= 1", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("call_for_papers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    max_score: Mapped[int] = mapped_column(Integer, default=5)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[CallForPapers] = relationship(back_populates="criteria")


class Paper(db.Model):
    """A submission: its text, authors, every uploaded version, reviews and the decision."""

    __table_args__ = (
        one_of("status", PaperStatus),
        CheckConstraint("version_count >= 0", name="version_count_not_negative"),
        Index("ix_paper_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=PaperStatus.SUBMITTED)
    # Bumped by one UPDATE per upload: the row lock numbers simultaneous uploads in turn.
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    talk_id: Mapped[int | None] = mapped_column(
        ForeignKey("talk.id", ondelete="SET NULL"), unique=True
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped["Event"] = relationship()  # noqa: F821
    submitter: Mapped["Registration"] = relationship()  # noqa: F821
    track: Mapped["Track | None"] = relationship()  # noqa: F821
    talk: Mapped["Talk | None"] = relationship()  # noqa: F821
    decided_by: Mapped["User | None"] = relationship()  # noqa: F821
    authors: Mapped[list["PaperAuthor"]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="PaperAuthor.position"
    )
    versions: Mapped[list["PaperVersion"]] = relationship(
        back_populates="paper", order_by="PaperVersion.number", passive_deletes=True
    )
    assignments: Mapped[list["ReviewAssignment"]] = relationship(
        back_populates="paper", passive_deletes=True
    )

    @property
    def status_label(self) -> str:
        return PAPER_STATUSES[self.status]

    @property
    def latest_version(self) -> "PaperVersion | None":
        return self.versions[-1] if self.versions else None

    @property
    def presenting_author(self) -> "PaperAuthor | None":
        return next((a for a in self.authors if a.is_presenting), None)


class PaperAuthor(db.Model):
    """An author as the submitter named them; linked to their registration when there is one,
    so a co-author sees the paper through their own management link."""

    __tablename__ = "paper_author"
    __table_args__ = (
        UniqueConstraint("paper_id", "email"),
        UniqueConstraint("paper_id", "position"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        # At most one presenting author per paper (services require exactly one).
        Index(
            "uq_paper_author_presenting",
            "paper_id",
            unique=True,
            sqlite_where=text("is_presenting"),
            postgresql_where=text("is_presenting"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), index=True)
    is_presenting: Mapped[bool] = mapped_column(Boolean, default=False)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )

    paper: Mapped[Paper] = relationship(back_populates="authors")
    registration: Mapped["Registration | None"] = relationship()  # noqa: F821


class PaperVersion(db.Model):
    """One uploaded file of a paper; every version is kept."""

    __tablename__ = "paper_version"
    __table_args__ = (
        UniqueConstraint("paper_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("size >= 0", name="size_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    original_filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))
    mime_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    paper: Mapped[Paper] = relationship(back_populates="versions")
    uploaded_by: Mapped["Registration | None"] = relationship()  # noqa: F821


class ReviewAssignment(db.Model):
    """A reviewer asked to review a paper."""

    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("paper_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    paper: Mapped[Paper] = relationship(back_populates="assignments")
    reviewer: Mapped["User"] = relationship(foreign_keys=[reviewer_id])  # noqa: F821
    review: Mapped["Review | None"] = relationship(
        back_populates="assignment", cascade="all, delete-orphan"
    )


class Review(db.Model):
    """A reviewer's scores (criterion id -> score), recommendation and comments."""

    __table_args__ = (
        CheckConstraint(
            "recommendation IN ('accept', 'revise', 'reject')", name="recommendation_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignment.id", ondelete="CASCADE"), unique=True
    )
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # {"<criterion id>": score}
    recommendation: Mapped[str] = mapped_column(String(10))
    comments_to_authors: Mapped[str] = mapped_column(Text, default="")
    confidential_comments: Mapped[str] = mapped_column(Text, default="")  # organisers only
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="review")

    @property
    def recommendation_label(self) -> str:
        return RECOMMENDATIONS[self.recommendation]
