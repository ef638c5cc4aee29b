"""API: the caller's own account."""

from flask import g, jsonify

from conference.api.auth import api_login_required
from conference.api.serialisers import user_json
from conference.api.views import bp


@bp.get("/me")
@api_login_required
def me():
    return jsonify(user_json(g.api_user))
