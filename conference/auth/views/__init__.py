"""The auth blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from conference.auth.views import account, public
