"""Check-ins and the log of every scan and undo."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.dbtypes import UTCDateTime, utcnow
from conference.extensions import db
from conference.registration.models import Registration


class CheckIn(db.Model):
    """A delegate's presence: once per event day at the door, once per session in a room.

    ``scope`` is "day:YYYY-MM-DD" or "session:<id>"; the unique constraint on
    (registration, scope) is what makes two doors scanning one badge at the same moment
    produce exactly one check-in.
    """

    __table_args__ = (
        UniqueConstraint("registration_id", "scope"),
        Index("ix_check_in_event_day", "event_id", "day"),
        Index("ix_check_in_event_sync", "event_id", "sync_stamp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    # A session with check-ins cannot be deleted (the editor says so; the database insists).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_session.id"), index=True)
    station: Mapped[str] = mapped_column(String(100))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sync_stamp: Mapped[int | None] = mapped_column(BigInteger)  # see conference/sync.py
    # The person's category and country, which the live arrivals count by: the scan copies
    # them from the registration it reads anyway, and a change to either is copied here
    # too (below), so a poll counts check-ins alone instead of joining 100,000
    # registrations. No foreign key: every scan would lock its category's row to check it.
    category_id: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(2))

    registration: Mapped["Registration"] = relationship()


# Registration attributes a check-in keeps a copy of (the relationship names the category too).
COPIED = ("category_id", "category", "country")


@event.listens_for(CheckIn, "before_insert")
def _copy_from_registration(mapper, connection, target):
    """A check-in added as an object (the scan inserts its own) copies its registration's."""
    if target.category_id is None or target.country is None:
        target.category_id, target.country = connection.execute(
            select(Registration.category_id, Registration.country).where(
                Registration.id == target.registration_id
            )
        ).one()


@event.listens_for(Registration, "after_update")
def _copy_to_check_ins(mapper, connection, target):
    """A registration's new category or country reaches its check-ins in the same flush.

    Every change to them goes through the ORM (as the scanners' change stamps need too);
    a bulk UPDATE of either would have to update check_in as well."""
    state = inspect(target)
    if any(state.attrs[name].history.has_changes() for name in COPIED):
        connection.execute(
            update(CheckIn.__table__)
            .where(CheckIn.registration_id == target.id)
            .values(category_id=target.category_id, country=target.country)
        )


class ScanLog(db.Model):
    """Every scan, refusal, duplicate and undo: who, when, where, and what was answered.

    A scanner names each scan with a ``client_ref`` so that sending it again (a retry, a
    sync) is answered as the first time and recorded once: unique per event and station,
    with ``scan_digest`` (a hash of what was scanned) telling a true replay from another
    scan sent under the same reference.
    """

    __table_args__ = (
        CheckConstraint(
            "action IN ('checkin', 'duplicate', 'refused', 'undo')", name="action_known"
        ),
        Index("ix_scan_log_event_recorded", "event_id", "recorded_at"),
        UniqueConstraint("event_id", "station", "client_ref"),
        Index("ix_scan_log_event_sync", "event_id", "sync_stamp"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(10))
    result: Mapped[str] = mapped_column(String(30))
    scope: Mapped[str | None] = mapped_column(String(40))
    station: Mapped[str] = mapped_column(String(100))
    client_ref: Mapped[str | None] = mapped_column(String(64))
    scan_digest: Mapped[str | None] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(300), default="")
    # Undos only: the check-in taken away, and the stamp that brings its removal to the
    # scanners (conference/sync.py).
    check_in_id: Mapped[int | None] = mapped_column(Integer)
    sync_stamp: Mapped[int | None] = mapped_column(BigInteger)
