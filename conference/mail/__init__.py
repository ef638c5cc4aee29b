"""The e-mail outbox and its administration page."""
