"""Delegate registration: categories, the form, delegations, self-service, organiser pages."""
