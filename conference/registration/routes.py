"""Public registration and the delegate's self-service pages (through the private link)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from conference.auth.forms import ConfirmForm
from conference.errors import ValidationError
from conference.events.services import get_event
from conference.extensions import db, limiter
from conference.registration.forms import (
    LostLinkForm,
    build_person_form,
    build_registration_form,
)
from conference.registration.models import Category
from conference.registration.services import (
    Context,
    RegistrationInvalid,
    add_member,
    can_edit,
    cancel_by_delegate,
    categories_for,
    delegations_for,
    member_of,
    notify,
    questions_for,
    register_or_remind,
    registration_from_token,
    resend_link,
    update_registration,
    verify_email,
    visa_letter_for,
)
from conference.registration.validation import PASSPORT_FIELDS, PERSONAL_FIELDS
from conference.registration.views import bp

ERROR_FIELDS = {"delegation_id": "delegation_choice"}


def attach_errors(form, errors: dict) -> None:
    """Put the services' messages beside the fields they are about."""
    for name, messages in errors.items():
        field = form._fields.get(ERROR_FIELDS.get(name, name))
        if field is None:
            form.form_errors.extend(messages)
        else:
            field.errors = [*field.errors, *messages]


def _private(response_body, status=200):
    """Pages reached by a private link: never cached, never leaked through Referer."""
    headers = {
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex",
    }
    return response_body, status, headers


def _visible_categories(event, code: str | None) -> list[Category]:
    return [c for c in categories_for(event) if c.is_public or (code and code == c.invitation_code)]


def registration_form_data(registration) -> dict:
    """A registration as form data, to fill in the edit form."""
    fields = (*PERSONAL_FIELDS, "list_consent", "visa_requested")
    data = {name: getattr(registration, name) for name in fields}
    if registration.visa is not None:
        for name in PASSPORT_FIELDS:
            data[name] = getattr(registration.visa, name)
    for answer in registration.answers:
        data[f"q{answer.question_id}"] = answer.value
    return data


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def register_form(slug):
    event = get_event(slug)
    code = (request.values.get("code") or "").strip()[:64]
    categories = _visible_categories(event, code)
    if not event.registration_is_open():
        return render_template("registration/closed.html", event=event)
    questions = questions_for(event)
    form = build_registration_form(questions, categories, delegations_for(event))
    if request.method == "GET":
        chosen = request.args.get("category")
        if chosen and any(str(c.id) == chosen for c in categories):
            form.category_id.data = chosen
        elif len(categories) == 1:
            form.category_id.data = str(categories[0].id)
    if form.validate_on_submit():
        try:
            registration = register_or_remind(
                event, form.registration_data(), Context(invitation_code=code)
            )
            if registration is not None and current_user.is_authenticated:
                registration.user_id = current_user.id  # optional link to the account
        except RegistrationInvalid as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            # The same page whether the address was new or registered already (its owner
            # gets the link again): the form never tells whether an address is registered.
            then = "paper" if request.args.get("then") == "paper" else None
            return redirect(url_for("registration.registered", slug=slug, then=then))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("registration/form.html", event=event, form=form, code=code), status


@bp.get("/events/<slug>/register/sent")
def registered(slug):
    event = get_event(slug)
    then = request.args.get("then")
    return render_template("registration/sent.html", event=event, then=then)


@bp.route("/events/<slug>/lost-link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def lost_link(slug):
    event = get_event(slug)
    form = LostLinkForm()
    if form.validate_on_submit():
        resend_link(event, form.email.data)
        db.session.commit()
        # The same answer whether or not the address is registered.
        flash(
            "If this address is registered for the event, its link is on its way. "
            "Check your spam folder if it does not arrive within a few minutes.",
            "info",
        )
        return redirect(url_for("events.show", slug=slug))
    return render_template("registration/lost_link.html", event=event, form=form)


def _manage_page(event, registration, token, form, status=200):
    return _private(
        render_template(
            "registration/manage.html",
            event=event,
            registration=registration,
            token=token,
            form=form,
            editable=can_edit(registration),
            confirm_form=ConfirmForm(),
        ),
        status,
    )


@bp.route("/events/<slug>/manage/<token>", methods=["GET", "POST"])
def manage(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    verify_email(registration, request.args.get("verify"))  # opened from the e-mail
    db.session.commit()
    questions = questions_for(event)
    if request.method == "POST":
        form = build_person_form(questions)
        if form.validate_on_submit():
            try:
                update_registration(registration, form.registration_data())
            except RegistrationInvalid as exc:
                db.session.rollback()
                attach_errors(form, exc.errors)
            except ValidationError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
            else:
                db.session.commit()
                flash("Your changes are saved.", "success")
                return redirect(url_for("registration.manage", slug=slug, token=token))
        return _manage_page(event, registration, token, form, 422)
    form = build_person_form(questions, formdata=None, data=registration_form_data(registration))
    return _manage_page(event, registration, token, form)


@bp.get("/events/<slug>/manage/<token>/visa-letter.pdf")
def own_visa_letter(slug, token):
    from conference.registration.letters import render_visa_letter
    from conference.web import pdf_response

    event = get_event(slug)
    registration = registration_from_token(event, token)
    letter = visa_letter_for(registration)
    db.session.commit()
    return pdf_response(render_visa_letter(letter), "visa-invitation-letter.pdf")


@bp.post("/events/<slug>/manage/<token>/cancel")
def cancel(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    if ConfirmForm().validate_on_submit():
        try:
            cancel_by_delegate(registration)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash("Your registration is cancelled. We have sent you a confirmation.", "info")
    return redirect(url_for("registration.manage", slug=slug, token=token))


@bp.route("/events/<slug>/manage/<token>/members/new", methods=["GET", "POST"])
def add_member_form(slug, token):
    event = get_event(slug)
    head = registration_from_token(event, token)
    if not head.is_head:
        raise ValidationError("Only the head of a delegation can add members.")
    questions = questions_for(event)
    form = build_person_form(questions)
    if request.method == "GET":
        form = build_person_form(
            questions,
            formdata=None,
            data={"country": head.country, "organisation": head.organisation},
        )
    elif form.validate_on_submit():
        try:
            member = add_member(head, form.registration_data())
        except RegistrationInvalid as exc:
            db.session.rollback()
            attach_errors(form, exc.errors)
        except ValidationError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(
                f"{member.display_name} is registered ({member.status_label.lower()}); "
                "they will receive their own e-mail and link.",
                "success",
            )
            return redirect(url_for("registration.manage", slug=slug, token=token))
    status = 422 if form.errors or form.form_errors else 200
    return _private(
        render_template(
            "registration/member_form.html", event=event, head=head, token=token, form=form
        ),
        status,
    )


@bp.post("/events/<slug>/manage/<token>/members/<int:member_id>/<action>")
def member_action(slug, token, member_id, action):
    event = get_event(slug)
    head = registration_from_token(event, token)
    member = member_of(head, member_id)
    if ConfirmForm().validate_on_submit():
        if action == "cancel":
            try:
                cancel_by_delegate(member)
            except ValidationError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                db.session.commit()
                flash(f"{member.display_name}'s registration is cancelled.", "info")
        elif action == "resend":
            notify(member, "link")
            db.session.commit()
            flash(f"The link is on its way to {member.email}.", "info")
    return redirect(url_for("registration.manage", slug=slug, token=token))
