"""The badges blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("badges", __name__)

from conference.badges.views import delegate, organiser
