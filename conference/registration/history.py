"""A registration's history: who did what to it, and when.

The services that change a registration record it here as they change it (registering,
edits by the delegate, their head or an organiser, status changes, visa decisions and
letters, check-ins and their undoing, badges printed and reissued, e-mails sent again),
each with its actor: an account, the delegate through their own link, their head of
delegation, a door's scanner, an API client, or the application itself. The e-mails sent
about a registration are not copied: the history reads them from the outbox
(``OutboxMessage.registration_id``), with their delivery state.

Recording adds rows to the caller's transaction (the route or command commits); reading
pages through the activities and the e-mails together, newest first.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, literal, select, union_all
from sqlalchemy.orm import selectinload

from conference.dbtypes import utcnow
from conference.extensions import db
from conference.ids import in_chunks
from conference.mail.models import OutboxMessage
from conference.registration.fields import BY_NAME, PASSPORT_FIELDS, PERSONAL_FIELDS
from conference.registration.models import ActorKind, Registration, RegistrationActivity

LABEL_MAX = 200
SUMMARY_MAX = 300
VALUE_MAX = 300  # of each old and new value kept in an edit's details
HISTORY_PAGE = 50
MAX_PAGE = 100_000  # beyond any history; a larger page number would overflow the OFFSET
LATEST = 12  # activities on an event's dashboard


class Kind:
    """What happened (``RegistrationActivity.kind``)."""

    REGISTERED = "registered"
    EDITED = "edited"
    STATUS = "status"
    CATEGORY = "category"
    EMAIL_VERIFIED = "email_verified"
    VISA_APPROVED = "visa_approved"
    VISA_REFUSED = "visa_refused"
    VISA_LETTER = "visa_letter"
    CHECKED_IN = "checked_in"
    CHECK_IN_UNDONE = "check_in_undone"
    BADGE_PRINTED = "badge_printed"
    BADGE_REISSUED = "badge_reissued"
    EMAIL_RESENT = "email_resent"


@dataclass(frozen=True)
class Actor:
    """Who does something: a kind (ActorKind), the account if there is one, and a label
    kept with the record (a name, a station, a command) that still reads if the account
    goes."""

    kind: str
    user_id: int | None = None
    label: str = ""

    @classmethod
    def of_user(cls, user) -> "Actor":
        """A signed-in account: an organiser, or staff at the badge desk."""
        return cls(ActorKind.USER, user.id, user.display_name)

    @classmethod
    def delegate(cls, registration: Registration) -> "Actor":
        """The delegate, through their own management link (or registering themselves)."""
        return cls(ActorKind.DELEGATE, None, registration.display_name)

    @classmethod
    def head(cls, head: Registration) -> "Actor":
        """A head of delegation, through their link, for a member."""
        return cls(ActorKind.HEAD, None, head.display_name)

    @classmethod
    def door(cls, user_id: int | None, station: str) -> "Actor":
        """A scanner at a door or room: staff's account (or device token) and the station."""
        return cls(ActorKind.DOOR, user_id, station)

    @classmethod
    def api(cls, user=None) -> "Actor":
        """A client of the JSON API (the public registration endpoint has no account)."""
        if user is None:
            return cls(ActorKind.API, None, "Registration API")
        return cls(ActorKind.API, user.id, user.display_name)

    @classmethod
    def system(cls, label: str = "System") -> "Actor":
        """The application itself: the waiting list, a command, a background job."""
        return cls(ActorKind.SYSTEM, None, label)


SYSTEM = Actor.system()
WAITING_LIST = Actor.system("Waiting list")
COMMAND_LINE = Actor.system("Command line")


def user_or_system(user) -> Actor:
    """The account that acts (one who started a background job, say), or the application
    when there is none."""
    return Actor.of_user(user) if user is not None else SYSTEM


def _row(registration_id, event_id, kind, summary, actor: Actor, detail, at) -> dict:
    return {
        "event_id": event_id,
        "registration_id": registration_id,
        "at": at or utcnow(),
        "actor_kind": str(actor.kind),
        "actor_user_id": actor.user_id,
        "actor_label": (actor.label or "")[:LABEL_MAX],
        "kind": kind,
        "summary": summary[:SUMMARY_MAX],
        "detail": detail or {},
    }


def record(
    registration: Registration,
    kind: str,
    summary: str,
    actor: Actor,
    detail: dict | None = None,
    at: datetime | None = None,
) -> RegistrationActivity:
    """Record one thing that happened to a (flushed) registration, in the caller's
    transaction."""
    activity = RegistrationActivity(
        **_row(registration.id, registration.event_id, kind, summary, actor, detail, at)
    )
    db.session.add(activity)
    return activity


_INSERT = insert(RegistrationActivity.__table__)


def record_by_id(
    event_id: int,
    registration_id: int,
    kind: str,
    summary: str,
    actor: Actor,
    detail: dict | None = None,
    at: datetime | None = None,
) -> None:
    """``record`` without loading the registration: one INSERT (the scan's hot path)."""
    db.session.execute(_INSERT, _row(registration_id, event_id, kind, summary, actor, detail, at))


def record_many(
    event_id: int,
    registration_ids,
    kind: str,
    summary: str,
    actor: Actor,
    detail: dict | None = None,
) -> None:
    """The same thing for many registrations (a batch of badges): a few thousand rows per
    statement, so any number is recorded without loading a registration."""
    at = utcnow()
    for chunk in in_chunks(list(registration_ids)):
        db.session.execute(
            _INSERT, [_row(rid, event_id, kind, summary, actor, detail, at) for rid in chunk]
        )


# Edits: what changed, old and new --------------------------------------------------

_YES_NO = ("list_consent", "visa_requested")


def _clip(value):
    if isinstance(value, str) and len(value) > VALUE_MAX:
        return value[: VALUE_MAX - 1] + "…"
    return value


def snapshot(registration: Registration, questions=(), *, note: bool = False) -> dict:
    """What an edit can change, to compare before and after: each field by name (its
    label beside it), each answer by its question, and the passport as a whole (its
    details are never copied into the history: they are deleted after the event)."""
    values: dict[str, tuple[str, object]] = {}
    for name in (*PERSONAL_FIELDS, *_YES_NO):
        values[name] = (BY_NAME[name].label, getattr(registration, name))
    visa = registration.visa
    passport = tuple(str(getattr(visa, n)) for n in PASSPORT_FIELDS) if visa else None
    values["passport"] = ("Passport details", passport)
    answers = {a.question_id: a.value for a in registration.answers}
    for question in questions:
        values[f"answer:{question.id}"] = (question.label, answers.get(question.id))
    if note:
        values["organiser_note"] = ("Organisers' note", registration.organiser_note)
    return values


def changes(before: dict, after: dict) -> list[dict]:
    """The fields whose value differs between two snapshots: name, label, old and new (the
    passport's only as changed)."""
    found = []
    for name, (label, new) in after.items():
        old = before.get(name, (label, None))[1]
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        change = {"field": name, "label": label}
        if name != "passport":
            change.update(old=_clip(old), new=_clip(new))
        found.append(change)
    return found


def changes_summary(found: list[dict], shown: int = 4) -> str:
    """ "Details changed: E-mail, Organisation and 2 more"."""
    labels = [change["label"] for change in found]
    text = ", ".join(labels[:shown])
    if len(labels) > shown:
        text += f" and {len(labels) - shown} more"
    return f"Details changed: {text}"


def record_changes(registration: Registration, before: dict, after: dict, actor: Actor):
    """Record an edit when it changed something; nothing when it changed nothing."""
    found = changes(before, after)
    if found:
        record(registration, Kind.EDITED, changes_summary(found), actor, {"changes": found})
    return found


# Reading ---------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One line of a registration's history: an activity, or an e-mail from the outbox."""

    at: datetime
    kind: str
    summary: str
    who: str
    detail: dict = field(default_factory=dict)
    message: OutboxMessage | None = None


def actor_text(activity: RegistrationActivity) -> str:
    """Who did it, as the history says it."""
    user = activity.actor_user
    name = user.display_name if user is not None else ""
    label = activity.actor_label
    kind = activity.actor_kind
    if kind == ActorKind.USER:
        return name or label or "A former account"
    if kind == ActorKind.DELEGATE:
        return "The delegate (own link)"
    if kind == ActorKind.HEAD:
        return f"{label}, head of delegation" if label else "The head of delegation"
    if kind == ActorKind.DOOR:
        return f"Scanner at {label}" + (f" ({name})" if name else "")
    if kind == ActorKind.API:
        return f"API ({name or label})" if (name or label) else "API"
    return label or "System"


def entry_of(activity: RegistrationActivity) -> HistoryEntry:
    return HistoryEntry(
        at=activity.at,
        kind=activity.kind,
        summary=activity.summary,
        who=actor_text(activity),
        detail=activity.detail or {},
    )


def _mail_entry(message: OutboxMessage) -> HistoryEntry:
    return HistoryEntry(
        at=message.created_at,
        kind="email",
        summary=f"E-mail “{message.subject}” to {message.recipient}",
        who="",
        message=message,
    )


def history(
    registration: Registration, page: int = 1, per_page: int = HISTORY_PAGE
) -> tuple[list[HistoryEntry], bool]:
    """One page of the registration's history, newest first: its activities and the
    e-mails about it together (one query pages through both); and whether older entries
    follow."""
    page = min(max(page, 1), MAX_PAGE)
    activities = select(
        literal("activity").label("source"),
        RegistrationActivity.id.label("id"),
        RegistrationActivity.at.label("at"),
    ).where(RegistrationActivity.registration_id == registration.id)
    mails = select(
        literal("mail").label("source"),
        OutboxMessage.id.label("id"),
        OutboxMessage.created_at.label("at"),
    ).where(OutboxMessage.registration_id == registration.id)
    both = union_all(activities, mails).subquery()
    rows = db.session.execute(
        select(both.c.source, both.c.id)
        .order_by(both.c.at.desc(), both.c.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    wanted = {"activity": [], "mail": []}
    for source, row_id in rows:
        wanted[source].append(row_id)
    found = {}
    if wanted["activity"]:
        for activity in db.session.scalars(
            select(RegistrationActivity)
            .where(RegistrationActivity.id.in_(wanted["activity"]))
            .options(selectinload(RegistrationActivity.actor_user))
        ):
            found["activity", activity.id] = entry_of(activity)
    if wanted["mail"]:
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(wanted["mail"]))
        ):
            found["mail", message.id] = _mail_entry(message)
    return [found[source, row_id] for source, row_id in rows], more


def latest_activity(event, limit: int = LATEST) -> list[tuple[RegistrationActivity, str]]:
    """The event's latest activities, newest first, each with who did it; their
    registrations loaded to name them."""
    activities = db.session.scalars(
        select(RegistrationActivity)
        .where(RegistrationActivity.event_id == event.id)
        .order_by(RegistrationActivity.at.desc(), RegistrationActivity.id.desc())
        .limit(limit)
        .options(
            selectinload(RegistrationActivity.registration),
            selectinload(RegistrationActivity.actor_user),
        )
    )
    return [(activity, actor_text(activity)) for activity in activities]
