"""Agenda pages: personal (being built)."""

from conference.agenda import bp  # noqa: F401
