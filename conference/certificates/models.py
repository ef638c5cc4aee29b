"""The record of certificates sent, so that sending them again sends no one a second."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from conference.dbtypes import UTCDateTime, utcnow
from conference.extensions import db


class CertificateMail(db.Model):
    """The e-mail that sent a delegate their certificate of attendance: one per registration
    (the unique constraint is what makes two sendings at once send it once)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    # The outbox row (its delivery state); None once the outbox is cleaned of it.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
