"""Visa data: the passport details a delegate gives, the invitation letter they are offered
and its contents, and deleting the details once the event is over."""

from enum import StrEnum

from sqlalchemy import select

from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.localtime import to_local, today
from conference.registration.fields import PASSPORT_FIELDS
from conference.registration.models import Registration, RegistrationStatus, VisaDetails
from conference.registration.validation import RegistrationData


class LetterOffer(StrEnum):
    """What a delegate's page says of the visa letter they asked for."""

    READY = "ready"  # the letter can be downloaded
    LATER = "later"  # it will be there once the registration is confirmed


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
        )
    for name in PASSPORT_FIELDS:
        setattr(registration.visa, name, getattr(passport, name))


def letter_refusal(registration: Registration) -> str | None:
    """Why this registration's visa letter cannot be issued now; None when it can."""
    if not registration.visa_requested or registration.visa is None:
        return "No visa letter was asked for, or its passport details are deleted."
    if registration.status != RegistrationStatus.CONFIRMED:
        return "Visa letters are for confirmed registrations only."
    if not registration.event.visa_letter_text.strip():
        return "The organisers have not written the visa letter text yet."
    return None


def letter_offer(registration: Registration) -> LetterOffer | None:
    """What the delegate's page offers: the letter, a promise of it, or (when no letter
    was asked for, or its passport details are deleted) nothing."""
    if not registration.visa_requested or registration.visa is None:
        return None
    return LetterOffer.LATER if letter_refusal(registration) else LetterOffer.READY


def visa_letter_for(registration: Registration):
    """The data of a registration's visa letter; only for confirmed delegates who asked.
    The first call records the letter's date of issue."""
    from conference.formatting import country_name, format_date_range
    from conference.registration.letters import VisaLetter

    refusal = letter_refusal(registration)
    if refusal:
        raise ValidationError(refusal)
    event = registration.event
    visa = registration.visa
    visa.letter_issued_at = visa.letter_issued_at or utcnow()
    return VisaLetter(
        reference=f"{event.slug.upper()}/VISA/{registration.id:04d}",
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
