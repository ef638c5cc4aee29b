"""Organisers: creating an event, editing it, its team."""

from dataclasses import fields

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.auth.services import can_create_events, revoke_role
from conference.events.dashboard import event_dashboard
from conference.events.forms import EventForm, RoleForm
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
    return render_form("events/form.html", form, event=event)


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
