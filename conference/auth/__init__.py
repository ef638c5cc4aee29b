"""Accounts: sign-in, password reset, API tokens, per-event roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
