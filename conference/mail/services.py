"""Queueing e-mail with the change that causes it, and delivering it exactly once."""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, render_template
from sqlalchemy import func, select, update

from conference.dbtypes import utcnow
from conference.extensions import db
from conference.jobs.services import dispatch_after_commit
from conference.mail.models import MAIL_STATUSES, MailStatus, OutboxAttachment, OutboxMessage
from conference.mail.transport import PermanentFailure, transport_for

log = logging.getLogger(__name__)


# Whatever would break a header line: controls (CR and LF among them) and Unicode's line and
# paragraph separators.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """The text as one header line: each run of line breaks and controls made one space."""
    return " ".join(_BREAKS.sub(" ", text).split())


def mail_sender(config) -> str:
    """Who messages come from: MAIL_DEFAULT_SENDER, under the site's name (SITE_NAME)
    unless the setting gives a display name of its own."""
    configured = config["MAIL_DEFAULT_SENDER"]
    name, address = parseaddr(configured)
    if name or "@" not in address:
        return configured
    try:
        return str(Address(display_name=config["SITE_NAME"], addr_spec=address))
    except (ValueError, IndexError):  # an address the header parser cannot take: as it was
        return configured


def signed(text: str, config) -> str:
    """A message's text part with the site's signature: its name (the links a message
    carries are its own; the HTML footer links to the site)."""
    return f"{text.rstrip()}\n\n-- \n{config['SITE_NAME']}\n"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its name, its MIME type ("text/calendar") and bytes."""

    filename: str
    content_type: str
    content: bytes


def queue_mail(
    recipient: str,
    subject: str,
    text: str,
    html: str | None = None,
    *,
    reply_to: str | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    registration_id: int | None = None,
) -> OutboxMessage:
    """Store a message in the current transaction; it is delivered after the commit.
    ``reply_to``: where replies go (an event's organisers) instead of the sender;
    ``registration_id``: the registration the message is about, for its history."""
    subject = one_line(subject)  # a title with a line break must not become a header
    sender = mail_sender(current_app.config)
    domain = sender.rpartition("@")[2].strip("> ") or "localhost"
    message = OutboxMessage(
        message_id=make_msgid("conference", domain=domain),
        sender=sender,
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        reply_to=one_line(reply_to) if reply_to else None,
        registration_id=registration_id,
        attachments=[
            OutboxAttachment(
                filename=one_line(a.filename), content_type=a.content_type, content=a.content
            )
            for a in attachments
        ],
    )
    db.session.add(message)
    db.session.flush()
    if current_app.config["MAIL_DELIVER_AFTER_COMMIT"]:
        dispatch_after_commit("conference.mail.services:deliver_outbox")
    return message


def queue_templated_mail(
    recipient: str,
    subject: str,
    template: str,
    *,
    reply_to: str | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    registration_id: int | None = None,
    **context,
) -> OutboxMessage:
    """Queue ``templates/mail/<template>.txt`` (and ``.html`` beside it) rendered with context;
    the text ends with the site's signature, the HTML in its layout's footer."""
    text = signed(
        render_template(f"mail/{template}.txt", subject=subject, **context), current_app.config
    )
    html = render_template(f"mail/{template}.html", subject=subject, **context)
    return queue_mail(
        recipient,
        subject,
        text,
        html,
        reply_to=reply_to,
        attachments=attachments,
        registration_id=registration_id,
    )


def build_email(message: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message for an outbox row; the same Message-ID on every attempt."""
    email = EmailMessage()
    email["From"] = message.sender
    email["To"] = message.recipient
    email["Subject"] = one_line(message.subject)  # rows stored before subjects were cleaned
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content, maintype, subtype or "octet-stream", filename=attachment.filename
        )
    return email


class UnbuildableMessage(PermanentFailure):
    """An outbox row no e-mail can be made of (a header with a line break, say)."""


def _built(message: OutboxMessage) -> EmailMessage:
    """The e-mail of a row, serialised once to prove it can be; UnbuildableMessage if not."""
    try:
        email = build_email(message)
        email.as_bytes()
    except Exception as exc:  # any failure here is the row's own: no retry will help
        raise UnbuildableMessage(f"cannot be built: {exc}") from exc
    return email


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _backoff(attempts: int) -> timedelta:
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


def release_stale_claims() -> int:
    """Put back messages whose sender died mid-delivery (claimed too long ago)."""
    cutoff = utcnow() - timedelta(seconds=current_app.config["MAIL_CLAIM_TIMEOUT"])
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.SENDING, OutboxMessage.claimed_at < cutoff)
        .values(status=MailStatus.PENDING, next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


def _claim(message_id: int) -> bool:
    """Mark one message as being sent; False if another worker got there first."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.PENDING)
        .values(
            status=MailStatus.SENDING,
            claimed_at=utcnow(),
            attempts=OutboxMessage.attempts + 1,
        )
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(message: OutboxMessage, error: Exception | None, permanent: bool = False) -> str:
    if error is None:
        message.status = MailStatus.SENT
        message.sent_at = utcnow()
        message.last_error = None
    elif permanent or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = MailStatus.FAILED
        message.last_error = str(error)[:2000]
    else:
        message.status = MailStatus.PENDING
        message.next_attempt_at = utcnow() + _backoff(message.attempts)
        message.last_error = str(error)[:2000]
    db.session.commit()
    return message.status


def deliver_outbox(limit: int | None = None) -> DeliveryReport:
    """Send every message that is due, each exactly once, retrying failures later."""
    report = DeliveryReport()
    release_stale_claims()
    config = current_app.config
    batch = limit or config["MAIL_BATCH_SIZE"]
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == MailStatus.PENDING, OutboxMessage.next_attempt_at <= utcnow()
        )
        .order_by(OutboxMessage.id)
        .limit(batch)
    ).all()
    if not due:
        return report
    try:
        transport = transport_for(config).__enter__()
    except Exception as exc:  # the server is down: every due message waits for later
        log.warning("mail server unreachable, %d message(s) wait: %s", len(due), exc)
        return report
    try:
        for message_id in due:
            if not _claim(message_id):
                continue
            message = db.session.get(OutboxMessage, message_id)
            try:
                transport.send(_built(message))
            except PermanentFailure as exc:  # refused by the server, or unbuildable: this one
                _finish(message, exc, permanent=True)
                report.failed += 1
                log.error("mail %s to %s refused: %s", message.id, message.recipient, exc)
            except Exception as exc:
                status = _finish(message, exc)
                if status == MailStatus.FAILED:
                    report.failed += 1
                else:
                    report.retried += 1
                log.warning("mail %s to %s not sent: %s", message.id, message.recipient, exc)
                break  # the connection is likely gone; the rest wait for the next run
            else:
                _finish(message, None)
                report.sent += 1
    finally:
        transport.__exit__(None, None, None)
    return report


def outbox_counts() -> dict[str, int]:
    """How many messages are in each state."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(MAIL_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def outbox_page(status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
    """The newest messages, optionally only those in one state."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status in MAIL_STATUSES:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))


def retry_failed() -> int:
    """Give every failed message a fresh set of attempts."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.FAILED)
        .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=utcnow())
    )
    dispatch_after_commit("conference.mail.services:deliver_outbox")
    return result.rowcount
