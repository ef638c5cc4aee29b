"""Sending every delegate their certificate of attendance by e-mail, through the outbox.

Decisions:
- The e-mail links the certificate (on the delegate's private management link) instead of
  attaching it: a few thousand PDFs would weigh hundreds of megabytes in the outbox table,
  and a linked certificate says what is true when it is opened (a check-in corrected
  after the sending is on it). The e-mail gives the public verification address too.
- Each registration is sent its certificate once: a ``CertificateMail`` row is written with
  its outbox message, in the same transaction. A sending that stops half-way (a worker
  lost) and starts over skips everyone already sent; sending again later sends to those
  checked in since; two sendings at once cannot both send one person (the row is unique).
- Delegation members without an address of their own get no e-mail (their head manages
  their registration); the organisers' page counts them.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from conference.certificates.models import CertificateMail
from conference.certificates.services import (
    CertificateSigner,
    certified_query,
    count_certified,
    verification_url,
)
from conference.errors import ValidationError
from conference.extensions import db
from conference.i18n import in_language
from conference.jobs.models import Job, JobStatus
from conference.mail.services import queue_templated_mail
from conference.registration.links import manage_token
from conference.registration.models import Registration
from conference.web import external_url

SEND_KIND = "certificates.send"
SUBJECT = "Your certificate of attendance"
SENT_AT_ONCE = 100  # e-mails queued per statement batch


class SentTwice(Exception):
    """Another sending of the same certificates ran at once; this one stopped."""


@dataclass(frozen=True)
class SendingSummary:
    """Where an event's certificates stand: how many get one, how many were e-mailed, how
    many are still to send, and how many have no address to send to."""

    certified: int
    sent: int
    to_send: int
    without_email: int


def _unsent(event):
    query = certified_query(event).where(Registration.email.is_not(None))
    return query.where(
        ~select(CertificateMail.id)
        .where(CertificateMail.registration_id == Registration.id)
        .exists()
    )


def _count(query) -> int:
    subquery = query.order_by(None).with_only_columns(Registration.id).subquery()
    return db.session.scalar(select(func.count()).select_from(subquery))


def sending_summary(event) -> SendingSummary:
    """How the event's certificates stand (for the organisers' page)."""
    certified = count_certified(event)
    sent = db.session.scalar(
        select(func.count(CertificateMail.id)).where(CertificateMail.event_id == event.id)
    )
    without_email = _count(certified_query(event).where(Registration.email.is_(None)))
    return SendingSummary(certified, sent, _count(_unsent(event)), without_email)


def running_sending(event) -> Job | None:
    """The sending of this event's certificates that is queued or running, if any."""
    jobs = db.session.scalars(
        select(Job)
        .where(Job.kind == SEND_KIND, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
        .order_by(Job.created_at.desc())
    )
    return next((j for j in jobs if (j.params or {}).get("event_id") == event.id), None)


def check_can_send(event) -> int:
    """How many certificates a sending would send now; ValidationError when none would, or
    when a sending is already under way."""
    if running_sending(event) is not None:
        raise ValidationError(
            "The certificates are being sent already: follow that sending, then send again "
            "for anyone checked in since."
        )
    to_send = _count(_unsent(event))
    if not to_send:
        summary = sending_summary(event)
        if not summary.certified:
            raise ValidationError(
                "Nobody has been checked in yet: certificates of attendance are for "
                "delegates who were checked in at least once."
            )
        raise ValidationError(
            "Every delegate with a certificate and an e-mail address has been sent theirs."
        )
    return to_send


def send_certificate(
    registration: Registration, signer: CertificateSigner | None = None
) -> CertificateMail:
    """Queue the e-mail with this registration's certificate and record that it was sent
    (``signer``: the event's, for a batch)."""
    event = registration.event
    signer = signer or CertificateSigner(event)
    token = manage_token(registration)
    with in_language(registration.language):  # the delegate's, whoever sends it
        message = queue_templated_mail(
            registration.email,
            f"{SUBJECT} – {event.title}",
            "certificate",
            reply_to=event.reply_to or None,
            registration_id=registration.id,
            event=event,
            registration=registration,
            pdf_url=external_url("certificates.own_pdf", slug=event.slug, token=token),
            verify_url=verification_url(signer.token(registration)),
        )
    record = CertificateMail(
        event_id=event.id, registration_id=registration.id, message_id=message.id
    )
    db.session.add(record)
    return record


def send_certificates(event, progress=None) -> int:
    """Queue the certificate e-mail of every delegate who gets one and was not sent it yet;
    returns how many were queued. The caller commits (a job commits as it reports progress,
    so what was sent stays sent if it stops)."""
    ids = list(db.session.scalars(_unsent(event).with_only_columns(Registration.id)))
    total = len(ids)
    done = 0
    signer = CertificateSigner(event) if total else None
    if progress is not None:
        progress(0, total, f"0 of {total} certificates sent")
    for start in range(0, total, SENT_AT_ONCE):
        chunk = ids[start : start + SENT_AT_ONCE]
        registrations = db.session.scalars(
            _unsent(event)
            .where(Registration.id.in_(chunk))
            .options(selectinload(Registration.event))
        ).all()
        try:  # queueing a message flushes the record of the one before
            for registration in registrations:
                send_certificate(registration, signer)
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise SentTwice(
                "Another sending of these certificates ran at the same time, so this one "
                "stopped; nobody was sent theirs twice. Send again for anyone left."
            ) from None
        done += len(registrations)
        if progress is not None:
            progress(start + len(chunk), total, f"{done} of {total} certificates sent")
    return done
