"""The e-mail outbox and its administration page."""

from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")
