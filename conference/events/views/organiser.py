"""Organisers: creating an event, editing it, its team."""

from dataclasses import fields

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.auth.services import can_create_events, revoke_role
from conference.events.branding import (
    discard_logo_file,
    event_palette,
    logo_storage,
    remove_logo,
    replace_logo,
    set_brand_colour,
)
from conference.events.dashboard import event_dashboard
from conference.events.forms import BrandColourForm, EventForm, LogoForm, RoleForm
from conference.events.services import (
    EventDetails,
    add_team_member,
    create_event,
    event_details,
    update_event,
)
from conference.events.views import bp
from conference.pages import attempt, render_form


def _details(form: EventForm) -> EventDetails:
    return EventDetails(**{f.name: form[f.name].data for f in fields(EventDetails)})


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new():
    if not can_create_events(current_user):
        abort(403)
    form = EventForm()
    if form.validate_on_submit():
        with attempt(form, field="title") as done:
            event = create_event(_details(form), current_user)
        if done:
            flash(f"“{event.title}” is created. You are its organiser.", "success")
            return redirect(url_for("events.show", slug=event.slug))
    return render_form("events/form.html", form, event=None)


@bp.get("/events/<slug>/dashboard")
@event_role_required("organiser")
def dashboard(event):
    """Where an organiser starts: the registrations, what waits for them, today's arrivals."""
    return render_template("events/dashboard.html", event=event, board=event_dashboard(event))


def _edit_page(event, form=None, colour_form=None, logo_form=None):
    """The edit page: the event's details, then its colour and logo, each a form of its
    own; 422 when the one sent holds errors."""
    form = form or EventForm(formdata=None, data=vars(event_details(event)))
    colour_form = colour_form or BrandColourForm(formdata=None, data={"colour": event.brand_colour})
    logo_form = logo_form or LogoForm(formdata=None, max_bytes=current_app.config["LOGO_MAX_BYTES"])
    if event.logo_key:
        logo_form.logo.label.text = "Replace it with"
    failed = any(f.errors or f.form_errors for f in (form, colour_form, logo_form))
    page = render_template(
        "events/form.html",
        form=form,
        event=event,
        colour_form=colour_form,
        logo_form=logo_form,
        remove_logo_form=ConfirmForm(formdata=None),
        palette=event_palette(event) if event.brand_colour else None,
    )
    return page, 422 if failed else 200


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@event_role_required("organiser")
def edit(event):
    form = EventForm(data=vars(event_details(event)))
    if form.validate_on_submit():
        with attempt(form, field="title") as done:
            update_event(event, _details(form))
        if done:
            flash("The event is saved.", "success")
            return redirect(url_for("events.show", slug=event.slug))
    return _edit_page(event, form=form)


@bp.post("/events/<slug>/colour")
@event_role_required("organiser")
def brand_colour(event):
    form = BrandColourForm()
    if form.validate_on_submit():
        with attempt(form, field="colour") as done:
            palette = set_brand_colour(event, form.colour.data)
        if done:
            if palette is None:
                flash("The event uses the site's colours again.", "success")
            else:
                notes = " ".join((palette.summary(), *palette.notes))
                flash(f"The event's colour is {palette.primary}. {notes}", "success")
            return redirect(url_for("events.edit", slug=event.slug) + "#branding")
    return _edit_page(event, colour_form=form)


@bp.post("/events/<slug>/logo")
@event_role_required("organiser")
def upload_logo(event):
    form = LogoForm(max_bytes=current_app.config["LOGO_MAX_BYTES"])
    if form.validate_on_submit():
        storage = logo_storage()
        change = None
        try:
            with attempt(form, field="logo") as done:
                upload = form.logo.data
                change = replace_logo(event, upload.stream, upload.filename, storage)
        except BaseException:
            if change is not None:  # stored, but the change could not be committed
                discard_logo_file(storage, change.stored)
            raise
        if done:
            discard_logo_file(storage, change.replaced)
            flash(
                "The logo is saved. It shows on the event's pages, e-mails and badges.", "success"
            )
            return redirect(url_for("events.edit", slug=event.slug) + "#branding")
        if change is not None:
            discard_logo_file(storage, change.stored)
    return _edit_page(event, logo_form=form)


@bp.post("/events/<slug>/logo/remove")
@event_role_required("organiser")
def delete_logo(event):
    form = ConfirmForm()
    if form.validate_on_submit():
        with attempt() as done:
            key = remove_logo(event)
        if done:
            discard_logo_file(logo_storage(), key)
            flash("The logo is removed.", "info")
    return redirect(url_for("events.edit", slug=event.slug) + "#branding")


@bp.route("/events/<slug>/team", methods=["GET", "POST"])
@event_role_required("organiser")
def team(event):
    form = RoleForm()
    if form.validate_on_submit():
        with attempt(form, field="email") as done:
            grant = add_team_member(
                event, form.email.data, form.role.data, form.name.data, invited_by=current_user
            )
        if done:
            flash(f"{grant.user.email} is now {grant.label.lower()} for this event.", "success")
            return redirect(url_for("events.team", slug=event.slug))
    grants = sorted(event.roles, key=lambda g: (g.role, g.user.email))
    return render_form(
        "events/team.html", form, event=event, grants=grants, remove_form=ConfirmForm()
    )


@bp.post("/events/<slug>/team/<int:grant_id>/remove")
@event_role_required("organiser")
def remove_member(event, grant_id):
    form = ConfirmForm()
    if form.validate_on_submit():
        with attempt() as done:
            grant = revoke_role(event, grant_id)
        if done:
            flash(f"{grant.user.email} is no longer {grant.label.lower()}.", "info")
    return redirect(url_for("events.team", slug=event.slug))
