"""Accounts: sign-in, password reset, API tokens, per-event roles."""
