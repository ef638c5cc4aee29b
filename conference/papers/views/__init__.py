"""The papers blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("papers", __name__)

from conference.papers import routes
