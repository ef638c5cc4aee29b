"""API: the progress of a background job."""

from flask import g, jsonify

from conference.api.auth import api_login_required
from conference.api.views import bp
from conference.extensions import db
from conference.jobs.services import follow_job


@bp.get("/jobs/<job_id>")
@api_login_required
def job(job_id):
    record = follow_job(g.api_user, job_id)
    # A GET that may write, on purpose: following a job whose worker died gives the lease's
    # verdict (restarted or failed) at once, as the progress page does; where no worker
    # reaps (TASKS_MODE=thread) it is the only place that does. It changes only a dead job.
    db.session.commit()
    return jsonify(record.as_dict())
