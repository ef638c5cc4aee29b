"""Certificates for organisers: where they stand, a preview of one, all of them as one PDF
(at once or as a background batch), and sending them to every delegate."""

import io

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from conference import localtime
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.certificates.attendance import attendance
from conference.certificates.jobs import RENDER_KIND, certificates_file
from conference.certificates.models import CertificateMail
from conference.certificates.sending import (
    SEND_KIND,
    check_can_send,
    running_sending,
    sending_summary,
)
from conference.certificates.services import (
    certified,
    certified_query,
    render_certificates_for,
)
from conference.certificates.views import bp
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.jobs.models import JobStatus
from conference.jobs.services import get_job_for, start_job
from conference.registration.models import SORT_NAME, Registration
from conference.web import pdf_response

LISTED = 10  # delegates listed for a preview at a time


def _listed(event, q: str):
    """The first certified delegates (matching q), with their attendance and whether they
    were sent theirs."""
    people = db.session.scalars(
        certified_query(event, q)
        .order_by(None)
        .order_by(SORT_NAME, Registration.given_name, Registration.id)
        .limit(LISTED)
    ).all()
    ids = [r.id for r in people]
    attended = attendance(event, ids)
    sent = set(
        db.session.scalars(
            select(CertificateMail.registration_id).where(CertificateMail.registration_id.in_(ids))
        )
    )
    return [(r, attended.get(r.id), r.id in sent) for r in people]


@bp.get("/events/<slug>/certificates")
@event_role_required("organiser")
def overview(event):
    q = (request.args.get("q") or "")[:100]
    return render_template(
        "certificates/organiser.html",
        event=event,
        summary=sending_summary(event),
        sending=running_sending(event),
        people=_listed(event, q),
        q=q,
        listed=LISTED,
        over=localtime.today(event.tz) > event.end_date,
        confirm_form=ConfirmForm(),
        threshold=current_app.config["CERTIFICATE_BACKGROUND_THRESHOLD"],
    )


@bp.get("/events/<slug>/certificates/<int:rid>.pdf")
@event_role_required("organiser")
def preview(event, rid):
    chosen = certified(event, ids=[rid])
    if not len(chosen):
        raise NotFound(
            "This registration has no certificate: it is not a confirmed delegate "
            "of this event who was checked in."
        )
    out = io.BytesIO()
    render_certificates_for(event, chosen, out)
    return pdf_response(out.getvalue(), f"{event.slug}-certificate-{rid}.pdf")


@bp.post("/events/<slug>/certificates/pdf")
@event_role_required("organiser")
def download_all(event):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".overview", slug=event.slug))
    chosen = certified(event)
    try:
        if len(chosen) > current_app.config["CERTIFICATE_BACKGROUND_THRESHOLD"]:
            record = start_job(
                RENDER_KIND,
                f"{len(chosen)} certificates of attendance for {event.title}",
                user=current_user,
                event_id=event.id,
                download_url="",
            )
            record.params = {
                **record.params,
                "download_url": url_for(".download", slug=event.slug, job_id=record.id),
            }
            db.session.commit()
            return redirect(url_for("jobs.show", job_id=record.id))
        out = io.BytesIO()
        count = render_certificates_for(event, chosen, out)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for(".overview", slug=event.slug))
    return pdf_response(out.getvalue(), f"{event.slug}-certificates-{count}.pdf")


@bp.get("/events/<slug>/certificates/download/<job_id>")
@event_role_required("organiser")
def download(event, job_id):
    record = get_job_for(current_user, job_id)
    path = certificates_file(record.id)
    if (
        record.kind != RENDER_KIND
        or (record.params or {}).get("event_id") != event.id
        or record.status != JobStatus.FINISHED
        or not path.exists()
    ):
        raise NotFound("This batch is not ready, or has been deleted.")
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{event.slug}-certificates-{record.result['certificates']}.pdf",
    )


@bp.post("/events/<slug>/certificates/send")
@event_role_required("organiser")
def send(event):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".overview", slug=event.slug))
    try:
        count = check_can_send(event)
    except ValidationError as exc:
        flash(exc.message, "warning")
        return redirect(url_for(".overview", slug=event.slug))
    noun = "certificate" if count == 1 else "certificates"
    record = start_job(
        SEND_KIND,
        f"Sending {count} {noun} of attendance for {event.title}",
        user=current_user,
        event_id=event.id,
    )
    db.session.commit()
    flash(f"Sending {count} {noun} of attendance through the outbox.", "success")
    return redirect(url_for("jobs.show", job_id=record.id))
