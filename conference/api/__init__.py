"""The JSON API for scanners and integrations, under /api/v1."""
