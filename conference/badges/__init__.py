"""Badges: signing keys, tokens in QR codes, PDF badges for one delegate or thousands."""

from flask import Blueprint

bp = Blueprint("badges", __name__)
