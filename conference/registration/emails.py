"""The e-mails a registration's delegate receives, each with their management link."""

from flask_babel import lazy_gettext as _l

from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.i18n import in_language
from conference.ids import is_id
from conference.mail.models import OutboxMessage
from conference.mail.services import Attachment, queue_mail, queue_templated_mail
from conference.registration.history import Actor, Kind, record
from conference.registration.links import emailed_manage_url, manage_token
from conference.registration.models import Registration, RegistrationStatus
from conference.registration.search import find_by_email
from conference.web import external_url

# Status e-mails are keyed by the status they announce (``notify(r, r.status)``); each is
# written in the delegate's language (``notify``).
SUBJECTS = {
    "confirmed": _l("Your registration is confirmed"),
    "pending_approval": _l("We have received your registration"),
    "waitlisted": _l("You are on the waiting list"),
    "approved": _l("Your registration is approved"),
    "rejected": _l("Your registration was not accepted"),
    "promoted": _l("A place is free: you are off the waiting list"),
    "cancelled": _l("Your registration is cancelled"),
    "updated": _l("Your registration was updated"),
    "link": _l("Your registration link"),
    "again": _l("You are registered already"),
    "visa_approved": _l("Your visa invitation letter is ready"),
    "visa_refused": _l("Your visa invitation letter was refused"),
}
# The e-mails that can tell a delegate their place is confirmed: they carry what a delegate
# needs to come (the badge, the event's calendar entry, the visa letter's state, the venue).
CONFIRMING = frozenset({"confirmed", "approved", "promoted"})
# The e-mails that say where the visa letter stands.
VISA_NEWS = CONFIRMING | {"pending_approval", "waitlisted", "visa_approved", "visa_refused"}


def event_calendar(event) -> Attachment:
    """The event as a calendar entry (.ics) over its days, at its venue."""
    from conference.agenda.ics import event_ics
    from conference.agenda.publishing import event_info

    return Attachment(
        f"{event.slug}.ics",
        "text/calendar",
        event_ics(event_info(event), country=event.country_name),
    )


def notify(registration: Registration, kind: str, **extra) -> None:
    """Queue the e-mail of this kind, with the management link, through the outbox, in the
    delegate's language (whoever's action sent it); none for a member without an address,
    whose head manages their registration. Replies go to the event's organisers when the
    event names their address."""
    if not registration.email:
        return
    with in_language(registration.language):
        _queue_status_mail(registration, kind, **extra)


def _queue_status_mail(registration: Registration, kind: str, **extra) -> None:
    from conference.registration.visa import letter_status_line

    event = registration.event
    confirmed = kind in CONFIRMING and registration.status == RegistrationStatus.CONFIRMED
    badge_url = (
        external_url("badges.own_badge_pdf", slug=event.slug, token=manage_token(registration))
        if confirmed
        else None
    )
    queue_templated_mail(
        registration.email,
        f"{SUBJECTS[kind]} – {event.title}",
        "registration_status",
        reply_to=event.reply_to or None,
        attachments=[event_calendar(event)] if confirmed else [],
        registration_id=registration.id,
        kind=kind,
        registration=registration,
        event=event,
        link=emailed_manage_url(registration),
        confirmed=confirmed,
        badge_url=badge_url,
        visa_line=letter_status_line(registration) if kind in VISA_NEWS else None,
        **extra,
    )


def resend_link(event, email: str) -> None:
    """E-mail the management link to this address if it is registered; silent otherwise."""
    registration = find_by_email(event, email)
    if registration is not None:
        notify(registration, "link")


def resend(registration: Registration, message_id, actor: Actor) -> OutboxMessage:
    """Queue a fresh copy of an e-mail sent about this registration (its subject, text,
    HTML, attachments and reply-to address) to the registration's current address, and
    record it in the history as ``actor``'s. Only this registration's e-mails."""
    original = db.session.get(OutboxMessage, message_id) if is_id(message_id) else None
    if original is None or original.registration_id != registration.id:
        raise NotFound("There is no such e-mail in this registration's history.")
    if not registration.email:
        raise ValidationError(
            f"{registration.display_name} has no e-mail address now: add one before "
            "sending the e-mail again."
        )
    copy = queue_mail(
        registration.email,
        original.subject,
        original.body_text,
        original.body_html,
        reply_to=original.reply_to,
        attachments=[
            Attachment(a.filename, a.content_type, a.content) for a in original.attachments
        ],
        registration_id=registration.id,
    )
    record(
        registration,
        Kind.EMAIL_RESENT,
        f"E-mail “{original.subject}” sent again to {registration.email}",
        actor,
        {"message_id": original.id, "copy_id": copy.id, "to": registration.email},
    )
    db.session.flush()
    return copy
