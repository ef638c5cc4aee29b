"""Calls for papers, submissions with every version kept, review, and accepted papers as talks."""

from flask import Blueprint

bp = Blueprint("papers", __name__)
