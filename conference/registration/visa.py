"""Visa data: the passport details a delegate gives, the organisers' approval of each letter
(when the event asks for it: the default), the invitation letter they are offered and its
contents, the log of letters issued, and deleting the details once the event is over."""

from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.localtime import to_local, today
from conference.registration.fields import PASSPORT_FIELDS
from conference.registration.history import Actor, Kind, record, user_or_system
from conference.registration.models import (
    Registration,
    RegistrationStatus,
    VisaDetails,
    VisaLetterLog,
    VisaStatus,
)
from conference.registration.validation import RegistrationData

REASON_MAX = 1000
VISA_STATUS_LABELS = {
    VisaStatus.REQUESTED: "Awaiting approval",
    VisaStatus.APPROVED: "Approved",
    VisaStatus.REFUSED: "Refused",
}


class LetterOffer(StrEnum):
    """What a delegate's page says of the visa letter they asked for."""

    READY = "ready"  # the letter can be downloaded
    LATER = "later"  # it will be there once the registration is confirmed
    PENDING = "pending"  # the organisers have not decided yet
    REFUSED = "refused"  # the organisers refused it (with their reason)


def apply_visa(registration: Registration, data: RegistrationData) -> None:
    """Keep the passport details of a delegate who asks for a letter; drop them otherwise."""
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
            status=VisaStatus.REQUESTED,
        )
    visa = registration.visa
    changed = any(getattr(visa, name) != getattr(passport, name) for name in PASSPORT_FIELDS)
    for name in PASSPORT_FIELDS:
        setattr(visa, name, getattr(passport, name))
    if changed and visa.status != VisaStatus.REQUESTED:
        # A decision was about the passport it saw: new details are decided anew.
        visa.status, visa.decided_at, visa.decided_by_id = VisaStatus.REQUESTED, None, None
        visa.refusal_reason = ""


def needs_approval(registration: Registration) -> bool:
    """Whether this registration's letter waits for the organisers' decision."""
    return bool(registration.event.visa_letters_need_approval)


def letter_refusal(registration: Registration, *, by_organiser: bool = False) -> str | None:
    """Why this registration's visa letter cannot be issued now; None when it can. An
    organiser may print a letter not approved yet (to check it), never a refused one."""
    visa = registration.visa
    if not registration.visa_requested or visa is None:
        return "No visa letter was asked for, or its passport details are deleted."
    if needs_approval(registration) and visa.status == VisaStatus.REFUSED:
        return f"The visa letter was refused: {visa.refusal_reason}"
    if registration.status != RegistrationStatus.CONFIRMED:
        return "Visa letters are for confirmed registrations only."
    if needs_approval(registration) and visa.status != VisaStatus.APPROVED and not by_organiser:
        return "The organisers have not approved the visa letter yet."
    if not registration.event.visa_letter_text.strip():
        return "The organisers have not written the visa letter text yet."
    return None


def letter_offer(registration: Registration) -> LetterOffer | None:
    """What the delegate's page offers: the letter, a promise of it, word that the
    organisers are deciding or have refused it, or (when no letter was asked for, or its
    passport details are deleted) nothing."""
    visa = registration.visa
    if not registration.visa_requested or visa is None:
        return None
    if not letter_refusal(registration):
        return LetterOffer.READY
    if needs_approval(registration):
        if visa.status == VisaStatus.REFUSED:
            return LetterOffer.REFUSED
        if visa.status == VisaStatus.REQUESTED:
            return LetterOffer.PENDING
    return LetterOffer.LATER


def _visa_of(registration: Registration) -> VisaDetails:
    if not registration.visa_requested or registration.visa is None:
        raise ValidationError(
            f"{registration.display_name} has not asked for a visa letter, or their passport "
            "details are deleted."
        )
    return registration.visa


def approve_letter(registration: Registration, user=None) -> VisaDetails:
    """An organiser approves a visa letter: it is on the delegate's page at once, and they
    are told by e-mail. Only for confirmed registrations, once the letter's text is written."""
    from conference.registration.emails import notify

    visa = _visa_of(registration)
    if visa.status == VisaStatus.APPROVED:
        return visa  # approved already: no second e-mail
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            f"{registration.display_name}'s registration is "
            f"{registration.status_label.lower()}: confirm it before approving the letter."
        )
    if not registration.event.visa_letter_text.strip():
        raise ValidationError(
            "Write the visa letter's text in the registration settings before approving letters."
        )
    visa.status, visa.refusal_reason = VisaStatus.APPROVED, ""
    visa.decided_at, visa.decided_by_id = utcnow(), getattr(user, "id", None)
    record(registration, Kind.VISA_APPROVED, "Visa letter approved", user_or_system(user))
    db.session.flush()
    notify(registration, "visa_approved")
    return visa


def refuse_letter(registration: Registration, reason: str, user=None) -> VisaDetails:
    """An organiser refuses a visa letter, saying why; the delegate is told by e-mail."""
    from conference.registration.emails import notify
    from conference.text import strip_controls

    visa = _visa_of(registration)
    reason = strip_controls(reason or "", multiline=True).strip()
    if not reason:
        raise ValidationError(
            "Say why the letter is refused: the delegate reads it.", field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(f"The reason can be at most {REASON_MAX} characters.", field="reason")
    visa.status, visa.refusal_reason = VisaStatus.REFUSED, reason
    visa.decided_at, visa.decided_by_id = utcnow(), getattr(user, "id", None)
    record(
        registration,
        Kind.VISA_REFUSED,
        f"Visa letter refused: {reason}",
        user_or_system(user),
        {"reason": reason},
    )
    db.session.flush()
    notify(registration, "visa_refused")
    return visa


def visa_requests(event, status: str | None = None) -> list[Registration]:
    """The event's registrations that asked for a letter (optionally only those whose
    request is in this state), oldest request first: the organisers' queue."""
    query = (
        select(Registration)
        .join(VisaDetails, VisaDetails.registration_id == Registration.id)
        .where(Registration.event_id == event.id, Registration.visa_requested.is_(True))
        .options(selectinload(Registration.visa), selectinload(Registration.category))
        .order_by(VisaDetails.id)
    )
    if status in VISA_STATUS_LABELS:
        query = query.where(VisaDetails.status == status)
    return list(db.session.scalars(query))


def visa_request_counts(event) -> dict[str, int]:
    """How many requests are in each state."""
    counts = dict.fromkeys(VISA_STATUS_LABELS, 0)
    rows = db.session.execute(
        select(VisaDetails.status, func.count())
        .join(Registration, Registration.id == VisaDetails.registration_id)
        .where(Registration.event_id == event.id, Registration.visa_requested.is_(True))
        .group_by(VisaDetails.status)
    )
    counts.update({status: n for status, n in rows})
    return counts


def letters_issued(event, limit: int = 500) -> list[VisaLetterLog]:
    """The letters issued for the event, the newest first: who, when, which registration."""
    return list(
        db.session.scalars(
            select(VisaLetterLog)
            .where(VisaLetterLog.event_id == event.id)
            .options(
                selectinload(VisaLetterLog.registration), selectinload(VisaLetterLog.issued_by)
            )
            .order_by(VisaLetterLog.issued_at.desc(), VisaLetterLog.id.desc())
            .limit(limit)
        )
    )


def letter_status_line(registration: Registration) -> str | None:
    """The visa letter's state in one sentence, for the delegate's e-mails; None when no
    letter was asked for."""
    offer = letter_offer(registration)
    if offer is None:
        return None
    if offer == LetterOffer.READY:
        return _("Your visa invitation letter is ready: download it from your registration page.")
    if offer == LetterOffer.PENDING:
        return _(
            "The organisers are reviewing your request for a visa invitation letter; "
            "we will e-mail you once they have decided."
        )
    if offer == LetterOffer.REFUSED:
        reason = registration.visa.refusal_reason
        return _("Your request for a visa invitation letter was refused: %(reason)s", reason=reason)
    return _(
        "Your visa invitation letter will be on your registration page once your "
        "registration is confirmed and the organisers have prepared it."
    )


def visa_letter_for(registration: Registration, issued_by=None, actor: Actor | None = None):
    """The data of a registration's visa letter; only for confirmed delegates who asked
    (and, when the event says so, whose letter is approved). Every letter made is logged
    (``issued_by``: the organiser's account; None for the delegate's own download, or their
    head's, the ``actor``) and in the registration's history; the first records the
    letter's date of issue."""
    from conference.formatting import country_name, format_date_range
    from conference.registration.letters import VisaLetter

    refusal = letter_refusal(registration, by_organiser=issued_by is not None)
    if refusal:
        raise ValidationError(refusal)
    event = registration.event
    visa = registration.visa
    visa.letter_issued_at = visa.letter_issued_at or utcnow()
    reference = f"{event.slug.upper()}/VISA/{registration.id:04d}"
    db.session.add(
        VisaLetterLog(
            event_id=event.id,
            registration_id=registration.id,
            reference=reference,
            issued_by_id=getattr(issued_by, "id", None),
        )
    )
    if actor is None:
        actor = Actor.of_user(issued_by) if issued_by is not None else Actor.delegate(registration)
    record(
        registration,
        Kind.VISA_LETTER,
        f"Visa letter issued ({reference})",
        actor,
        {"reference": reference},
    )
    db.session.flush()
    return VisaLetter(
        reference=reference,
        issued_on=to_local(visa.letter_issued_at, event.tz).date(),
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
    if event.end_date >= today(event.tz):
        raise ValidationError("Passport details can be deleted once the event is over.")
    ids = select(Registration.id).where(Registration.event_id == event.id)
    rows = db.session.scalars(select(VisaDetails).where(VisaDetails.registration_id.in_(ids)))
    count = 0
    for row in rows:
        db.session.delete(row)
        count += 1
    db.session.flush()
    return count
