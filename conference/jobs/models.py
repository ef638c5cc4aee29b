"""Background jobs whose progress users can follow."""

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.dbtypes import UTCDateTime, one_of, utcnow
from conference.extensions import db


class JobStatus(StrEnum):
    """Where a background job stands; equal to the string stored in ``job.status``."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


def new_job_id() -> str:
    return uuid.uuid4().hex


class Job(db.Model):
    __table_args__ = (one_of("status", JobStatus),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_job_id)
    kind: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    # What happened to the job beyond its own progress: "The worker stopped; restarted, …".
    notice: Mapped[str] = mapped_column(String(500), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # While queued: when to send it to the workers again; while running: when its worker
    # counts as dead unless its heartbeat renews the lease.
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # host:pid:nonce of a run
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def percent(self) -> int | None:
        if self.status == JobStatus.FINISHED:
            return 100
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))

    @property
    def is_over(self) -> bool:
        return self.status in (JobStatus.FINISHED, JobStatus.FAILED)

    def lease_expired(self, now: datetime) -> bool:
        """Whether a queued or running job has outlived its lease (no lease: an old row)."""
        if self.is_over:
            return False
        return self.lease_expires_at is None or self.lease_expires_at <= now

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
            "result": self.result,
            "error": self.error,
            "notice": self.notice,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }
