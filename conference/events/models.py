"""Events: the conferences that everything else belongs to."""

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import pycountry
from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.dbtypes import UTCDateTime, one_of, utcnow
from conference.extensions import db
from conference.localtime import to_local


class ParticipantList(StrEnum):
    """Who sees the event's participant list (conference/registration/participants.py)."""

    OFF = "off"
    DELEGATES = "delegates"  # the confirmed delegates, through their private link
    PUBLIC = "public"


class Event(db.Model):
    __table_args__ = (
        one_of("participant_list", ParticipantList, name="participant_list_known"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_closes_after_opening",
        ),
        # "" (the site's colours) or #rrggbb, as conference/events/brand.py writes it.
        CheckConstraint(
            "brand_colour = '' OR (length(brand_colour) = 7 AND substr(brand_colour, 1, 1) = '#')",
            name="brand_colour_is_hex",
        ),
        CheckConstraint(
            "(logo_key IS NULL AND logo_type IS NULL) "
            "OR (logo_key IS NOT NULL AND logo_type IN ('png', 'jpeg'))",
            name="logo_has_a_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Registration settings.
    edit_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_policy: Mapped[str] = mapped_column(Text, default="")
    visa_letter_text: Mapped[str] = mapped_column(Text, default="")
    visa_signatory_name: Mapped[str] = mapped_column(String(200), default="")
    visa_signatory_title: Mapped[str] = mapped_column(String(200), default="")
    # Each visa letter waits for an organiser's approval (registration/visa.py).
    visa_letters_need_approval: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true()
    )
    # Where delegates' replies to the event's e-mails go (their Reply-To); empty: the sender.
    reply_to: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Branding (events/branding.py): the primary colour, "" for the site's own, and the
    # logo, re-encoded and stored under a random key (events/logos.py).
    brand_colour: Mapped[str] = mapped_column(String(7), default="", server_default="")
    logo_key: Mapped[str | None] = mapped_column(String(32))
    logo_type: Mapped[str | None] = mapped_column(String(8))  # "png" or "jpeg"
    logo_width: Mapped[int | None] = mapped_column(Integer)
    logo_height: Mapped[int | None] = mapped_column(Integer)
    # Who sees the list of confirmed delegates who consented to be listed.
    participant_list: Mapped[str] = mapped_column(
        String(10), default=ParticipantList.OFF, server_default=ParticipantList.OFF.value
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    roles: Mapped[list["EventRole"]] = relationship(  # noqa: F821
        back_populates="event", cascade="all, delete-orphan"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def country_name(self) -> str:
        country = pycountry.countries.get(alpha_2=self.country)
        return country.name if country else self.country

    @property
    def days(self) -> list[date]:
        return [
            date.fromordinal(n)
            for n in range(self.start_date.toordinal(), self.end_date.toordinal() + 1)
        ]

    def local(self, moment: datetime | None) -> datetime | None:
        """A stored UTC time in the event's own time zone."""
        return to_local(moment, self.tz)

    def registration_is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        if self.registration_closes_at and now >= self.registration_closes_at:
            return False
        return True

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
