"""Messages to delegates: a draft checked, previewed for one recipient, tried on oneself,
sent through the outbox in the background, and the record of who got what.

Decisions:
- The preview, the test and the e-mails come from one function (``render_for``), so what
  the organiser sees is what delegates get. The preview and the test carry the plain
  management link; only the e-mail to the delegate's own address carries the link that
  also proves their mailbox (``emailed_manage_url``).
- Sending asks for the draft as it was previewed (``fingerprint``) and the count shown
  then: a draft changed since, or a selection grown or shrunk, is shown again first.
- The sending job reads the recipients a chunk at a time and commits each chunk's outbox
  rows with their ``MessageRecipient`` rows, which are unique per message and
  registration; a run that starts over (its worker died) skips whoever has one, so nobody
  gets a message twice, and a run that lost its job to another commits nothing more.
"""

import hashlib
import json
import secrets
from contextlib import nullcontext
from dataclasses import dataclass

from flask import render_template
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.i18n import in_language
from conference.ids import id_or_none
from conference.jobs.services import LeaseLost, renew_lease, start_job
from conference.mail.models import MAIL_STATUSES, OutboxMessage
from conference.mail.services import one_line, queue_mail
from conference.messages.audience import (
    Audience,
    AudienceCount,
    count_audience,
    describe,
    preview_choices,
    read_audience,
    recipients_query,
)
from conference.messages.models import EventMessage, MessageKind, MessageRecipient
from conference.messages.placeholders import (
    Piece,
    PlaceholderError,
    parse,
    render_html,
    render_text,
    used,
)
from conference.names import name_and_native
from conference.registration.links import emailed_manage_url, manage_token, manage_url
from conference.registration.models import Registration
from conference.web import external_url

SUBJECT_MAX = 200
OUTBOX_SUBJECT = OutboxMessage.__table__.c.subject.type.length
BODY_MAX = 20_000
SEND_KIND = "messages.send"
CHUNK = 500  # recipients queued (and committed) at a time by the sending job


@dataclass(frozen=True)
class Draft:
    """A message as composed: checked, its placeholders parsed."""

    kind: str
    subject: str
    body: str
    audience: Audience
    subject_pieces: tuple[Piece, ...]
    body_pieces: tuple[Piece, ...]

    @property
    def fingerprint(self) -> str:
        """What the preview showed, in short: sending checks it is still what it sends."""
        content = [self.kind, self.subject, self.body, self.audience.as_dict()]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def preview_token(draft: Draft) -> str:
    """What a preview hands to the send button: the draft's fingerprint, and a nonce that
    makes the message sent from this preview one (a second post of it sends nothing)."""
    return f"{draft.fingerprint}.{secrets.token_hex(8)}"


def _parsed(text: str, field: str) -> tuple[Piece, ...]:
    try:
        return parse(text)
    except PlaceholderError as exc:
        raise ValidationError(" ".join(exc.problems), field=field) from None


def read_draft(event, kind: str, subject: str, body: str, filters) -> Draft:
    """The draft checked: its kind, a subject and a body within bounds whose placeholders
    are all known, a filter of this event's own; ValidationError naming the field."""
    if kind not in set(MessageKind):
        raise ValidationError("Say what the message is about.", field="kind")
    subject = one_line(subject or "")
    body = (body or "").strip("\n")
    if not subject:
        raise ValidationError("Write a subject.", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ValidationError(f"Keep the subject under {SUBJECT_MAX} characters.", "subject")
    if not body.strip():
        raise ValidationError("Write the message.", field="body")
    if len(body) > BODY_MAX:
        raise ValidationError(f"Keep the message under {BODY_MAX:,} characters.", "body")
    return Draft(
        kind=kind,
        subject=subject,
        body=body,
        audience=read_audience(event, filters),
        subject_pieces=_parsed(subject, "subject"),
        body_pieces=_parsed(body, "body"),
    )


def draft_of(message: EventMessage) -> Draft:
    """A message sent before, as a draft (its filter as stored: a category deleted since
    filters what it filtered then, which is nobody)."""
    return Draft(
        kind=message.kind,
        subject=message.subject,
        body=message.body,
        audience=Audience(**message.filters),
        subject_pieces=_parsed(message.subject, "subject"),
        body_pieces=_parsed(message.body, "body"),
    )


@dataclass(frozen=True)
class Rendered:
    """One recipient's e-mail: subject, text part, HTML part; and the body alone, as HTML,
    for the preview on the page."""

    recipient: Registration
    subject: str
    text: str
    html: str
    body_html: str
    news: bool
    news_link: str  # where a news recipient stops receiving news


def placeholder_values(event, registration, names: set[str], *, emailed: bool) -> dict:
    """The value of each placeholder in ``names`` for this registration. ``emailed``: for
    the e-mail to the registration's own address (its management link proves the mailbox);
    otherwise (preview, test) the plain link."""
    values = {
        "name": name_and_native(registration.full_name, registration.native_name)[0],
        "formal_name": registration.shown_names[0],
        "given_name": registration.given_name,
        "event": event.title,
    }
    if names & {"manage_link", "badge_link", "agenda_link"}:
        token = manage_token(registration)
        if "manage_link" in names:
            values["manage_link"] = (
                emailed_manage_url(registration) if emailed else manage_url(registration)
            )
        if "badge_link" in names:
            values["badge_link"] = external_url("badges.own_badge", slug=event.slug, token=token)
        if "agenda_link" in names:
            values["agenda_link"] = external_url("agenda.personal", slug=event.slug, token=token)
    return values


def render_for(event, draft: Draft, registration, *, emailed: bool, test: bool = False):
    """The e-mail this draft makes for this registration (``test``: marked as a test, for
    the organiser's own address)."""
    names = used(draft.subject_pieces) | used(draft.body_pieces)
    news = draft.kind == MessageKind.NEWS
    if news:
        names = names | {"manage_link"}  # the footer says where to stop receiving news
    values = placeholder_values(event, registration, names, emailed=emailed)
    # Names can make a subject longer than the organiser's: the outbox keeps OUTBOX_SUBJECT.
    subject = one_line(render_text(draft.subject_pieces, values))[:OUTBOX_SUBJECT]
    context = {
        "event": event,
        "subject": subject,
        "news": news,
        "news_link": values.get("manage_link", "") if news else "",
        "test_for": f"{values['formal_name']} ({registration.email})" if test else "",
    }
    body_html = render_html(draft.body_pieces, values)
    # The organisers' text is as they wrote it; its frame speaks the delegate's language in
    # the e-mail itself (the preview and the test, the organiser's page's).
    with in_language(registration.language) if emailed and not test else nullcontext():
        text = render_template(
            "mail/event_message.txt", body=render_text(draft.body_pieces, values), **context
        )
        html = render_template("mail/event_message.html", body=body_html, **context)
    return Rendered(
        recipient=registration,
        subject=subject,
        text=text,
        html=html,
        body_html=body_html,
        news=news,
        news_link=context["news_link"],
    )


def _recipient(event, draft: Draft, registration_id) -> Registration | None:
    """The recipient ``registration_id`` names if the draft goes to them, else the first."""
    query = recipients_query(event, draft.audience, draft.kind)
    wanted = id_or_none(registration_id)
    if wanted is not None:
        chosen = db.session.scalar(query.where(Registration.id == wanted))
        if chosen is not None:
            return chosen
    return db.session.scalar(query.limit(1))


@dataclass(frozen=True)
class Preview:
    """What the compose page shows: the counts, whom the preview is for (and whom else it
    could be for), and the e-mail as that recipient gets it (None: nobody to send to)."""

    count: AudienceCount
    choices: list[tuple]
    rendered: Rendered | None
    token: str  # for the send button (preview_token)
    search: str = ""
    found: bool = True  # whether any recipient matches the search


def preview_draft(event, draft: Draft, registration_id=None, search: str = "") -> Preview:
    """The counts and the e-mail for one recipient: ``registration_id`` if the draft goes
    to them (and they match ``search``, if given), else the first that matches, else the
    first of all."""
    search = " ".join((search or "").split())[:100]
    count = count_audience(event, draft.audience, draft.kind)
    choices = preview_choices(event, draft.audience, draft.kind, search)
    ids = [rid for rid, _ in choices]
    wanted = id_or_none(registration_id)
    if search and wanted not in ids:
        wanted = ids[0] if ids else None
    chosen = _recipient(event, draft, wanted)
    if chosen is not None and chosen.id not in ids:
        choices = [(chosen.id, f"{chosen.shown_names[0]} · {chosen.email}"), *choices]
    rendered = render_for(event, draft, chosen, emailed=False) if chosen else None
    return Preview(count, choices, rendered, preview_token(draft), search, bool(ids) or not search)


def send_test(event, draft: Draft, user, registration_id=None) -> OutboxMessage:
    """The draft as one recipient would get it, to the organiser's own address alone."""
    chosen = _recipient(event, draft, registration_id)
    if chosen is None:
        raise ValidationError(
            "Nobody matches the filter, so there is no one to show the test as: "
            "change the filter first."
        )
    rendered = render_for(event, draft, chosen, emailed=False, test=True)
    return queue_mail(
        user.email,
        f"[Test] {rendered.subject}"[:OUTBOX_SUBJECT],
        rendered.text,
        rendered.html,
        reply_to=event.reply_to or None,
    )


_SENT_ALREADY = (
    "This message is being sent already (the form was sent twice): see the list of "
    "messages. To send it again, preview it again."
)


def start_sending(event, draft: Draft, user, *, previewed: str, expected) -> EventMessage:
    """Record the message and start sending it in the background (the caller commits),
    once the organiser has seen this very draft and its count."""
    fingerprint, _, nonce = (previewed or "").partition(".")
    if fingerprint != draft.fingerprint or not nonce:
        raise ValidationError(
            "The message or its filter changed since the preview below was made: "
            "check the new preview, then send."
        )
    if db.session.scalar(select(EventMessage.id).where(EventMessage.send_token == previewed)):
        raise ValidationError(_SENT_ALREADY)
    count = count_audience(event, draft.audience, draft.kind)
    if count.recipients == 0:
        raise ValidationError("Nobody matches the filter: there is no one to send it to.")
    if str(count.recipients) != str(expected):
        raise ValidationError(
            f"The filter now selects {count.recipients:,} recipients, not {expected}: "
            "check the preview again, then send."
        )
    message = EventMessage(
        event_id=event.id,
        kind=draft.kind,
        subject=draft.subject,
        body=draft.body,
        filters=draft.audience.as_dict(),
        filter_summary=describe(event, draft.audience),
        created_by=user,
        selected_count=count.selected,
        planned_count=count.recipients,
        no_address_count=count.no_address,
        no_consent_count=count.no_consent,
        send_token=previewed,
    )
    db.session.add(message)
    try:
        db.session.flush()
    except IntegrityError:  # the same form, posted at the same moment, won
        db.session.rollback()
        raise ValidationError(_SENT_ALREADY) from None
    _start_job(message, user, count.recipients)
    return message


def _start_job(message: EventMessage, user, count: int) -> None:
    subject = message.subject if len(message.subject) <= 80 else message.subject[:79] + "…"
    record = start_job(
        SEND_KIND,
        f"Sending “{subject}” to {count:,} delegate{'' if count == 1 else 's'}",
        user=user,
        message_id=message.id,
        done_url="",
    )
    message.job = record


def resume_sending(message: EventMessage, user) -> None:
    """Start the sending again after its job failed: whoever got it already is skipped."""
    if message.finished_at is not None:
        raise ValidationError("This message has been sent to everyone already.")
    if message.job is not None and not message.job.is_over:
        raise ValidationError("This message is being sent right now.")
    _start_job(message, user, message.planned_count)


def _keep_job(progress) -> None:
    """Refuse to commit a chunk once this run has lost its job (another run has it now)."""
    if not renew_lease(progress.record.id, progress.holder):
        db.session.rollback()
        raise LeaseLost(progress.record.id)


def send_to_recipients(message_id: int, progress, chunk: int | None = None) -> int:
    """Queue the message for each recipient who has not got it yet, ``chunk`` (CHUNK) at
    a time, each chunk committed with its record; returns how many it has been queued for."""
    chunk = chunk or CHUNK
    message = db.session.get(EventMessage, message_id)
    event = message.event
    draft = draft_of(message)
    pending = recipients_query(event, draft.audience, draft.kind).where(
        ~exists().where(
            MessageRecipient.message_id == message.id,
            MessageRecipient.registration_id == Registration.id,
        )
    )
    already = db.session.scalar(
        select(func.count(MessageRecipient.id)).where(MessageRecipient.message_id == message.id)
    )
    remaining = db.session.scalar(
        select(func.count()).select_from(pending.order_by(None).subquery())
    )
    total = already + remaining
    progress(already, total, f"{already:,} of {total:,} e-mails queued")
    reply_to = event.reply_to or None
    last = 0
    while True:
        batch = db.session.scalars(pending.where(Registration.id > last).limit(chunk)).all()
        if not batch:
            break
        for registration in batch:
            rendered = render_for(event, draft, registration, emailed=True)
            outbox = queue_mail(
                registration.email,
                rendered.subject,
                rendered.text,
                rendered.html,
                reply_to=reply_to,
                registration_id=registration.id,
            )
            db.session.add(
                MessageRecipient(
                    message_id=message.id,
                    registration_id=registration.id,
                    outbox_message_id=outbox.id,
                    email=registration.email,
                )
            )
        last = batch[-1].id
        message.sent_count = already = already + len(batch)
        _keep_job(progress)
        db.session.commit()
        progress(
            already, max(total, already), f"{already:,} of {max(total, already):,} e-mails queued"
        )
    message.finished_at = utcnow()
    db.session.flush()
    return already


def get_message(event, message_id) -> EventMessage:
    """One message of this event, or NotFound."""
    wanted = id_or_none(message_id)
    found = db.session.get(EventMessage, wanted) if wanted is not None else None
    if found is None or found.event_id != event.id:
        raise NotFound("There is no such message.")
    return found


def messages_of(event, limit: int = 500) -> list[EventMessage]:
    """The event's messages, the newest first."""
    return list(
        db.session.scalars(
            select(EventMessage)
            .where(EventMessage.event_id == event.id)
            .options(joinedload(EventMessage.created_by), joinedload(EventMessage.job))
            .order_by(EventMessage.created_at.desc(), EventMessage.id.desc())
            .limit(limit)
        )
    )


def delivery_counts(message: EventMessage) -> dict[str, int]:
    """How many of the message's e-mails are in each outbox state."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .join(MessageRecipient, MessageRecipient.outbox_message_id == OutboxMessage.id)
        .where(MessageRecipient.message_id == message.id)
        .group_by(OutboxMessage.status)
    )
    counts = dict.fromkeys(MAIL_STATUSES, 0)
    counts.update(dict(rows.all()))
    return counts


@dataclass(frozen=True)
class RecipientRow:
    """A line of a message's record: who, at which address, and where delivery stands."""

    registration: Registration | None
    email: str
    status: str  # the outbox's, or "" when its row is gone
    sent_at: object
    error: str


def recipients_page(message: EventMessage, page: int, per_page: int, status: str = ""):
    """(rows, total, pages, page) of the people a message went to, in the order queued;
    ``status``: only those whose e-mail is in this outbox state."""
    query = (
        select(MessageRecipient, Registration, OutboxMessage)
        .outerjoin(Registration, MessageRecipient.registration_id == Registration.id)
        .outerjoin(OutboxMessage, MessageRecipient.outbox_message_id == OutboxMessage.id)
        .where(MessageRecipient.message_id == message.id)
    )
    if status in MAIL_STATUSES:
        query = query.where(OutboxMessage.status == status)
    total = db.session.scalar(query.with_only_columns(func.count(MessageRecipient.id)))
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        query.order_by(MessageRecipient.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return (
        [
            RecipientRow(
                registration=registration,
                email=recipient.email,
                status=outbox.status if outbox else "",
                sent_at=outbox.sent_at if outbox else None,
                error=(outbox.last_error or "") if outbox else "",
            )
            for recipient, registration, outbox in rows
        ],
        total,
        pages,
        page,
    )
