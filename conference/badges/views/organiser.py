"""Badges for organisers: printing (at once or as a background batch), keys, reissuing."""

import io

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.badges.forms import PrintForm
from conference.badges.jobs import badge_file
from conference.badges.selection import badge_selection, count_selection
from conference.badges.services import (
    event_keys,
    printable,
    reissue_badge,
    render_badges_for,
    revoke_key,
    rotate_key,
)
from conference.badges.views import bp
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.ids import id_or_none
from conference.jobs.models import JobStatus
from conference.jobs.services import get_job_for, start_job
from conference.registration.history import Actor
from conference.registration.search import filters_from_args, get_registration
from conference.web import pdf_response


def _selection(event):
    """The registrations chosen: ticked ids, or the list's filters (confirmed only)."""
    ticked = request.form.getlist("ids")
    if ticked:  # only these (none, if none is an id)
        return badge_selection(event, ids=[n for n in map(id_or_none, ticked) if n is not None])
    return badge_selection(event, filters=filters_from_args(request.args))


@bp.route("/events/<slug>/badges", methods=["GET", "POST"])
@event_role_required("organiser")
def print_badges(event):
    form = PrintForm()
    if request.method == "POST" and "layout" not in request.form:
        form = PrintForm(formdata=None)  # arriving from the list with ticked ids
    elif form.validate_on_submit():
        registrations = _selection(event)
        options = {
            "layout": form.layout.data,
            "cut_marks": form.cut_marks.data,
            "back_side": form.back_side.data,
        }
        try:
            confirmed = printable(registrations)
            if len(confirmed) > current_app.config["BADGE_BACKGROUND_THRESHOLD"]:
                record = start_job(
                    "badges.render",
                    f"{len(confirmed)} badges for {event.title}",
                    user=current_user,
                    event_id=event.id,
                    ids=confirmed.ids,
                    download_url="",
                    **options,
                )
                record.params = {
                    **record.params,
                    "download_url": url_for(".download", slug=event.slug, job_id=record.id),
                }
                db.session.commit()
                return redirect(url_for("jobs.show", job_id=record.id))
            out = io.BytesIO()
            count = render_badges_for(
                event,
                registrations,
                out,
                count_printed=True,
                actor=Actor.of_user(current_user),
                **options,
            )
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            db.session.commit()
            name = f"{event.slug}-badges-{count}-{options['layout']}.pdf"
            return pdf_response(out.getvalue(), name)
    ids = request.form.getlist("ids")
    count = len(ids) or count_selection(event, filters=filters_from_args(request.args))
    return render_template(
        "badges/print.html",
        event=event,
        form=form,
        ids=ids,
        count=count,
        keys=event_keys(event, include_revoked=True),
        key_form=ConfirmForm(),
        threshold=current_app.config["BADGE_BACKGROUND_THRESHOLD"],
    )


@bp.get("/events/<slug>/badges/download/<job_id>")
@event_role_required("organiser")
def download(event, job_id):
    record = get_job_for(current_user, job_id)
    path = badge_file(record.id)
    if record.kind != "badges.render" or record.status != JobStatus.FINISHED or not path.exists():
        raise NotFound("This batch is not ready, or has been deleted.")
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{event.slug}-badges-{record.result['badges']}.pdf",
    )


@bp.post("/events/<slug>/registrations/<int:rid>/reissue")
@event_role_required("organiser")
def reissue(event, rid):
    registration = get_registration(event, rid)
    if ConfirmForm().validate_on_submit():
        reissue_badge(registration, Actor.of_user(current_user))
        db.session.commit()
        flash(
            f"A new badge for {registration.display_name}: the old one no longer opens any door.",
            "success",
        )
    return redirect(url_for("registration.registration", slug=event.slug, rid=rid))


@bp.post("/events/<slug>/badge-keys/rotate")
@event_role_required("organiser")
def rotate(event):
    if ConfirmForm().validate_on_submit():
        key = rotate_key(event)
        db.session.commit()
        flash(f"Key #{key.id} signs new badges; badges printed before stay valid.", "success")
    return redirect(url_for(".print_badges", slug=event.slug))


@bp.post("/events/<slug>/badge-keys/<int:key_id>/revoke")
@event_role_required("organiser")
def revoke(event, key_id):
    if ConfirmForm().validate_on_submit():
        key = revoke_key(event, key_id)
        if not event_keys(event):
            rotate_key(event)  # there is always a key to sign new badges
        db.session.commit()
        flash(f"Key #{key.id} is revoked: badges it signed are refused; reprint them.", "warning")
    return redirect(url_for(".print_badges", slug=event.slug))
