"""Agenda pages: public (being built)."""

from conference.agenda import bp  # noqa: F401
