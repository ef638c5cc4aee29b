"""The messages blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("messages", __name__)

from conference.messages.views import organiser
