"""The jobs blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from conference.jobs.views import organiser
