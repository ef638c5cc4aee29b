"""Background jobs and the pages that follow their progress."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
