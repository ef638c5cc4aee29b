"""The agenda: rooms, tracks, sessions and talks; conflicts; publishing; personal agendas."""

from flask import Blueprint

bp = Blueprint("agenda", __name__)
