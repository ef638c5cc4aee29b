"""API: the OpenAPI document that describes it."""

from flask import jsonify

from conference.api.openapi import openapi_document
from conference.api.views import bp


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
