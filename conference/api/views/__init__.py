"""The api blueprint: its routes, registered by ``create_app``."""

from flask import Blueprint

from conference.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens cannot be forged by another site; cookie sessions get a CSRF check
# in ``api_user`` instead of the form-wide one.
csrf.exempt(bp)

from conference.api import (
    checkins,
    registrations,
    routes,
)
