"""Rooms, tracks, sessions of several kinds, talks inside them, and delegates' sign-ups."""

from datetime import datetime, timedelta
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
from sqlalchemy.sql import false

from conference.agenda.kinds import SESSION_KINDS
from conference.dbtypes import UTCDateTime, one_of, utcnow
from conference.extensions import db

session_chair = Table(
    "session_chair",
    db.metadata,
    Column("session_id", ForeignKey("agenda_session.id", ondelete="CASCADE"), primary_key=True),
    Column("registration_id", ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True),
)

talk_presenter = Table(
    "talk_presenter",
    db.metadata,
    Column("talk_id", ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True),
    Column("registration_id", ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True),
)


class Room(db.Model):
    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Track(db.Model):
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str] = mapped_column(String(7), default="#1f4e79")


class AgendaSession(db.Model):
    """A block of the programme in a room: a plenary, a parallel session, a ceremony..."""

    __tablename__ = "agenda_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "kind IN ('plenary', 'parallel', 'ceremony', 'keynote', 'break', 'meal', "
            "'cultural', 'networking', 'poster')",
            name="kind_known",
        ),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        Index("ix_agenda_session_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int | None] = mapped_column(
        ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: the room's
    # Room check-in admits only delegates signed up for the session (refusal: not_signed_up).
    signed_up_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    room: Mapped[Room | None] = relationship()
    track: Mapped[Track | None] = relationship()
    chairs: Mapped[list["Registration"]] = relationship(secondary=session_chair)  # noqa: F821
    talks: Mapped[list["Talk"]] = relationship(back_populates="session", order_by="Talk.position")

    @property
    def kind_label(self) -> str:
        return SESSION_KINDS[self.kind]

    @property
    def effective_capacity(self) -> int | None:
        if self.capacity is not None:
            return self.capacity
        return self.room.capacity if self.room else None


class Talk(db.Model):
    """A talk inside a session, or waiting to be placed (session empty)."""

    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    abstract: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=15)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Kept where it is when parallel sessions are proposed (instances.py: ``fixed``).
    fixed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    session: Mapped[AgendaSession | None] = relationship(back_populates="talks")
    presenters: Mapped[list["Registration"]] = relationship(  # noqa: F821
        secondary=talk_presenter
    )

    @property
    def ends_at(self) -> datetime | None:
        """When the talk ends; None while it has no start."""
        if self.starts_at is None:
            return None
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class AgendaSignup(db.Model):
    """A delegate's choice of a (parallel) session for their personal agenda."""

    __table_args__ = (UniqueConstraint("registration_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_session.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AgendaPublication(db.Model):
    """A published version of the agenda: an immutable snapshot the public pages read."""

    __table_args__ = (UniqueConstraint("event_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    snapshot: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[list] = mapped_column(JSON, default=list)


class TalkInterest(db.Model):
    """A delegate wants to hear a talk: what the proposals of parallel sessions keep apart
    as little as they can, and the demand that sizes its room."""

    __tablename__ = "talk_interest"
    __table_args__ = (UniqueConstraint("registration_id", "talk_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    talk_id: Mapped[int] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PresenterUnavailability(db.Model):
    """A time a presenter cannot present (arriving late, leaving early, another duty):
    the window of a block of parallel sessions when it was marked. It rules out every
    block it overlaps."""

    __tablename__ = "presenter_unavailability"
    __table_args__ = (
        UniqueConstraint("registration_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped["Registration"] = relationship()  # noqa: F821


class RoomUnavailability(db.Model):
    """A block of parallel sessions in which a room cannot be used (as PresenterUnavailability)."""

    __tablename__ = "room_unavailability"
    __table_args__ = (
        UniqueConstraint("room_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    room: Mapped[Room] = relationship()


class SimilarTracks(db.Model):
    """Two tracks whose audiences overlap, best not run side by side (one row per pair,
    the smaller id first)."""

    __tablename__ = "similar_tracks"
    __table_args__ = (CheckConstraint("track_id < other_track_id", name="ordered_pair"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[int] = mapped_column(
        ForeignKey("track.id", ondelete="CASCADE"), primary_key=True
    )
    other_track_id: Mapped[int] = mapped_column(
        ForeignKey("track.id", ondelete="CASCADE"), primary_key=True
    )


class ScheduleInstance(db.Model):
    """A scheduling problem exported from the event (format 1, see instances.py), kept so
    that a solution to it can be checked against what changed since."""

    __tablename__ = "schedule_instance"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    document: Mapped[dict] = mapped_column(JSON)
    # Where each of its talks was in the draft when exported: {talk id: [block, room] | None}.
    draft: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class AgendaNotice(db.Model):
    """A delegate told that a session they signed up for moved or was cancelled: the
    e-mail's record, and what their personal agenda marks. A cancellation is held from
    the session's deletion (its sign-ups go with it) until the next publication says it,
    with ``publication_id`` empty until then."""

    __tablename__ = "agenda_notice"
    __table_args__ = (
        CheckConstraint("change IN ('moved', 'cancelled')", name="change_known"),
        Index("ix_agenda_notice_event_publication", "event_id", "publication_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(Integer)  # no key: a cancelled session is gone
    publication_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_publication.id", ondelete="CASCADE")
    )
    change: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    was_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    was_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    was_room: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    room: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProposalStatus(StrEnum):
    """Where a proposal of parallel sessions stands (``schedule_proposal.status``)."""

    RUNNING = "running"  # the solver is searching, in a background job
    READY = "ready"  # a valid schedule, to accept into the draft or discard
    FAILED = "failed"  # no valid schedule (the reasons say why), or the worker stopped
    CANCELLED = "cancelled"  # stopped by an organiser before it ended
    ACCEPTED = "accepted"  # read into the draft
    DISCARDED = "discarded"


class ScheduleProposal(db.Model):
    """Parallel sessions proposed by the solver for an exported instance: its progress while
    the job runs, then the solution and the explanation of what it leaves. The draft only
    changes when an organiser accepts it (proposals.py)."""

    __tablename__ = "schedule_proposal"
    __table_args__ = (one_of("status", ProposalStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_instance.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[str | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default=ProposalStatus.RUNNING)
    # What the organiser chose: time limit, seed, the placement to keep ("previous").
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    # The best schedule so far: {seconds, objective, terms, bound}; written as the job runs.
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    solution: Mapped[dict | None] = mapped_column(JSON)  # format 1
    explanation: Mapped[dict | None] = mapped_column(JSON)  # scheduling.explain's
    summary: Mapped[dict | None] = mapped_column(JSON)  # the draft then, against the proposal
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # why it failed, in words
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    instance: Mapped[ScheduleInstance] = relationship()
