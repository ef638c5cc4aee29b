"""The JSON API for scanners and integrations, under /api/v1."""

from flask import Blueprint

from conference.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens cannot be forged by another site; cookie sessions get a CSRF check
# in ``api_user`` instead of the form-wide one.
csrf.exempt(bp)
