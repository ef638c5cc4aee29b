"""The events blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from conference.events.views import organiser, public
