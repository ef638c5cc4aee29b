"""Agenda pages: editor (being built)."""

from conference.agenda import bp  # noqa: F401
