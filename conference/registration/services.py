"""The rules of registration: places, the waiting list, approval, delegations, self-service.

Places are counted in ``Category.places_taken`` and taken by one conditional UPDATE
(``... WHERE capacity IS NULL OR places_taken < capacity``), so two requests at the same
moment can never both take the last place, on PostgreSQL or SQLite; a CHECK constraint
refuses an oversold category in any case.
"""

import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from conference import signing
from conference.agenda.ids import is_id
from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.mail.services import queue_templated_mail
from conference.registration.models import (
    HOLDS_PLACE,
    STATUS_LABELS,
    Answer,
    Category,
    Delegation,
    Question,
    Registration,
    VisaDetails,
)
from conference.registration.validation import (
    PASSPORT_FIELDS,
    PERSONAL_FIELDS,
    Errors,
    RegistrationData,
    clean_registration,
    fold,
)
from conference.web import external_url


class RegistrationInvalid(ValidationError):
    """The data has problems; ``errors`` maps each field to its messages."""

    status_code = 422

    def __init__(self, errors: Errors, message: str = "Please correct the marked fields."):
        super().__init__(message)
        self.errors = errors


class AlreadyRegistered(RegistrationInvalid):
    """This e-mail address is registered for the event already."""

    def __init__(self, email: str):
        errors = Errors()
        errors.add(
            "email",
            "This e-mail address is registered for this event already. "
            "We can send its management link to it again.",
        )
        super().__init__(errors, "This e-mail address is registered already.")
        self.email = email


# Reading ---------------------------------------------------------------------------


def categories_for(event, *, public_only: bool = False) -> list[Category]:
    """The event's categories in their order (optionally only those open to everyone)."""
    query = select(Category).where(Category.event_id == event.id)
    if public_only:
        query = query.where(Category.invitation_code.is_(None))
    return list(db.session.scalars(query.order_by(Category.position, Category.id)))


def questions_for(event, *, include_inactive: bool = False) -> list[Question]:
    """The event's custom questions, in their order."""
    query = select(Question).where(Question.event_id == event.id)
    if not include_inactive:
        query = query.where(Question.active.is_(True))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def delegations_for(event, *, with_members: bool = False) -> list[Delegation]:
    """The event's delegations, by country then name (optionally with members loaded)."""
    query = (
        select(Delegation)
        .where(Delegation.event_id == event.id)
        .order_by(Delegation.country, Delegation.name)
    )
    if with_members:
        query = query.options(selectinload(Delegation.members))
    return list(db.session.scalars(query))


def get_registration(event, registration_id) -> Registration:
    """One registration of this event, or NotFound."""
    found = db.session.get(Registration, registration_id)
    if found is None or found.event_id != event.id:
        raise NotFound("There is no such registration.")
    return found


def find_by_email(event, email: str) -> Registration | None:
    """The event's registration for this address, if any."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email == email.strip().lower()
        )
    )


# Places ----------------------------------------------------------------------------


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


def _status_with_place(category: Category) -> str:
    return "pending_approval" if category.requires_approval else "confirmed"


# Management links ------------------------------------------------------------------


def _link_serializer() -> URLSafeSerializer:
    return signing.serializer(current_app.config["SECRET_KEY"], salt="registration-manage")


def manage_token(registration: Registration) -> str:
    """The private token of a registration's management link (stable until rotated)."""
    return _link_serializer().dumps([registration.id, registration.manage_nonce])


def _proof_serializer() -> URLSafeSerializer:
    return signing.serializer(current_app.config["SECRET_KEY"], salt="registration-email-proof")


def email_proof(registration: Registration) -> str:
    """A proof, carried only by links sent by e-mail, that whoever opens it reads the
    registration's mailbox (the link shown after registering on the site has none)."""
    return _proof_serializer().dumps([registration.id, registration.email])


def manage_url(registration: Registration) -> str:
    """The full management link as pages and the API may show it: it proves nothing about
    the address (anyone can register with anyone's address and be shown this)."""
    return external_url(
        "registration.manage", slug=registration.event.slug, token=manage_token(registration)
    )


def emailed_manage_url(registration: Registration) -> str:
    """The management link for e-mails to the registration's address only: it also carries
    the proof that opening it verifies the address, so it must travel by e-mail alone."""
    return external_url(
        "registration.manage",
        slug=registration.event.slug,
        token=manage_token(registration),
        verify=email_proof(registration),
    )


def verify_email(registration: Registration, proof: str | None) -> bool:
    """Record that the address is verified when the proof (from an e-mailed link) is this
    registration's, for its current address. Co-authors' access to papers relies on it."""
    if not proof:
        return False
    try:
        registration_id, email = _proof_serializer().loads(proof)
    except (BadSignature, ValueError, TypeError):
        return False
    if registration_id != registration.id or email != registration.email:
        return False
    if registration.email_verified_at is None:
        registration.email_verified_at = utcnow()
    return True


def registration_from_token(event, token: str) -> Registration:
    """The registration a management link belongs to; NotFound for anything else."""
    try:
        registration_id, nonce = _link_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("This management link is not valid. Ask for a new one below.") from None
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.event_id != event.id
        or not secrets.compare_digest(registration.manage_nonce, str(nonce))
    ):
        raise NotFound("This management link is not valid. Ask for a new one below.")
    return registration


def resend_link(event, email: str) -> None:
    """E-mail the management link to this address if it is registered; silent otherwise."""
    registration = find_by_email(event, email)
    if registration is not None:
        notify(registration, "link")


# E-mails ---------------------------------------------------------------------------

SUBJECTS = {
    "confirmed": "Your registration is confirmed",
    "pending_approval": "We have received your registration",
    "waitlisted": "You are on the waiting list",
    "approved": "Your registration is approved",
    "rejected": "Your registration was not accepted",
    "promoted": "A place is free: you are off the waiting list",
    "cancelled": "Your registration is cancelled",
    "updated": "Your registration was updated",
    "link": "Your registration link",
    "again": "You are registered already",
}


def notify(registration: Registration, kind: str, **extra) -> None:
    """Queue the e-mail of this kind, with the management link, through the outbox."""
    event = registration.event
    queue_templated_mail(
        registration.email,
        f"{SUBJECTS[kind]} – {event.title}",
        "registration_status",
        kind=kind,
        registration=registration,
        event=event,
        link=emailed_manage_url(registration),
        **extra,
    )


# Registering -----------------------------------------------------------------------


@dataclass
class Context:
    """Who is registering: a delegate, a head adding a member, an organiser, an import."""

    source: str = "form"
    by_organiser: bool = False
    invitation_code: str | None = None
    delegation: Delegation | None = None  # a head adding a member
    notify: bool = True


def _check_category(event, data: RegistrationData, ctx: Context, errors: Errors):
    category = db.session.get(Category, data.category_id) if is_id(data.category_id) else None
    if category is None or category.event_id != event.id:
        if data.category_id is not None:
            errors.add("category_id", "Choose how you take part.")
        return None
    if ctx.by_organiser:
        return category
    if not category.is_open():
        errors.add("category_id", f"Registration as {category.name} is closed.")
    if category.invitation_code and not secrets.compare_digest(
        (ctx.invitation_code or "").strip(), category.invitation_code
    ):
        errors.add(
            "category_id",
            f"{category.name} is by invitation: use the link or code from your invitation.",
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
                "A delegation of this name exists already; choose it from the list to join it.",
            )
        return None
    if data.delegation_id is not None:
        delegation = (
            db.session.get(Delegation, data.delegation_id) if is_id(data.delegation_id) else None
        )
        if delegation is None or delegation.event_id != event.id:
            errors.add("delegation_id", "Choose a delegation from the list.")
            return None
        return delegation
    return None


def _search_text(registration: Registration) -> str:
    parts = (
        registration.given_name,
        registration.family_name,
        registration.native_name,
        registration.badge_name,
        registration.email,
        registration.organisation,
    )
    return fold(" ".join(p for p in parts if p))


def _apply_personal(registration: Registration, data: RegistrationData) -> None:
    for name in (*PERSONAL_FIELDS, "list_consent"):
        setattr(registration, name, getattr(data, name))
    registration.search_text = _search_text(registration)


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


def _apply_visa(registration: Registration, data: RegistrationData) -> None:
    registration.visa_requested = data.visa_requested
    if not data.visa_requested:
        registration.visa = None
        return
    passport = data.passport
    if registration.visa is None:
        registration.visa = VisaDetails(
            passport_name="",
            passport_number="",
            nationality="",
            date_of_birth=passport.date_of_birth,
            passport_expiry=passport.passport_expiry,
        )
    for name in PASSPORT_FIELDS:
        setattr(registration.visa, name, getattr(passport, name))


def register(event, data: RegistrationData, ctx: Context | None = None) -> Registration:
    """Create a registration: it holds a place at once, or joins the waiting list."""
    ctx = ctx or Context()
    questions = questions_for(event)
    cleaned, errors = clean_registration(
        data, questions, date.today(), require_privacy=not ctx.by_organiser
    )
    if not ctx.by_organiser and not event.registration_is_open():
        errors.add("category_id", "Registration for this event is closed.")
    category = _check_category(event, cleaned, ctx, errors)
    delegation = _check_delegation(event, cleaned, ctx, errors)
    if errors:
        raise RegistrationInvalid(errors)
    if find_by_email(event, cleaned.email) is not None:
        raise AlreadyRegistered(cleaned.email)

    now = utcnow()
    got_place = take_place(category)
    registration = Registration(
        event=event,
        category=category,
        status=_status_with_place(category) if got_place else "waitlisted",
        waitlisted_at=None if got_place else now,
        privacy_accepted_at=now,
        manage_nonce=secrets.token_hex(8),
        source=ctx.source,
        delegation=delegation,
    )
    _apply_personal(registration, cleaned)
    _apply_answers(registration, cleaned, questions)
    _apply_visa(registration, cleaned)
    db.session.add(registration)
    if cleaned.new_delegation_name and ctx.delegation is None:
        registration.delegation = Delegation(
            event_id=event.id, name=cleaned.new_delegation_name, country=cleaned.country
        )
        registration.is_delegation_head = True
    db.session.flush()
    if ctx.notify:
        notify(registration, registration.status)
    return registration


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
    registration: Registration, data: RegistrationData, *, by_organiser: bool = False
) -> Registration:
    """Change a registration's details (not its category or status)."""
    event = registration.event
    if not by_organiser and not can_edit(registration):
        raise ValidationError("Changes are closed for this event; please write to the organisers.")
    questions = questions_for(event)
    data.category_id = registration.category_id
    cleaned, errors = clean_registration(data, questions, date.today(), require_privacy=False)
    if errors:
        raise RegistrationInvalid(errors)
    if cleaned.email != registration.email:
        other = find_by_email(event, cleaned.email)
        if other is not None and other.id != registration.id:
            raise AlreadyRegistered(cleaned.email)
        registration.email_verified_at = None
    _apply_personal(registration, cleaned)
    _apply_answers(registration, cleaned, questions)
    _apply_visa(registration, cleaned)
    db.session.flush()
    return registration


def can_edit(registration: Registration) -> bool:
    """Delegates may change their details until the edit deadline (or the event's end)."""
    if registration.status in ("cancelled", "rejected"):
        return False
    event = registration.event
    deadline = event.edit_deadline
    if deadline is None:
        return event.end_date >= utcnow().astimezone(event.tz).date()
    return utcnow() < deadline


# Status changes --------------------------------------------------------------------

TRANSITIONS = {
    "approve": ({"pending_approval"}, "confirmed", "approved"),
    "reject": ({"pending_approval", "confirmed", "waitlisted"}, "rejected", "rejected"),
    "cancel": ({"pending_approval", "confirmed", "waitlisted"}, "cancelled", "cancelled"),
    "promote": ({"waitlisted"}, None, "promoted"),
    "restore": ({"cancelled", "rejected"}, None, None),
}


def change_status(registration: Registration, action: str, *, notify_delegate=True) -> list:
    """Apply an action; returns the registrations promoted from the waiting list as a result."""
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
            target = _status_with_place(category)
        elif action == "promote":
            raise ValidationError(
                f"{category.name} is full ({category.capacity} places). "
                "Raise its capacity first, or cancel someone."
            )
        else:
            target = "waitlisted"
        held = False  # the place just taken is accounted for already
        if action == "restore":
            mail_kind = "promoted" if target in HOLDS_PLACE else "waitlisted"
            if target in HOLDS_PLACE and not category.requires_approval:
                mail_kind = "confirmed"
    registration.status = target
    registration.status_changed_at = utcnow()
    registration.waitlisted_at = utcnow() if target == "waitlisted" else None
    if held and target not in HOLDS_PLACE:
        release_place(category)
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
            .where(Registration.category_id == category.id, Registration.status == "waitlisted")
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if candidate is None or not take_place(category):
            return promoted
        candidate.status = _status_with_place(category)
        candidate.status_changed_at = utcnow()
        candidate.waitlisted_at = None
        db.session.flush()
        notify(candidate, "promoted")
        promoted.append(candidate)


def move_to_category(registration: Registration, category: Category) -> list:
    """An organiser moves a registration to another category of the same event.

    The old place is given back (and goes to that category's waiting list); in the new
    category the registration takes a place, or joins its waiting list, like a new one.
    """
    old = registration.category
    if category.event_id != registration.event_id:
        raise NotFound("There is no such category.")
    if category.id == old.id:
        return []
    held = registration.holds_place
    if registration.status in ("cancelled", "rejected"):
        registration.category = category
        db.session.flush()
        return []
    if take_place(category):
        registration.status = _status_with_place(category)
        registration.waitlisted_at = None
    else:
        registration.status = "waitlisted"
        registration.waitlisted_at = utcnow()
    registration.status_changed_at = utcnow()
    registration.category = category
    if held:
        release_place(old)
    db.session.flush()
    notify(registration, "updated")
    return promote_from_waiting_list(old) if held else []


def cancel_by_delegate(registration: Registration) -> list:
    """The delegate cancels through their link."""
    return change_status(registration, "cancel")


def bulk_change(event, ids, action: str) -> tuple[int, list[str]]:
    """Apply an action to many registrations; returns (done, problems)."""
    done, problems = 0, []
    for registration_id in ids:
        try:
            registration = get_registration(event, int(registration_id))
            change_status(registration, action)
        except (ValidationError, NotFound, ValueError) as exc:
            problems.append(f"#{registration_id}: {getattr(exc, 'message', exc)}")
        else:
            done += 1
    return done, problems


# Delegations -----------------------------------------------------------------------


def add_member(head: Registration, data: RegistrationData) -> Registration:
    """A head of delegation registers a member, who gets their own link by e-mail."""
    if not head.is_head:
        raise ValidationError("Only the head of a delegation can add members.")
    if head.status not in HOLDS_PLACE:
        raise ValidationError("Your own registration is not active.")
    data.category_id = head.category_id  # members take part as their head does
    data.leads_delegation = False
    data.new_delegation_name = ""
    data.delegation_id = None
    data.privacy_accepted = True  # the head confirms it on the members form
    return register(
        head.event,
        data,
        Context(source="delegation", delegation=head.delegation, invitation_code=None),
    )


def member_of(head: Registration, member_id) -> Registration:
    """A member of the head's own delegation, or NotFound."""
    member = db.session.get(Registration, member_id)
    if (
        member is None
        or not head.is_head
        or member.delegation_id != head.delegation_id
        or member.id == head.id
    ):
        raise NotFound("There is no such member in your delegation.")
    return member


# Categories and questions ------------------------------------------------------------


def save_category(event, category: Category | None, **values) -> Category:
    """Create or change a category; capacity never drops below the places taken."""
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationError("Give the category a name.", field="name")
    clash = db.session.scalar(
        select(Category.id).where(
            Category.event_id == event.id, func.lower(Category.name) == name.lower()
        )
    )
    if clash is not None and (category is None or clash != category.id):
        raise ValidationError("Another category has this name.", field="name")
    capacity = values.get("capacity")
    if capacity is not None and capacity < 0:
        raise ValidationError("Capacity cannot be negative.", field="capacity")
    if category is not None and capacity is not None and capacity < category.places_taken:
        raise ValidationError(
            f"{category.places_taken} places are taken already: the capacity cannot be lower.",
            field="capacity",
        )
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise ValidationError("It must close after it opens.", field="closes_at")
    if category is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(Category.position), 0)).where(
                Category.event_id == event.id
            )
        )
        category = Category(event=event, position=position + 1, places_taken=0)
        db.session.add(category)
    category.name = name
    for key in (
        "description",
        "capacity",
        "requires_approval",
        "opens_at",
        "closes_at",
        "badge_colour",
    ):
        if key in values:
            setattr(category, key, values[key])
    category.invitation_code = (values.get("invitation_code") or "").strip() or None
    db.session.flush()
    promote_from_waiting_list(category)
    return category


def save_question(event, question: Question | None, **values) -> Question:
    """Create or change a custom question; choice questions need at least two choices."""
    label = (values.get("label") or "").strip()
    if not label:
        raise ValidationError("Write the question.", field="label")
    kind = values.get("type")
    choices = [c.strip() for c in values.get("choices") or [] if c.strip()]
    if kind in ("single_choice", "multiple_choice"):
        if len(choices) < 2:
            raise ValidationError("Give at least two choices, one per line.", field="choices")
        if len(set(choices)) != len(choices):
            raise ValidationError("Each choice must be different.", field="choices")
    else:
        choices = []
    if question is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(Question.position), 0)).where(
                Question.event_id == event.id
            )
        )
        question = Question(event_id=event.id, position=position + 1)
        db.session.add(question)
    question.label = label
    question.help_text = (values.get("help_text") or "").strip()
    question.type = kind
    question.required = bool(values.get("required"))
    question.choices = choices
    db.session.flush()
    return question


# Organiser lists -------------------------------------------------------------------


@dataclass
class Filters:
    status: str = ""
    category_id: int | None = None
    country: str = ""
    delegation_id: int | None = None
    q: str = ""


def filtered_query(event, filters: Filters):
    """The select() for an organiser's filtered list, newest last."""
    query = select(Registration).where(Registration.event_id == event.id)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.category_id:
        query = query.where(Registration.category_id == filters.category_id)
    if filters.country:
        query = query.where(Registration.country == filters.country.upper())
    if filters.delegation_id:
        query = query.where(Registration.delegation_id == filters.delegation_id)
    for word in fold(filters.q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Registration.search_text.like(f"%{escaped}%", escape="\\"))
    # Lists show each row's category and delegation: load them in two queries, not per row.
    return query.order_by(Registration.id).options(
        selectinload(Registration.category), selectinload(Registration.delegation)
    )


def paginate(query, page: int, per_page: int):
    """(items, total, pages) for one page of a query."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return items, total, pages, page


def status_counts(event) -> dict[str, int]:
    """How many registrations are in each status."""
    rows = db.session.execute(
        select(Registration.status, func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    counts = dict.fromkeys(STATUS_LABELS, 0)
    counts.update(dict(rows.all()))
    return counts


def visa_letter_for(registration: Registration):
    """The data of a registration's visa letter; only for confirmed delegates who asked."""
    from conference.formatting import country_name, format_date_range
    from conference.registration.letters import VisaLetter

    event = registration.event
    if not registration.visa_requested or registration.visa is None:
        raise ValidationError("No visa letter was asked for, or its passport details are deleted.")
    if registration.status != "confirmed":
        raise ValidationError("Visa letters are for confirmed registrations only.")
    if not event.visa_letter_text.strip():
        raise ValidationError("The organisers have not written the visa letter text yet.")
    visa = registration.visa
    registration.visa.letter_issued_at = registration.visa.letter_issued_at or utcnow()
    prefix = event.slug.upper()
    return VisaLetter(
        reference=f"{prefix}/VISA/{registration.id:04d}",
        issued_on=event.local(visa.letter_issued_at).date(),
        event_title=event.title,
        event_dates=format_date_range(event.start_date, event.end_date),
        venue=event.venue,
        city=event.city,
        country_name=event.country_name,
        organiser_text=event.visa_letter_text,
        signatory_name=event.visa_signatory_name,
        signatory_title=event.visa_signatory_title,
        delegate_name=" ".join(p for p in (registration.title, visa.passport_name) if p),
        native_name=registration.native_name,
        country=registration.country,
        nationality=country_name(visa.nationality),
        passport_number=visa.passport_number,
        date_of_birth=visa.date_of_birth,
        passport_expiry=visa.passport_expiry,
        organisation=registration.organisation,
        position=registration.position,
    )


def delete_visa_data(event) -> int:
    """Delete every passport detail of the event (after it has ended)."""
    if event.end_date >= utcnow().astimezone(event.tz).date():
        raise ValidationError("Passport details can be deleted once the event is over.")
    ids = select(Registration.id).where(Registration.event_id == event.id)
    rows = db.session.scalars(select(VisaDetails).where(VisaDetails.registration_id.in_(ids)))
    count = 0
    for row in rows:
        db.session.delete(row)
        count += 1
    db.session.flush()
    return count


# Imports ---------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    data: RegistrationData
    errors: Errors
    delegation_name: str = ""
    head: bool = False

    @property
    def name(self) -> str:
        return f"{self.data.given_name} {self.data.family_name}".strip()


def _truthy(value: str) -> bool:
    return str(value).strip().lower() in {"1", "yes", "y", "true", "x"}


def preview_import(event, rows) -> list[PreviewRow]:
    """Check every row as the import would, without writing anything."""
    categories = {c.name.casefold(): c for c in categories_for(event)}
    questions = questions_for(event)
    by_label = {q.label.casefold(): q for q in questions}
    seen_emails: dict[str, int] = {}
    preview = []
    for row in rows:
        values = row.values
        category = categories.get(values.get("category", "").casefold())
        data = RegistrationData(
            category_id=category.id if category else None,
            **{name: values.get(name, "") for name in PERSONAL_FIELDS},
            list_consent=_truthy(values.get("list_consent", "")),
            answers={
                by_label[key.replace("_", " ")].id: value
                for key, value in values.items()
                if key.replace("_", " ") in by_label and value != ""
            },
        )
        for question in questions:
            if question.type == "multiple_choice" and question.id in data.answers:
                data.answers[question.id] = [
                    v.strip() for v in str(data.answers[question.id]).split(";") if v.strip()
                ]
        cleaned, errors = clean_registration(data, questions, date.today(), require_privacy=False)
        if category is None:
            errors.pop("category_id", None)
            names = ", ".join(c.name for c in categories.values())
            errors.add("category", f"Unknown category “{values.get('category', '')}”; use {names}.")
        if cleaned.email:
            if cleaned.email in seen_emails:
                errors.add("email", f"The same address is on row {seen_emails[cleaned.email]}.")
            elif find_by_email(event, cleaned.email) is not None:
                errors.add("email", "This address is registered for the event already.")
            seen_emails.setdefault(cleaned.email, row.number)
        preview.append(
            PreviewRow(
                row.number,
                cleaned,
                errors,
                delegation_name=" ".join(values.get("delegation", "").split())[:200],
                head=_truthy(values.get("head_of_delegation", "")),
            )
        )
    return preview


def run_import(event, rows, *, send_emails: bool, progress=None) -> int:
    """Import every row, or none: raises ValidationError if any row has a problem."""
    preview = preview_import(event, rows)
    bad = [p for p in preview if p.errors]
    if bad:
        raise ValidationError(f"{len(bad)} row(s) have problems; nothing was imported.")
    delegations = {d.name.casefold(): d for d in delegations_for(event)}
    for done, row in enumerate(preview, start=1):
        delegation = None
        if row.delegation_name:
            delegation = delegations.get(row.delegation_name.casefold())
            if delegation is None:
                delegation = Delegation(
                    event_id=event.id, name=row.delegation_name, country=row.data.country
                )
                db.session.add(delegation)
                delegations[row.delegation_name.casefold()] = delegation
        registration = register(
            event,
            row.data,
            Context(source="import", by_organiser=True, delegation=delegation, notify=send_emails),
        )
        registration.is_delegation_head = bool(delegation and row.head)
        if progress is not None:
            progress(done, len(preview), f"{done} of {len(preview)} imported")
    db.session.flush()
    return len(preview)
