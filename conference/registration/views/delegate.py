"""The delegate's own pages, reached through their private management link: their
registration, their visa letter, cancelling; and for a head, the delegation sheet (its
members, adding several at once, their visa letters, a summary by e-mail)."""

from flask import flash, redirect, render_template, request, url_for

from conference.auth.forms import ConfirmForm
from conference.certificates.services import has_certificate
from conference.errors import PermissionDenied
from conference.events.services import get_event
from conference.extensions import db
from conference.i18n import use_language_of
from conference.pages import attempt, private_page, render_form
from conference.papers.calls import call_for
from conference.registration.delegations import (
    MAX_ROWS,
    MembersInvalid,
    add_member,
    add_members,
    default_member_category,
    delegation_sheet,
    head_manages,
    member_categories,
    member_of,
    require_head,
    send_summary,
    update_member,
    visa_letters,
)
from conference.registration.emails import notify
from conference.registration.forms import build_member_form, build_members_form, build_person_form
from conference.registration.history import Actor
from conference.registration.links import registration_from_token, verify_email
from conference.registration.participants import may_see, require_visible
from conference.registration.places import cancel_by_delegate
from conference.registration.registering import can_edit, update_registration
from conference.registration.settings import questions_for
from conference.registration.views import bp
from conference.registration.views._common import (
    ERROR_FIELDS,
    attempt_registration,
    participants_context,
    registration_form_data,
    to_the_head,
)
from conference.registration.visa import letter_offer, visa_letter_for

ROWS = 5  # empty rows the "add several members" table offers, and adds at a time


def _manage_page(event, registration, token, form):
    return private_page(
        *render_form(
            "registration/manage.html",
            form,
            event=event,
            registration=registration,
            token=token,
            editable=can_edit(registration),
            visa_letter=letter_offer(registration),
            call=call_for(event),
            certificate=has_certificate(registration),
            participants_open=may_see(event, registration=registration),
            confirm_form=ConfirmForm(),
        )
    )


@bp.route("/events/<slug>/manage/<token>", methods=["GET", "POST"])
def manage(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    verify_email(registration, request.args.get("verify"))  # opened from the e-mail
    use_language_of(registration)  # theirs; one chosen here becomes theirs, for the e-mails
    db.session.commit()
    questions = questions_for(event)
    if request.method == "GET":
        data = registration_form_data(registration)
        form = build_person_form(questions, formdata=None, data=data)
        return _manage_page(event, registration, token, form)
    form = build_person_form(questions)
    if form.validate_on_submit():
        with attempt_registration(form) as done:
            update_registration(registration, form.registration_data())
        if done:
            flash("Your changes are saved.", "success")
            return redirect(url_for("registration.manage", slug=slug, token=token))
    return _manage_page(event, registration, token, form)


@bp.get("/events/<slug>/manage/<token>/visa-letter.pdf")
def own_visa_letter(slug, token):
    from conference.registration.letters import render_visa_letter
    from conference.web import pdf_response

    event = get_event(slug)
    registration = registration_from_token(event, token)
    letter = visa_letter_for(registration)
    db.session.commit()  # the letter's date of issue, and the log of letters issued
    return pdf_response(render_visa_letter(letter), "visa-invitation-letter.pdf")


@bp.get("/events/<slug>/manage/<token>/participants")
def participants_for_delegate(slug, token):
    """The participant list through a delegate's link, when the event shows it to its
    confirmed delegates (or to everyone)."""
    event = get_event(slug)
    registration = registration_from_token(event, token)
    require_visible(event, registration=registration)
    context, status = participants_context(
        event, request.args, ".participants_for_delegate", slug=slug, token=token
    )
    page = render_template("registration/participants.html", token=token, **context)
    return private_page(page, status)


@bp.post("/events/<slug>/manage/<token>/cancel")
def cancel(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            cancel_by_delegate(registration)
        if done:
            flash("Your registration is cancelled. We have sent you a confirmation.", "info")
    return redirect(url_for("registration.manage", slug=slug, token=token))


def _head(event, token):
    """The head whose private link this is; 403 for anyone else's link."""
    registration = registration_from_token(event, token)
    if not registration.is_head:
        raise PermissionDenied("Only the head of a delegation has a delegation sheet.")
    return registration


@bp.route("/events/<slug>/manage/<token>/members/new", methods=["GET", "POST"])
def add_member_form(slug, token):
    event = get_event(slug)
    head = require_head(registration_from_token(event, token))
    questions = questions_for(event)
    categories = member_categories(event)
    default = default_member_category(head, categories)
    if request.method == "GET":
        data = {"country": head.country, "organisation": head.organisation}
        form = build_member_form(questions, categories, default, formdata=None, data=data)
    else:
        form = build_member_form(questions, categories, default)
    if form.validate_on_submit():
        with attempt_registration(form, for_head=True) as done:
            member = add_member(head, form.registration_data())
        if done:
            flash(_registered_message([member]), "success")
            return redirect(url_for("registration.delegation_sheet", slug=slug, token=token))
    return private_page(
        *render_form(
            "registration/member_form.html",
            form,
            event=event,
            head=head,
            token=token,
            default_category=default,
        )
    )


def _registered_message(members, named=10) -> str:
    names = ", ".join(f"{m.display_name} ({m.status_label.lower()})" for m in members[:named])
    if len(members) > named:
        names += f" and {len(members) - named} more"
    mailed = sum(1 for m in members if m.email)
    if len(members) == 1:
        tail = (
            "they will receive their own e-mail and link."
            if mailed
            else "they have no e-mail address, so you manage their registration here."
        )
        return f"{names} is registered; {tail}"
    tail = (
        "Those with an e-mail address receive their own link; you manage the others here."
        if mailed
        else "None has an e-mail address: you manage their registrations here."
    )
    return f"{len(members)} members are registered: {names}. {tail}"


class attempt_members(attempt):  # noqa: N801  (a statement, as ``attempt`` is)
    """``attempt`` for the "add several members" table: a MembersInvalid puts each row's
    messages in that row, beside their fields."""

    def __init__(self, form, rows):
        super().__init__(form)
        self.rows = rows  # the filled-in rows, in the order given to the service

    def __exit__(self, kind, error, traceback) -> bool:
        if isinstance(error, MembersInvalid):
            db.session.rollback()
            self.error = error
            self.form.form_errors = [*self.form.form_errors, error.message]
            for index, errors in error.errors.items():
                row = self.rows[index].form
                for name, messages in errors.items():
                    worded = [to_the_head(message) for message in messages]
                    field = row._fields.get(ERROR_FIELDS.get(name, name))
                    if field is None:
                        row.form_errors = [*row.form_errors, *worded]
                    else:
                        field.errors = [*field.errors, *worded]
            return True
        return super().__exit__(kind, error, traceback)


def _sheet_page(event, head, token, form, default=None):
    return private_page(
        *render_form(
            "registration/delegation_sheet.html",
            form,
            event=event,
            head=head,
            token=token,
            sheet=delegation_sheet(head.delegation, head),
            confirm_form=ConfirmForm(),
            max_rows=MAX_ROWS,
            default_category=default,
        )
    )


@bp.route(
    "/events/<slug>/manage/<token>/delegation",
    methods=["GET", "POST"],
    endpoint="delegation_sheet",
)
def delegation_sheet_page(slug, token):
    event = get_event(slug)
    head = _head(event, token)
    questions = questions_for(event)
    categories = member_categories(event)
    default = default_member_category(head, categories)
    if request.method == "GET":
        form = build_members_form(questions, ROWS, MAX_ROWS, categories, default, formdata=None)
        return _sheet_page(event, head, token, form, default)
    form = build_members_form(questions, ROWS, MAX_ROWS, categories, default)
    if "more" in request.form:  # more empty rows; nothing is checked or saved yet
        for _ in range(min(ROWS, MAX_ROWS - len(form.members))):
            form.members.append_entry()
        return _sheet_page(event, head, token, form, default)
    if form.validate_on_submit():
        rows = [row for row in form.members if not row.form.is_blank()]
        with attempt_members(form, rows) as done:
            added = add_members(head, [row.form.registration_data() for row in rows])
        if done:
            flash(_registered_message(added), "success")
            return redirect(url_for("registration.delegation_sheet", slug=slug, token=token))
    return _sheet_page(event, head, token, form, default)


@bp.route("/events/<slug>/manage/<token>/members/<int:member_id>", methods=["GET", "POST"])
def member(slug, token, member_id):
    event = get_event(slug)
    head = _head(event, token)
    found = member_of(head, member_id)
    managed = head_manages(head, found)
    questions = questions_for(event)
    if request.method == "GET":
        # Only the details the head manages fill in the form (a passport among them).
        data = registration_form_data(found) if managed else {}
        form = build_member_form(questions, formdata=None, data=data)
    else:
        form = build_member_form(questions)
        if form.validate_on_submit():  # the service refuses a member the head does not manage
            with attempt_registration(form, for_head=True) as done:
                update_member(head, found, form.registration_data())
            if done:
                flash(f"{found.display_name}'s details are saved.", "success")
                return redirect(
                    url_for("registration.member", slug=slug, token=token, member_id=member_id)
                )
    return private_page(
        *render_form(
            "registration/member.html",
            form,
            event=event,
            head=head,
            token=token,
            m=found,
            managed=managed,
            editable=managed and can_edit(found),
            visa_letter=letter_offer(found) if managed else None,
            confirm_form=ConfirmForm(),
        )
    )


@bp.get("/events/<slug>/manage/<token>/delegation/visa-letters.pdf")
def delegation_visa_letters(slug, token):
    from conference.registration.letters import render_visa_letters
    from conference.web import pdf_response

    event = get_event(slug)
    head = _head(event, token)
    with attempt() as done:
        letters = visa_letters(delegation_sheet(head.delegation, head), actor=Actor.head(head))
    if not done:
        return redirect(url_for("registration.delegation_sheet", slug=slug, token=token))
    return pdf_response(render_visa_letters(letters), "visa-invitation-letters.pdf")


@bp.post("/events/<slug>/manage/<token>/delegation/summary")
def delegation_summary(slug, token):
    event = get_event(slug)
    head = _head(event, token)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            send_summary(head)
        if done:
            flash(f"The summary is on its way to {head.email}.", "info")
    return redirect(url_for("registration.delegation_sheet", slug=slug, token=token))


@bp.post("/events/<slug>/manage/<token>/members/<int:member_id>/<action>")
def member_action(slug, token, member_id, action):
    event = get_event(slug)
    head = registration_from_token(event, token)
    found = member_of(head, member_id)
    if ConfirmForm().validate_on_submit():
        if action == "cancel":
            with attempt() as done:
                cancel_by_delegate(found, Actor.head(head))
            if done:
                flash(f"{found.display_name}'s registration is cancelled.", "info")
        elif action == "resend" and found.email:
            with attempt() as done:
                notify(found, "link")
            if done:
                flash(f"The link is on its way to {found.email}.", "info")
    return redirect(url_for("registration.delegation_sheet", slug=slug, token=token))
