"""Messages organisers send to delegates, and who received each."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.dbtypes import UTCDateTime, one_of, utcnow
from conference.extensions import db


class MessageKind(StrEnum):
    """What a message is about; equal to the string stored in ``event_message.kind``.

    A message about the delegate's own registration (practical information: the venue,
    the shuttle, their badge) goes to everyone selected who has an address; news (a
    newsletter, another event) only to those who consented (``list_consent``)."""

    REGISTRATION = "registration"
    NEWS = "news"


KIND_LABELS = {
    MessageKind.REGISTRATION: "About their registration",
    MessageKind.NEWS: "News",
}


class EventMessage(db.Model):
    """An e-mail an organiser composed for a filtered set of an event's registrations:
    who wrote it and when, the filter, what it said, how many it went to."""

    __tablename__ = "event_message"
    __table_args__ = (
        one_of("kind", MessageKind, name="kind_known"),
        Index("ix_event_message_event_created", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # The filter as the audience reads it (``Audience``), and in words as it read when
    # sent (a category or session may be renamed or deleted later).
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    filter_summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When sending started: how many the filter selected, how many of them it was for,
    # and why the others were left out.
    selected_count: Mapped[int] = mapped_column(Integer, default=0)
    planned_count: Mapped[int] = mapped_column(Integer, default=0)
    no_address_count: Mapped[int] = mapped_column(Integer, default=0)
    no_consent_count: Mapped[int] = mapped_column(Integer, default=0)
    # How many it has been queued for so far (one per MessageRecipient, kept in step).
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    # The preview it was sent from (services.preview_token): a form posted twice (a double
    # click) sends one message, not two.
    send_token: Mapped[str] = mapped_column(String(80), unique=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped["Event"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    job: Mapped["Job | None"] = relationship()  # noqa: F821

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def state(self) -> str:
        """ "sent" (queued for everyone), "sending", or "stopped" (its job failed or is gone:
        it can be resumed)."""
        if self.finished_at is not None:
            return "sent"
        if self.job is None or self.job.status == "failed":
            return "stopped"
        return "sending"


class MessageRecipient(db.Model):
    """One delegate a message was queued for, with its outbox row (whose state says
    whether it was delivered). Unique per message and registration: however often the
    sending job runs, nobody gets the message twice."""

    __tablename__ = "message_recipient"
    __table_args__ = (UniqueConstraint("message_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("event_message.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))  # the address it went to
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped["Registration | None"] = relationship()  # noqa: F821
    outbox_message: Mapped["OutboxMessage | None"] = relationship()  # noqa: F821
