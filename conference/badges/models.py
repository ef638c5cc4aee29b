"""Per-event Ed25519 key pairs that sign badge tokens."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, Text
from sqlalchemy.orm import Mapped, mapped_column

from conference.dbtypes import UTCDateTime, utcnow
from conference.extensions import db


class BadgeKey(db.Model):
    """A signing key: the newest unrevoked one signs; every unrevoked one verifies.

    The private key is stored encrypted with a key derived from the app's SECRET_KEY;
    it never leaves the server.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
