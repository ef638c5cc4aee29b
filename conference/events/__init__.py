"""Events: list, public page, creation and editing, the event team."""

from flask import Blueprint

bp = Blueprint("events", __name__)
