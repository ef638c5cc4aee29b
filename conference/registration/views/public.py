"""Registration pages for anyone: the registration form (or its closed page), the page
after registering, and the lost-link form."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from conference.events.services import get_event
from conference.extensions import limiter
from conference.i18n import current_language
from conference.pages import attempt, render_form
from conference.registration.delegations import delegations_for
from conference.registration.emails import resend_link
from conference.registration.forms import LostLinkForm, build_registration_form
from conference.registration.participants import require_visible
from conference.registration.registering import Context, register_or_remind
from conference.registration.settings import questions_for, visible_categories
from conference.registration.views import bp
from conference.registration.views._common import attempt_registration, participants_context


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def register_form(slug):
    event = get_event(slug)
    code = (request.values.get("code") or "").strip()[:64]
    categories = visible_categories(event, code)
    if not event.registration_is_open():
        return render_template("registration/closed.html", event=event)
    form = build_registration_form(questions_for(event), categories, delegations_for(event))
    if request.method == "GET":
        chosen = request.args.get("category")
        if chosen and any(str(c.id) == chosen for c in categories):
            form.category_id.data = chosen
        elif len(categories) == 1:
            form.category_id.data = str(categories[0].id)
    if form.validate_on_submit():
        account = current_user.id if current_user.is_authenticated else None
        with attempt_registration(form) as done:
            register_or_remind(
                event,
                form.registration_data(),
                Context(invitation_code=code, user_id=account, language=current_language()),
            )
        if done:
            # The same page whether the address was new or registered already (its owner
            # gets the link again): the form never tells whether an address is registered.
            then = "paper" if request.args.get("then") == "paper" else None
            return redirect(url_for("registration.registered", slug=slug, then=then))
    return render_form("registration/form.html", form, event=event, code=code)


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
        with attempt(form) as done:
            resend_link(event, form.email.data)
        if done:
            # The same answer whether or not the address is registered.
            flash(
                _(
                    "If this address is registered for the event, its link is on its way. "
                    "Check your spam folder if it does not arrive within a few minutes."
                ),
                "info",
            )
            return redirect(url_for("events.show", slug=slug))
    return render_form("registration/lost_link.html", form, event=event)


@bp.get("/events/<slug>/participants")
def participants(slug):
    """The participant list, when the event shows it to everyone."""
    event = get_event(slug)
    require_visible(event)
    context, status = participants_context(event, request.args, ".participants", slug=slug)
    # People agreed to be listed here, not to be found by their name in search engines.
    page = render_template("registration/participants.html", **context)
    return page, status, {"X-Robots-Tag": "noindex"}
