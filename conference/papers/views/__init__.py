"""The papers blueprint: its routes by audience, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("papers", __name__)

from conference.papers.views import _common, delegate, organiser, public, reviewer  # noqa: E402
