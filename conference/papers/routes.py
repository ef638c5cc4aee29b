"""Paper pages (being built)."""

from conference.papers import bp  # noqa: F401
