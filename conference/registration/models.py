"""Registrations, their categories, custom questions and answers, delegations, visa data."""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import gettext
from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.event import listen
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conference.dbtypes import (
    UTCDateTime,
    one_of,
    postgresql_expression_index,
    postgresql_only,
    utcnow,
)
from conference.extensions import db
from conference.languages import CODES as LANGUAGE_CODES
from conference.languages import ENGLISH, N_
from conference.names import (
    NAME_ORDER_LABELS,
    NameOrder,
    badge_names,
    formal_name,
    full_name,
    name_and_native,
)
from conference.sync import stamp_on_change


class RegistrationStatus(StrEnum):
    """Where a registration stands; equal to the string stored in ``registration.status``."""

    CONFIRMED = "confirmed"
    PENDING_APPROVAL = "pending_approval"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


HOLDS_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL)
# In English; ``Registration.status_label`` gives the page's (or e-mail's) language.
STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: N_("Confirmed"),
    RegistrationStatus.PENDING_APPROVAL: N_("Pending approval"),
    RegistrationStatus.WAITLISTED: N_("Waiting list"),
    RegistrationStatus.REJECTED: N_("Rejected"),
    RegistrationStatus.CANCELLED: N_("Cancelled"),
}
QUESTION_TYPES = {
    "short_text": "Short text",
    "long_text": "Long text",
    "single_choice": "Single choice",
    "multiple_choice": "Multiple choice",
    "checkbox": "Checkbox",
    "number": "Number",
    "date": "Date",
    "country": "Country",
}
TITLES = ("", "Mr", "Ms", "Mrs", "Mx", "Dr", "Prof.", "H.E.", "Hon.")


class Category(db.Model):
    """A kind of participant, with its own capacity; ``places_taken`` is kept atomically."""

    __table_args__ = (
        UniqueConstraint("event_id", "name"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("places_taken >= 0", name="places_taken_not_negative"),
        # The database itself refuses to oversell.
        CheckConstraint("capacity IS NULL OR places_taken <= capacity", name="never_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    places_taken: Mapped[int] = mapped_column(Integer, default=0)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invitation_code: Mapped[str | None] = mapped_column(String(64))
    badge_colour: Mapped[str] = mapped_column(String(7), default="#1f4e79")
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped["Event"] = relationship()  # noqa: F821

    @property
    def is_public(self) -> bool:
        return not self.invitation_code

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.places_taken, 0)

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        if self.opens_at and now < self.opens_at:
            return False
        if self.closes_at and now >= self.closes_at:
            return False
        return True


class Question(db.Model):
    """A custom question an event asks on its registration form."""

    __table_args__ = (
        CheckConstraint(
            "type IN ('short_text', 'long_text', 'single_choice', 'multiple_choice', "
            "'checkbox', 'number', 'date', 'country')",
            name="type_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    type: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def type_label(self) -> str:
        return QUESTION_TYPES[self.type]


class Delegation(db.Model):
    """A group travelling together (a city delegation), led by a head of delegation."""

    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["Registration"]] = relationship(back_populates="delegation")

    @property
    def head(self) -> "Registration | None":
        return next((m for m in self.members if m.is_delegation_head), None)


class Registration(db.Model):
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        one_of("status", RegistrationStatus),
        one_of("name_order", NameOrder, name="name_order_known"),
        one_of("language", LANGUAGE_CODES, name="language_known"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        Index("ix_registration_event_status", "event_id", "status"),
        # Who is still expected at the door, by family name (checkin arrivals()): everyone,
        # and the VIPs (listed first) without passing every other delegate on the way.
        Index("ix_registration_event_status_family", "event_id", "status", "family_name"),
        Index(
            "ix_registration_event_status_category_family",
            "event_id",
            "status",
            "category_id",
            "family_name",
        ),
        Index("ix_registration_waitlist", "category_id", "status", "waitlisted_at"),
        # The organisers' dashboard counts registrations by day, status and category from
        # this index alone (an index-only scan on PostgreSQL), however many there are.
        Index("ix_registration_event_created", "event_id", "created_at", "status", "category_id"),
        Index("ix_registration_event_sync", "event_id", "sync_stamp"),
        # An event's registrations in order: the list's pages and the API's cursor.
        Index("ix_registration_event_id_id", "event_id", "id"),
        # Name search (LIKE '%word%') through trigrams; see registration/search.py.
        postgresql_only(
            Index(
                "ix_registration_search_text_trgm",
                "search_text",
                postgresql_using="gin",
                postgresql_ops={"search_text": "gin_trgm_ops"},
            )
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))

    title: Mapped[str] = mapped_column(String(20), default="")
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))  # "": one name only
    # How the person writes their name (conference/names.py): given or family name first.
    name_order: Mapped[str] = mapped_column(
        String(12), default=NameOrder.GIVEN_FIRST, server_default=NameOrder.GIVEN_FIRST
    )
    native_name: Mapped[str] = mapped_column(String(200), default="")
    badge_name: Mapped[str] = mapped_column(String(200), default="")
    # None: a delegation member without an address of their own, whom their head manages
    # (``managed_by_head``); NULLs never clash in the (event, email) unique constraint.
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    dietary: Mapped[str] = mapped_column(String(500), default="")
    accessibility: Mapped[str] = mapped_column(String(500), default="")
    list_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The delegate's language (conference/languages.py): every e-mail to them is in it.
    language: Mapped[str] = mapped_column(String(8), default=ENGLISH, server_default=ENGLISH)
    privacy_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    visa_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    is_delegation_head: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reissuing a badge bumps the counter, so the token on the old badge stops working.
    badge_reissue: Mapped[int] = mapped_column(Integer, default=0)
    badge_printed_count: Mapped[int] = mapped_column(Integer, default=0)
    badge_printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organiser_note: Mapped[str] = mapped_column(Text, default="")

    search_text: Mapped[str] = mapped_column(Text, default="")
    manage_nonce: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(20), default="form")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When what the door scanners copy last changed (conference/sync.py; NULL: never since
    # stamps began, which every scanner's copy already has).
    sync_stamp: Mapped[int | None] = mapped_column(BigInteger)

    event: Mapped["Event"] = relationship()  # noqa: F821
    category: Mapped[Category] = relationship()
    delegation: Mapped[Delegation | None] = relationship(back_populates="members")
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )
    visa: Mapped["VisaDetails | None"] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        """The given and family names in the person's order."""
        return full_name(self.given_name, self.family_name, self.name_order)

    @property
    def display_name(self) -> str:
        """The full name after the title: "Ms Nguyễn Thị Minh Khai"."""
        return formal_name(self.title, self.given_name, self.family_name, self.name_order)

    @property
    def single_name(self) -> bool:
        """The person has one name only (no family name)."""
        return not self.family_name

    @property
    def name_order_label(self) -> str:
        return NAME_ORDER_LABELS[self.name_order]

    @property
    def name_on_badge(self) -> str:
        return self.badge_name or self.full_name

    @property
    def shown_names(self) -> tuple[str, str]:
        """(the display name, the native-script name beside it or "" when it only writes
        the same name again): what pages and e-mails show."""
        return name_and_native(self.display_name, self.native_name)

    @property
    def badge_names(self) -> tuple[str, str]:
        """(the native-script name or "", the Latin name) as the badge prints them."""
        return badge_names(
            title=self.title,
            given=self.given_name,
            family=self.family_name,
            order=self.name_order,
            native=self.native_name,
            badge_name=self.badge_name,
        )

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE

    @property
    def status_label(self) -> str:
        """The status in the language being rendered: "Confirmed", "ยืนยันแล้ว"."""
        return gettext(STATUS_LABELS[self.status])

    @property
    def is_head(self) -> bool:
        return self.delegation_id is not None and self.is_delegation_head

    @property
    def managed_by_head(self) -> bool:
        """A delegation member without an address: their head manages their registration,
        and they receive no e-mail."""
        return self.email is None and self.delegation_id is not None and not self.is_head


# What the door scanners copy of a registration (conference/checkin/offline.py): a change to
# any of it stamps the row, so the scanners' next delta brings it.
DOOR_ATTRIBUTES = (
    "title",
    "given_name",
    "family_name",
    "name_order",
    "native_name",
    "badge_name",
    "category_id",
    "category",
    "delegation_id",
    "delegation",
    "country",
    "organisation",
    "status",
    "badge_reissue",
)
stamp_on_change(Registration, DOOR_ATTRIBUTES)

# What lists sort people by: the family name, or the one name of someone who has no other.
# The empty string is written in the SQL, not bound: the index on the expression
# (ix_registration_participants, below) matches it in every plan, a prepared statement's too.
SORT_NAME = func.coalesce(
    func.nullif(Registration.family_name, literal_column("''")), Registration.given_name
)
# The participant list (registration/participants.py): an event's confirmed delegates who
# consented, a page at a time in name order, read off this index however deep the page.
# On PostgreSQL only (SQLite sorts a small event's list at once); its sort name is SORT_NAME.
postgresql_expression_index(
    Registration.__table__,
    "ix_registration_participants",
    "event_id, status, list_consent, coalesce(nullif(family_name, ''), given_name), given_name, id",
)

# create_all (a new database, the tests) makes the trigram operators first, as the migration.
listen(
    Registration.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class Answer(db.Model):
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    value: Mapped[object] = mapped_column(JSON)

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class ActorKind(StrEnum):
    """Who did something to a registration (its history says so)."""

    USER = "user"  # a signed-in account: an organiser, or staff at the badge desk
    DELEGATE = "delegate"  # the delegate, through their own management link
    HEAD = "head"  # the head of their delegation, through the head's link
    DOOR = "door"  # a scanner at a door or room: staff's account and the station
    API = "api"  # a client of the JSON API
    SYSTEM = "system"  # the application itself: the waiting list, a command, a job


class RegistrationActivity(db.Model):
    """One thing that happened to a registration: when, who did it (an account, and a label
    that still names them if the account goes), what (``kind``), a short summary a person
    reads, and its details (the fields changed, old and new). Written by
    conference/registration/history.py; e-mails are not copied here: the history reads
    them from the outbox."""

    __table_args__ = (
        one_of("actor_kind", ActorKind, name="actor_kind_known"),
        # A registration's history, newest first; an event's latest activity.
        Index("ix_registration_activity_registration_at", "registration_id", "at"),
        Index("ix_registration_activity_event_at", "event_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(String(300))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    registration: Mapped[Registration] = relationship()
    actor_user: Mapped["User | None"] = relationship()  # noqa: F821


class VisaStatus(StrEnum):
    """Where a visa letter request stands, when the event's letters need approval."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


class VisaDetails(db.Model):
    """Passport details for a visa invitation letter: organisers only; deleted after the event."""

    __table_args__ = (one_of("status", VisaStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    passport_name: Mapped[str] = mapped_column(String(200))
    passport_number: Mapped[str] = mapped_column(String(30))
    nationality: Mapped[str] = mapped_column(String(2))
    date_of_birth: Mapped[date] = mapped_column(Date)
    passport_expiry: Mapped[date] = mapped_column(Date)
    letter_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        String(10), default=VisaStatus.REQUESTED, server_default=VisaStatus.REQUESTED.value
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    registration: Mapped[Registration] = relationship(back_populates="visa")
    decided_by: Mapped["User | None"] = relationship()  # noqa: F821


class VisaLetterLog(db.Model):
    """A visa letter issued: which registration, when, and who made it (an organiser's
    account, or nobody: the delegate through their own link). Kept when the passport
    details are deleted after the event; it holds none of them."""

    __table_args__ = (Index("ix_visa_letter_log_event_issued", "event_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    reference: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()
    issued_by: Mapped["User | None"] = relationship()  # noqa: F821
