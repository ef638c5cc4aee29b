"""The delegate's own pages, reached through their private management link: their
registration, their visa letter, cancelling, and a head's delegation members."""

from flask import flash, redirect, request, url_for

from conference.auth.forms import ConfirmForm
from conference.events.services import get_event
from conference.extensions import db
from conference.pages import attempt, private_page, render_form
from conference.papers.calls import call_for
from conference.registration.delegations import add_member, member_of, require_head
from conference.registration.emails import notify
from conference.registration.forms import build_person_form
from conference.registration.links import registration_from_token, verify_email
from conference.registration.places import cancel_by_delegate
from conference.registration.registering import can_edit, update_registration
from conference.registration.settings import questions_for
from conference.registration.views import bp
from conference.registration.views._common import attempt_registration, registration_form_data
from conference.registration.visa import letter_offer, visa_letter_for


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
            confirm_form=ConfirmForm(),
        )
    )


@bp.route("/events/<slug>/manage/<token>", methods=["GET", "POST"])
def manage(slug, token):
    event = get_event(slug)
    registration = registration_from_token(event, token)
    verify_email(registration, request.args.get("verify"))  # opened from the e-mail
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


@bp.route("/events/<slug>/manage/<token>/members/new", methods=["GET", "POST"])
def add_member_form(slug, token):
    event = get_event(slug)
    head = require_head(registration_from_token(event, token))
    questions = questions_for(event)
    if request.method == "GET":
        data = {"country": head.country, "organisation": head.organisation}
        form = build_person_form(questions, formdata=None, data=data)
    else:
        form = build_person_form(questions)
    if form.validate_on_submit():
        with attempt_registration(form) as done:
            member = add_member(head, form.registration_data())
        if done:
            flash(
                f"{member.display_name} is registered ({member.status_label.lower()}); "
                "they will receive their own e-mail and link.",
                "success",
            )
            return redirect(url_for("registration.manage", slug=slug, token=token))
    return private_page(
        *render_form("registration/member_form.html", form, event=event, head=head, token=token)
    )


@bp.post("/events/<slug>/manage/<token>/members/<int:member_id>/<action>")
def member_action(slug, token, member_id, action):
    event = get_event(slug)
    head = registration_from_token(event, token)
    member = member_of(head, member_id)
    if ConfirmForm().validate_on_submit():
        if action == "cancel":
            with attempt() as done:
                cancel_by_delegate(member)
            if done:
                flash(f"{member.display_name}'s registration is cancelled.", "info")
        elif action == "resend":
            with attempt() as done:
                notify(member, "link")
            if done:
                flash(f"The link is on its way to {member.email}.", "info")
    return redirect(url_for("registration.manage", slug=slug, token=token))
