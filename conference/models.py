"""Every feature's models in one place, so Alembic and ``db.create_all`` see all tables."""

from conference.agenda.models import (
    AgendaNotice,
    AgendaPublication,
    AgendaSession,
    AgendaSignup,
    PresenterUnavailability,
    Room,
    RoomUnavailability,
    ScheduleInstance,
    ScheduleProposal,
    SimilarTracks,
    Talk,
    TalkInterest,
    Track,
)
from conference.auth.models import ApiToken, EventRole, User
from conference.badges.models import BadgeKey
from conference.certificates.models import CertificateMail
from conference.checkin.models import CheckIn, ScanLog
from conference.events.models import Event
from conference.jobs.models import Job
from conference.mail.models import OutboxAttachment, OutboxMessage
from conference.messages.models import EventMessage, MessageRecipient
from conference.papers.models import (
    CallForPapers,
    Paper,
    PaperAuthor,
    PaperVersion,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from conference.registration.models import (
    Answer,
    Category,
    Delegation,
    Question,
    Registration,
    RegistrationActivity,
    VisaDetails,
    VisaLetterLog,
)
from conference.sync import SyncClock

__all__ = [
    "AgendaNotice",
    "AgendaPublication",
    "AgendaSession",
    "AgendaSignup",
    "PresenterUnavailability",
    "Room",
    "RoomUnavailability",
    "ScheduleInstance",
    "ScheduleProposal",
    "SimilarTracks",
    "Talk",
    "TalkInterest",
    "Track",
    "Answer",
    "ApiToken",
    "BadgeKey",
    "CallForPapers",
    "Category",
    "CertificateMail",
    "CheckIn",
    "Delegation",
    "Event",
    "EventMessage",
    "EventRole",
    "Job",
    "MessageRecipient",
    "OutboxAttachment",
    "OutboxMessage",
    "Paper",
    "PaperAuthor",
    "PaperVersion",
    "Question",
    "Registration",
    "RegistrationActivity",
    "Review",
    "SyncClock",
    "VisaLetterLog",
    "ReviewAssignment",
    "ReviewCriterion",
    "ScanLog",
    "User",
    "VisaDetails",
]
