"""The api blueprint: its routes, registered by ``create_app``.

One audience, API clients (integrations, scanners, the browser's own pages), so the routes
are split by resource: events, registrations, check-ins, jobs, the caller's account and
the OpenAPI document. The JSON shapes are in ``conference.api.serialisers``.
"""

from flask import Blueprint

from conference.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens cannot be forged by another site; cookie sessions get a CSRF check
# in ``api_user`` instead of the form-wide one.
csrf.exempt(bp)

from conference.api.views import (
    account,
    checkins,
    document,
    events,
    jobs,
    registrations,
)
