"""The e-mails a registration's delegate receives, each with their management link."""

from conference.mail.services import queue_templated_mail
from conference.registration.links import emailed_manage_url
from conference.registration.models import Registration
from conference.registration.search import find_by_email

# Status e-mails are keyed by the status they announce (``notify(r, r.status)``).
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
    """Queue the e-mail of this kind, with the management link, through the outbox; none
    for a member without an address, whose head manages their registration."""
    if not registration.email:
        return
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


def resend_link(event, email: str) -> None:
    """E-mail the management link to this address if it is registered; silent otherwise."""
    registration = find_by_email(event, email)
    if registration is not None:
        notify(registration, "link")
