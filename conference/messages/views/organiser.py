"""Organisers compose a message to a filtered set of delegates, preview it, try it on
themselves, send it in the background, and see who got what."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.mail.models import MAIL_STATUSES
from conference.messages.audience import filter_choices
from conference.messages.forms import FILTER_FIELDS, KIND_HELP, as_choices, build_message_form
from conference.messages.placeholders import PLACEHOLDERS
from conference.messages.services import (
    delivery_counts,
    get_message,
    messages_of,
    preview_draft,
    read_draft,
    recipients_page,
    resume_sending,
    send_test,
    start_sending,
)
from conference.messages.views import bp
from conference.pages import attempt, page_window, render_form

PER_PAGE = 50


@bp.get("/events/<slug>/messages/")
@event_role_required("organiser")
def index(event):
    return render_template("messages/list.html", event=event, messages=messages_of(event))


def _earlier(event, message_id) -> dict:
    """The form's values from an earlier message, to send it again (to others, say)."""
    earlier = get_message(event, message_id)
    values = {"kind": earlier.kind, "subject": earlier.subject, "body": earlier.body}
    for name in FILTER_FIELDS:
        value = earlier.filters.get(name)
        values[name] = "" if value is None else str(value)
    return values


def _when_done(message) -> None:
    """The job's page takes the organiser to the message's record when the job ends (set
    before the commit that starts the job)."""
    done_url = url_for(".show", slug=message.event.slug, message_id=message.id)
    message.job.params = {**message.job.params, "done_url": done_url}


@bp.route("/events/<slug>/messages/new", methods=["GET", "POST"])
@event_role_required("organiser")
def compose(event):
    choices = filter_choices(event)
    if request.method == "GET" and request.args.get("again"):
        form = build_message_form(choices, data=_earlier(event, request.args["again"]))
    else:
        form = build_message_form(choices)
    draft = preview = None
    if form.validate_on_submit():
        with attempt(form):
            draft = read_draft(
                event, form.kind.data, form.subject.data, form.body.data, form.filters()
            )
        action = request.form.get("action", "preview")
        if draft is not None and action == "send":
            with attempt(form) as sent:
                message = start_sending(
                    event,
                    draft,
                    current_user,
                    previewed=form.previewed.data or "",
                    expected=form.expected.data or "",
                )
                _when_done(message)
            if sent:
                flash(
                    f"Sending “{message.subject}” to {message.planned_count:,} delegates.",
                    "success",
                )
                return redirect(url_for("jobs.show", job_id=message.job_id))
        elif draft is not None and action == "test":
            with attempt(form) as tested:
                send_test(event, draft, current_user, form.preview_id.data)
            if tested:
                flash(f"A test is on its way to {current_user.email}.", "success")
        if draft is not None:
            preview = preview_draft(
                event, draft, form.preview_id.data, form.preview_search.data or ""
            )
            form.previewed.data = preview.token
            form.expected.data = str(preview.count.recipients)
            form.preview_id.choices = as_choices(preview.choices)
            if preview.rendered is not None:
                form.preview_id.data = str(preview.rendered.recipient.id)
    return render_form(
        "messages/compose.html",
        form,
        event=event,
        preview=preview,
        placeholders=PLACEHOLDERS,
        kind_help=KIND_HELP,
    )


@bp.get("/events/<slug>/messages/<int:message_id>")
@event_role_required("organiser")
def show(event, message_id):
    message = get_message(event, message_id)
    status = request.args.get("status", "")
    rows, total, pages, page = recipients_page(
        message, request.args.get("page", 1, type=int), PER_PAGE, status
    )
    return render_template(
        "messages/show.html",
        event=event,
        message=message,
        rows=rows,
        total=total,
        pages=pages,
        page=page,
        page_links=page_window(page, pages),
        status=status if status in MAIL_STATUSES else "",
        counts=delivery_counts(message),
        can_follow=message.job is not None and message.job.user_id == current_user.id,
        can_resume=message.finished_at is None and (message.job is None or message.job.is_over),
        form=ConfirmForm(),
    )


@bp.post("/events/<slug>/messages/<int:message_id>/resume")
@event_role_required("organiser")
def resume(event, message_id):
    message = get_message(event, message_id)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            resume_sending(message, current_user)
            _when_done(message)
        if done:
            flash("Sending again; whoever got the message already is skipped.", "success")
            return redirect(url_for("jobs.show", job_id=message.job_id))
    return redirect(url_for(".show", slug=event.slug, message_id=message.id))
