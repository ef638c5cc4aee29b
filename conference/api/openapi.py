"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json."""

ERROR = {
    "type": "object",
    "required": ["error", "message", "status"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "status": {"type": "integer"},
    },
}

EVENT = {
    "type": "object",
    "required": ["slug", "title", "country", "timezone", "start_date", "end_date"],
    "properties": {
        "slug": {"type": "string"},
        "title": {"type": "string"},
        "venue": {"type": "string"},
        "city": {"type": "string"},
        "country": {"type": "string", "description": "ISO 3166-1 alpha-2"},
        "timezone": {"type": "string", "description": "IANA time zone, e.g. Asia/Bangkok"},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "description": {"type": "string"},
        "registration_opens_at": {"type": ["string", "null"], "format": "date-time"},
        "registration_closes_at": {"type": ["string", "null"], "format": "date-time"},
        "registration_open": {"type": "boolean"},
        "my_roles": {
            "type": "array",
            "items": {"enum": ["organiser", "reviewer", "checkin"]},
        },
    },
}

JOB = {
    "type": "object",
    "required": ["id", "kind", "status", "done"],
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "title": {"type": "string"},
        "status": {"enum": ["queued", "running", "finished", "failed"]},
        "done": {"type": "integer"},
        "total": {"type": ["integer", "null"]},
        "percent": {"type": ["integer", "null"]},
        "message": {"type": "string"},
        "result": {},
        "error": {"type": ["string", "null"]},
        "created_at": {"type": ["string", "null"], "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
    },
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict:
    """The whole document, built fresh (it is small)."""
    slug = _path_param("slug")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Conference API",
            "version": "1",
            "description": "Events, registrations and check-in for scanners and integrations. "
            "Authenticate with a personal token: `Authorization: Bearer cft_...` "
            "(create one on your account page or with `flask --app conference api-token "
            "create EMAIL`).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR, "Event": EVENT, "Job": JOB},
        },
        "paths": {
            "/me": {
                "get": {
                    "summary": "The token's user and their roles per event",
                    "responses": {
                        "200": _ok(
                            "The user",
                            {
                                "type": "object",
                                "required": ["id", "email", "roles"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "email": {"type": "string"},
                                    "name": {"type": "string"},
                                    "is_admin": {"type": "boolean"},
                                    "roles": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "event": {"type": "string"},
                                                "role": {"type": "string"},
                                            },
                                        },
                                    },
                                },
                            },
                        ),
                        "401": _error("No valid token"),
                    },
                }
            },
            "/events": {
                "get": {
                    "summary": "All events",
                    "security": [],
                    "responses": {
                        "200": _ok(
                            "Events",
                            {
                                "type": "object",
                                "properties": {
                                    "events": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Event"},
                                    }
                                },
                            },
                        )
                    },
                }
            },
            "/events/{slug}": {
                "get": {
                    "summary": "One event, with the caller's roles in it",
                    "security": [{}, {"bearer": []}],
                    "parameters": [slug],
                    "responses": {
                        "200": _ok("The event", {"$ref": "#/components/schemas/Event"}),
                        "401": _error("A token was sent but is not valid"),
                        "404": _error("No such event"),
                    },
                }
            },
            "/jobs/{job_id}": {
                "get": {
                    "summary": "Progress of a background job the caller started",
                    "parameters": [_path_param("job_id")],
                    "responses": {
                        "200": _ok("The job", {"$ref": "#/components/schemas/Job"}),
                        "401": _error("No valid token"),
                        "403": _error("Someone else's job"),
                        "404": _error("No such job"),
                    },
                }
            },
        },
    }
