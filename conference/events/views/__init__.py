"""The events blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

from conference.events.navigation import event_tabs

bp = Blueprint("events", __name__)
bp.add_app_template_global(event_tabs, "event_tabs")  # the organiser pages' tab bar

from conference.events.views import organiser, public
