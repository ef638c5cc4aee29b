"""The agenda blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("agenda", __name__)

from conference.agenda.views import (
    delegate,
    organiser,
    proposals,
    public,
)
