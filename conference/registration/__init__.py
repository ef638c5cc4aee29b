"""Delegate registration: categories, the form, delegations, self-service, organiser pages."""

from flask import Blueprint

bp = Blueprint("registration", __name__)
