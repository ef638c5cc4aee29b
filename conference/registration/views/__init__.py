"""The registration blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

bp = Blueprint("registration", __name__)

from conference.registration.views import (
    delegate,
    organiser,
    public,
)
