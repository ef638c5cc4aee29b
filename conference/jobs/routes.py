"""A job's progress, as a page and as JSON for the page to poll."""

from flask import jsonify, render_template
from flask_login import current_user, login_required

from conference.jobs import bp
from conference.jobs.services import get_job_for


@bp.get("/<job_id>")
@login_required
def show(job_id):
    return render_template("jobs/show.html", job=get_job_for(current_user, job_id))


@bp.get("/<job_id>.json")
@login_required
def status(job_id):
    return jsonify(get_job_for(current_user, job_id).as_dict())
