"""Places and the waiting list: taking and giving back places, status changes, promotion.

Places are counted in ``Category.places_taken`` and taken by one conditional UPDATE
(``... WHERE capacity IS NULL OR places_taken < capacity``), so two requests at the same
moment can never both take the last place, on PostgreSQL or SQLite; a CHECK constraint
refuses an oversold category in any case.
"""

from dataclasses import dataclass

from sqlalchemy import select, update

from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.ids import id_or_none, in_chunks, is_id
from conference.registration.emails import notify
from conference.registration.history import SYSTEM, WAITING_LIST, Actor, Kind, record
from conference.registration.models import (
    HOLDS_PLACE,
    STATUS_LABELS,
    Category,
    Registration,
    RegistrationStatus,
)
from conference.registration.search import get_registration

Status = RegistrationStatus
ENDED = (Status.CANCELLED, Status.REJECTED)  # no place, no waiting: a registration that ended


def take_place(category: Category) -> bool:
    """Take one place atomically; False when the category is full."""
    result = db.session.execute(
        update(Category)
        .where(
            Category.id == category.id,
            (Category.capacity.is_(None)) | (Category.places_taken < Category.capacity),
        )
        .values(places_taken=Category.places_taken + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(category, ["places_taken"])
    return result.rowcount == 1


def release_place(category: Category) -> None:
    """Give one place back."""
    db.session.execute(
        update(Category)
        .where(Category.id == category.id, Category.places_taken > 0)
        .values(places_taken=Category.places_taken - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(category, ["places_taken"])


def status_with_place(category: Category) -> RegistrationStatus:
    """The status of a registration that has just taken a place in this category."""
    return Status.PENDING_APPROVAL if category.requires_approval else Status.CONFIRMED


# action: (the statuses it applies to, the status it leads to, the e-mail it sends);
# no target status: the registration takes a place if there is one.
TRANSITIONS = {
    "approve": ({Status.PENDING_APPROVAL}, Status.CONFIRMED, "approved"),
    "reject": (
        {Status.PENDING_APPROVAL, Status.CONFIRMED, Status.WAITLISTED},
        Status.REJECTED,
        "rejected",
    ),
    "cancel": (
        {Status.PENDING_APPROVAL, Status.CONFIRMED, Status.WAITLISTED},
        Status.CANCELLED,
        "cancelled",
    ),
    "promote": ({Status.WAITLISTED}, None, "promoted"),
    "restore": (set(ENDED), None, None),
}


# How the history words each action.
ACTION_LABELS = {
    "approve": "Approved",
    "reject": "Rejected",
    "cancel": "Cancelled",
    "promote": "Moved up from the waiting list",
    "restore": "Restored",
}


def _record_status(registration: Registration, action: str, old: str, actor: Actor) -> None:
    record(
        registration,
        Kind.STATUS,
        f"{ACTION_LABELS[action]}: {STATUS_LABELS[old].lower()} → "
        f"{STATUS_LABELS[registration.status].lower()}",
        actor,
        {"action": action, "from": str(old), "to": str(registration.status)},
    )


def actions_for(registration: Registration) -> list[str]:
    """The status changes an organiser can make to this registration."""
    return [a for a, (allowed, _, _) in TRANSITIONS.items() if registration.status in allowed]


def change_status(
    registration: Registration, action: str, *, notify_delegate=True, actor: Actor | None = None
) -> list:
    """Apply an action; returns the registrations promoted from the waiting list as a result.
    The history records it as ``actor``'s (None: the application's)."""
    if action not in TRANSITIONS:
        raise ValidationError(f"Unknown action {action!r}.")
    allowed, target, mail_kind = TRANSITIONS[action]
    if registration.status not in allowed:
        raise ValidationError(
            f"A registration that is {STATUS_LABELS[registration.status].lower()} "
            f"cannot be {'restored' if action == 'restore' else action + 'd'}."
        )
    category = registration.category
    held = registration.holds_place
    if target is None:  # promote or restore: needs a place, or the waiting list
        if take_place(category):
            target = status_with_place(category)
        elif action == "promote":
            raise ValidationError(
                f"{category.name} is full ({category.capacity} places). "
                "Raise its capacity first, or cancel someone."
            )
        else:
            target = Status.WAITLISTED
        held = False  # the place just taken is accounted for already
        if action == "restore":
            mail_kind = "promoted" if target in HOLDS_PLACE else "waitlisted"
            if target in HOLDS_PLACE and not category.requires_approval:
                mail_kind = "confirmed"
    old = registration.status
    registration.status = target
    registration.status_changed_at = utcnow()
    registration.waitlisted_at = utcnow() if target == Status.WAITLISTED else None
    if held and target not in HOLDS_PLACE:
        release_place(category)
    _record_status(registration, action, old, actor or SYSTEM)
    db.session.flush()
    if notify_delegate and mail_kind:
        notify(registration, mail_kind)
    promoted = []
    if held and target not in HOLDS_PLACE:
        promoted = promote_from_waiting_list(category)
    return promoted


def promote_from_waiting_list(category: Category) -> list[Registration]:
    """Fill free places from the waiting list, first come first served, with e-mails."""
    promoted = []
    while True:
        candidate = db.session.scalar(
            select(Registration)
            .where(
                Registration.category_id == category.id,
                Registration.status == Status.WAITLISTED,
            )
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None or not take_place(category):
            return promoted
        candidate.status = status_with_place(category)
        candidate.status_changed_at = utcnow()
        candidate.waitlisted_at = None
        _record_status(candidate, "promote", Status.WAITLISTED, WAITING_LIST)
        db.session.flush()
        notify(candidate, "promoted")
        promoted.append(candidate)


def move_to_category(registration: Registration, category_id, actor: Actor | None = None) -> list:
    """An organiser (``actor``) moves a registration to another category (by id) of the
    same event; any other id is refused.

    The old place is given back (and goes to that category's waiting list); in the new
    category the registration takes a place, or joins its waiting list, like a new one.
    """
    category = db.session.get(Category, category_id) if is_id(category_id) else None
    if category is None or category.event_id != registration.event_id:
        raise ValidationError("Choose a category of this event.", field="category_id")
    old = registration.category
    if category.id == old.id:
        return []
    held = registration.holds_place
    actor = actor or SYSTEM
    old_status = registration.status
    if registration.status in ENDED:
        registration.category = category
        _record_category(registration, old, old_status, actor)
        db.session.flush()
        return []
    if take_place(category):
        registration.status = status_with_place(category)
        registration.waitlisted_at = None
    else:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = utcnow()
    registration.status_changed_at = utcnow()
    registration.category = category
    if held:
        release_place(old)
    _record_category(registration, old, old_status, actor)
    db.session.flush()
    notify(registration, "updated")
    return promote_from_waiting_list(old) if held else []


def _record_category(registration: Registration, old: Category, old_status: str, actor) -> None:
    status = ""
    if registration.status != old_status:
        status = (
            f" ({STATUS_LABELS[old_status].lower()} → {STATUS_LABELS[registration.status].lower()})"
        )
    record(
        registration,
        Kind.CATEGORY,
        f"Moved from {old.name} to {registration.category.name}{status}",
        actor,
        {
            "from": old.name,
            "to": registration.category.name,
            "status_from": str(old_status),
            "status_to": str(registration.status),
        },
    )


def cancel_by_delegate(registration: Registration, actor: Actor | None = None) -> list:
    """The delegate cancels through their link (or their head, the ``actor``, for them)."""
    return change_status(registration, "cancel", actor=actor or Actor.delegate(registration))


# How an action reads before it runs ("Approve 10 registrations?") and after ("10
# registrations approved"): (the verb, the participle, what follows the count).
ACTION_WORDS = {
    "approve": ("Approve", "approved", ""),
    "reject": ("Reject", "rejected", ""),
    "cancel": ("Cancel", "cancelled", ""),
    "promote": ("Promote", "promoted", " from the waiting list"),
    "restore": ("Restore", "restored", ""),
}
# Why a registration cannot take an action, by its status (the statuses it needs: TRANSITIONS).
NOT_APPLICABLE = {
    "approve": "only registrations pending approval can be approved",
    "reject": "only registrations that are confirmed, pending or on the waiting list can be "
    "rejected",
    "cancel": "only registrations that are confirmed, pending or on the waiting list can be "
    "cancelled",
    "promote": "only registrations on the waiting list can be promoted",
    "restore": "only cancelled or rejected registrations can be restored",
}


def registrations_count(count: int) -> str:
    """ "1 registration", "1,250 registrations"."""
    return f"{count:,} registration" + ("" if count == 1 else "s")


def bulk_question(action: str, count: int) -> str:
    """What the organiser confirms: "Approve 10 registrations?"."""
    verb, _, rest = ACTION_WORDS[action]
    return f"{verb} {registrations_count(count)}{rest}?"


def bulk_outcome(action: str, count: int) -> str:
    """What was done: "10 registrations approved", "No registration was cancelled"."""
    _, done, rest = ACTION_WORDS[action]
    if count == 0:
        return f"No registration was {done}{rest}"
    return f"{registrations_count(count)} {done}{rest}"


@dataclass
class BulkPreview:
    """What a bulk action would do to the ticked registrations: those it applies to, those
    it does not (staying as they are), and how many ticked ids are no registration of the
    event."""

    action: str
    applies: list[Registration]
    stays: list[Registration]
    unknown: int

    @property
    def question(self) -> str:
        return bulk_question(self.action, len(self.applies))

    @property
    def ticked(self) -> int:
        """How many ticked registrations of the event there are."""
        return len(self.applies) + len(self.stays)

    @property
    def button(self) -> str:
        """The question as the button that answers it: "Approve 10 registrations"."""
        return self.question.removesuffix("?")

    @property
    def why_not(self) -> str:
        return NOT_APPLICABLE[self.action]


def preview_bulk(event, ids, action: str) -> BulkPreview:
    """Sort the ticked ids (strings from a form) by whether ``action`` applies to them;
    nothing changes. Registrations come in the list's order (by id)."""
    if action not in TRANSITIONS:
        raise ValidationError("Choose an action from the list.", field="action")
    wanted = {i for i in (id_or_none(v) for v in ids) if i is not None}
    found: list[Registration] = []
    for chunk in in_chunks(sorted(wanted)):
        found += db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.id.in_(chunk))
            .order_by(Registration.id)
        )
    allowed = TRANSITIONS[action][0]
    return BulkPreview(
        action=action,
        applies=[r for r in found if r.status in allowed],
        stays=[r for r in found if r.status not in allowed],
        unknown=len(set(ids)) - len(found),
    )


def bulk_change(event, ids, action: str, actor: Actor | None = None) -> tuple[int, list[str]]:
    """Apply an action to many registrations (as ``actor``); returns (done, problems)."""
    done, problems = 0, []
    for registration_id in ids:
        try:
            registration = get_registration(event, int(registration_id))
            change_status(registration, action, actor=actor)
        except (ValidationError, NotFound, ValueError) as exc:
            problems.append(f"#{registration_id}: {getattr(exc, 'message', exc)}")
        else:
            done += 1
    return done, problems
