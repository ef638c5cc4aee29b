"""Whoever started a job (organisers: badge batches, exports) follows its progress, as a
page and as JSON for the page to poll."""

from flask import jsonify, render_template
from flask_login import current_user, login_required

from conference.extensions import db
from conference.jobs.services import follow_job
from conference.jobs.views import bp


@bp.get("/<job_id>")
@login_required
def show(job_id):
    record = follow_job(current_user, job_id)
    db.session.commit()
    return render_template("jobs/show.html", job=record)


@bp.get("/<job_id>.json")
@login_required
def status(job_id):
    record = follow_job(current_user, job_id)
    db.session.commit()
    return jsonify(record.as_dict())
