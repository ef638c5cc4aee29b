"""The certificates blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from conference.certificates.views import delegate, organiser, public
