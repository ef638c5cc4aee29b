"""The mail blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")

from conference.mail.views import admin
