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
    db.session.commit()
    return jsonify(record.as_dict())
