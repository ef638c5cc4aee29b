"""The checkin blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)

from conference.checkin.views import organiser, staff
