"""Registering and changing one's registration: the checks of a new registration, the
place or the waiting list it gets, and the delegate's later changes."""

import secrets
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.ids import is_id
from conference.languages import ENGLISH, read_language
from conference.localtime import today
from conference.registration.emails import notify
from conference.registration.fields import PERSONAL_FIELDS
from conference.registration.history import SYSTEM, Actor, Kind, record, record_changes, snapshot
from conference.registration.models import (
    STATUS_LABELS,
    Answer,
    Category,
    Delegation,
    Registration,
    RegistrationStatus,
)
from conference.registration.places import ENDED, status_with_place, take_place
from conference.registration.search import find_by_email, search_text
from conference.registration.settings import questions_for
from conference.registration.validation import (
    Errors,
    RegistrationData,
    clean_registration,
)
from conference.registration.visa import apply_visa
from conference.text import strip_controls


class RegistrationInvalid(ValidationError):
    """The data has problems; ``errors`` maps each field to its messages."""

    status_code = 422

    def __init__(self, errors: Errors, message: str | None = None):
        super().__init__(message or _("Please correct the marked fields."))
        self.errors = errors


class AlreadyRegistered(RegistrationInvalid):
    """This e-mail address is registered for the event already."""

    def __init__(self, email: str):
        errors = Errors()
        errors.add(
            "email",
            _(
                "This e-mail address is registered for this event already. "
                "We can send its management link to it again."
            ),
        )
        super().__init__(errors, _("This e-mail address is registered already."))
        self.email = email


@dataclass
class Context:
    """Who is registering: a delegate, a head adding a member, an organiser, an import."""

    source: str = "form"
    by_organiser: bool = False
    invitation_code: str | None = None
    delegation: Delegation | None = None  # a head adding a member
    email_optional: bool = False  # a member their head manages may have no address
    notify: bool = True
    user_id: int | None = None  # the signed-in account a new registration is linked to
    # The delegate's language (a code of conference/languages.py), for every e-mail to them:
    # the form's page language, the API's ``language`` or Accept-Language; English if None.
    language: str | None = None
    # Who registers, for the history: None is the delegate themselves (or, for an import
    # or an organiser, the application).
    actor: Actor | None = None


def _check_category(event, data: RegistrationData, ctx: Context, errors: Errors):
    category = db.session.get(Category, data.category_id) if is_id(data.category_id) else None
    if category is None or category.event_id != event.id:
        if data.category_id is not None:
            errors.add("category_id", _("Choose how you take part."))
        return None
    if ctx.by_organiser:
        return category
    if not category.is_open():
        errors.add(
            "category_id", _("Registration as %(category)s is closed.", category=category.name)
        )
    if category.invitation_code and not secrets.compare_digest(
        (ctx.invitation_code or "").strip(), category.invitation_code
    ):
        errors.add(
            "category_id",
            _(
                "%(category)s is by invitation: use the link or code from your invitation.",
                category=category.name,
            ),
        )
    return category


def _check_delegation(event, data: RegistrationData, ctx: Context, errors: Errors):
    if ctx.delegation is not None:
        return ctx.delegation
    if data.new_delegation_name:
        clash = db.session.scalar(
            select(Delegation.id).where(
                Delegation.event_id == event.id,
                func.lower(Delegation.name) == data.new_delegation_name.lower(),
            )
        )
        if clash:
            errors.add(
                "new_delegation_name",
                _("A delegation of this name exists already; choose it from the list to join it."),
            )
        return None
    if data.delegation_id is not None:
        delegation = (
            db.session.get(Delegation, data.delegation_id) if is_id(data.delegation_id) else None
        )
        if delegation is None or delegation.event_id != event.id:
            errors.add("delegation_id", _("Choose a delegation from the list."))
            return None
        return delegation
    return None


def _apply_personal(registration: Registration, data: RegistrationData) -> None:
    for name in (*PERSONAL_FIELDS, "list_consent"):
        setattr(registration, name, getattr(data, name))
    registration.email = data.email or None  # no address: managed by the delegation's head
    registration.search_text = search_text(registration)


def _apply_answers(registration: Registration, data: RegistrationData, questions) -> None:
    existing = {a.question_id: a for a in registration.answers}
    for question in questions:
        value = data.answers.get(question.id)
        answer = existing.get(question.id)
        if value is None:
            if answer is not None:
                registration.answers.remove(answer)
        elif answer is None:
            registration.answers.append(Answer(question_id=question.id, value=value))
        else:
            answer.value = value


def _apply(registration: Registration, data: RegistrationData, questions) -> None:
    _apply_personal(registration, data)
    _apply_answers(registration, data, questions)
    apply_visa(registration, data)


def register(event, data: RegistrationData, ctx: Context | None = None) -> Registration:
    """Create a registration: it holds a place at once, or joins the waiting list."""
    ctx = ctx or Context()
    questions = questions_for(event)
    cleaned, errors = clean_registration(
        data,
        questions,
        date.today(),
        require_privacy=not ctx.by_organiser,
        require_email=not ctx.email_optional,
    )
    if not ctx.by_organiser and not event.registration_is_open():
        errors.add("category_id", _("Registration for this event is closed."))
    category = _check_category(event, cleaned, ctx, errors)
    delegation = _check_delegation(event, cleaned, ctx, errors)
    if errors:
        raise RegistrationInvalid(errors)
    if cleaned.email and find_by_email(event, cleaned.email) is not None:
        raise AlreadyRegistered(cleaned.email)

    now = utcnow()
    got_place = take_place(category)
    registration = Registration(
        event=event,
        category=category,
        status=status_with_place(category) if got_place else RegistrationStatus.WAITLISTED,
        waitlisted_at=None if got_place else now,
        privacy_accepted_at=now,
        manage_nonce=secrets.token_hex(8),
        source=ctx.source,
        delegation=delegation,
        user_id=ctx.user_id,
        language=read_language(ctx.language) or ENGLISH,
    )
    _apply(registration, cleaned, questions)
    db.session.add(registration)
    if cleaned.new_delegation_name and ctx.delegation is None:
        registration.delegation = Delegation(
            event_id=event.id, name=cleaned.new_delegation_name, country=cleaned.country
        )
        registration.is_delegation_head = True
    db.session.flush()
    _record_registered(registration, ctx)
    if ctx.notify:
        notify(registration, registration.status)
    return registration


SOURCES = {
    "form": "the registration form",
    "organiser": "an organiser",
    "delegation": "their head of delegation",
    "import": "an import",
    "api": "the API",
}


def _record_registered(registration: Registration, ctx: Context) -> None:
    actor = ctx.actor or (SYSTEM if ctx.by_organiser else Actor.delegate(registration))
    status = STATUS_LABELS[registration.status].lower()
    delegation = registration.delegation
    detail = {
        "source": ctx.source,
        "status": str(registration.status),
        "category": registration.category.name,
    }
    if delegation is not None:
        detail["delegation"] = delegation.name
    record(
        registration,
        Kind.REGISTERED,
        f"Registered as {registration.category.name} through "
        f"{SOURCES.get(ctx.source, ctx.source)}: {status}",
        actor,
        detail,
    )


def register_or_remind(event, data: RegistrationData, ctx: Context | None = None):
    """Register, or, when the address is registered for the event already, e-mail that
    registration's link to it and return None.

    Public forms and the API answer both alike, so that they never tell whether an address
    is registered (as the lost-link page never does); bad data is refused alike too, as
    ``register`` checks it before it looks for the address.
    """
    try:
        return register(event, data, ctx)
    except AlreadyRegistered as exc:
        existing = find_by_email(event, exc.email)
        if ctx is None or ctx.notify:
            notify(existing, "again")
        return None


def update_registration(
    registration: Registration,
    data: RegistrationData,
    *,
    by_organiser: bool = False,
    organiser_note: str | None = None,
    email_optional: bool = False,
    actor: Actor | None = None,
) -> Registration:
    """Change a registration's details (not its category or status); an organiser may
    also change its note (plain text, kept to 5,000 characters). With ``email_optional``
    (a delegation member, changed by their head or an organiser) the address may go.
    The history records what changed and ``actor`` (None: the delegate themselves)."""
    event = registration.event
    if not by_organiser and not can_edit(registration):
        raise ValidationError("Changes are closed for this event; please write to the organisers.")
    questions = questions_for(event)
    data.category_id = registration.category_id
    cleaned, errors = clean_registration(
        data, questions, date.today(), require_privacy=False, require_email=not email_optional
    )
    if errors:
        raise RegistrationInvalid(errors)
    if (cleaned.email or None) != registration.email:
        other = find_by_email(event, cleaned.email) if cleaned.email else None
        if other is not None and other.id != registration.id:
            raise AlreadyRegistered(cleaned.email)
    with_note = by_organiser and organiser_note is not None
    before = snapshot(registration, questions, note=with_note)
    if (cleaned.email or None) != registration.email:
        registration.email_verified_at = None
    _apply(registration, cleaned, questions)
    if with_note:
        registration.organiser_note = strip_controls(organiser_note, multiline=True)[:5000]
    after = snapshot(registration, questions, note=with_note)
    record_changes(registration, before, after, actor or Actor.delegate(registration))
    db.session.flush()
    return registration


def can_edit(registration: Registration) -> bool:
    """Delegates may change their details until the edit deadline (or the event's end)."""
    if registration.status in ENDED:
        return False
    event = registration.event
    deadline = event.edit_deadline
    if deadline is None:
        return event.end_date >= today(event.tz)
    return utcnow() < deadline
