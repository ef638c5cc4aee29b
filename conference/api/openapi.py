"""The OpenAPI 3.1 description of the JSON API, served at /api/v1/openapi.json."""

from conference.checkin.services import CLIENT_REF_PATTERN, STATION_MAX_LENGTH, STATION_PATTERN
from conference.ids import MAX_ID
from conference.jobs.models import JobStatus
from conference.languages import CODES as LANGUAGE_CODES
from conference.registration.fields import (
    FIELDS,
    IN_API,
    PASSPORT,
    input_schema,
    output_schema,
)

# A row's id: what the database's integer holds (a larger one matches nothing: 404).
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

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
        "categories": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}},
        "questions": {"type": "array", "items": {"$ref": "#/components/schemas/Question"}},
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
        "status": {"enum": [status.value for status in JobStatus]},
        "done": {"type": "integer"},
        "total": {"type": ["integer", "null"]},
        "percent": {"type": ["integer", "null"]},
        "message": {"type": "string"},
        "result": {},
        "error": {"type": ["string", "null"]},
        "notice": {
            "type": "string",
            "description": "what happened beyond the job's progress, e.g. its worker stopped",
        },
        "attempts": {
            "type": "integer",
            "description": "runs started so far: a job whose worker dies may start over",
        },
        "created_at": {"type": ["string", "null"], "format": "date-time"},
        "finished_at": {"type": ["string", "null"], "format": "date-time"},
    },
}


CATEGORY = {
    "type": "object",
    "required": ["id", "name", "capacity", "places_left", "requires_approval"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "capacity": {"type": ["integer", "null"], "description": "null: no limit"},
        "places_left": {"type": ["integer", "null"], "description": "0: new sign-ups wait"},
        "requires_approval": {"type": "boolean"},
        "open": {"type": "boolean"},
        "badge_colour": {"type": "string"},
    },
}

QUESTION = {
    "type": "object",
    "required": ["id", "label", "type", "required", "choices"],
    "properties": {
        "id": {"type": "integer"},
        "label": {"type": "string"},
        "help_text": {"type": "string"},
        "type": {
            "enum": [
                "short_text",
                "long_text",
                "single_choice",
                "multiple_choice",
                "checkbox",
                "number",
                "date",
                "country",
            ]
        },
        "required": {"type": "boolean"},
        "choices": {"type": "array", "items": {"type": "string"}},
    },
}

NEW_REGISTRATION = {
    "type": "object",
    "required": [
        "category_id",
        *(f.name for f in FIELDS if f.given and f.required and not f.required_unless),
    ],
    "properties": {
        "category_id": ID,
        "invitation_code": {"type": "string", "description": "for invitation-only categories"},
        "delegation_id": ID,
        **{f.name: input_schema(f) for f in FIELDS if f.given},
        "language": {
            "enum": list(LANGUAGE_CODES),
            "description": "the delegate's language: every e-mail to them is written in it; "
            "left out: the best match of the request's Accept-Language, else en",
        },
        "passport": {
            "type": "object",
            "description": "with visa_requested: the passport's details, for the letter",
            "properties": {f.name: input_schema(f) for f in PASSPORT},
        },
        "answers": {
            "type": "object",
            "description": "question id -> answer (text, number, true/false, a choice, a list "
            "of choices, YYYY-MM-DD, or a country code); a number is finite, at most 15 digits "
            "before the decimal point, as a JSON number or as text",
            "additionalProperties": True,
        },
    },
}

REGISTRATION = {
    "type": "object",
    "required": [f.name for f in IN_API],
    "properties": {
        **{f.name: output_schema(f) for f in IN_API},
        "badge_token": {
            "type": "string",
            "description": "the signed token in the badge's QR code (organisers' detail only)",
        },
        "badge_printed_count": {"type": "integer"},
    },
}

REGISTRATION_RECEIVED = {
    "type": "object",
    "description": "The same answer for a new address and for one registered for the event "
    "already (whose owner is e-mailed its link): it never tells which. The status and the "
    "private management link go by e-mail only.",
    "required": ["message"],
    "additionalProperties": False,
    "properties": {"message": {"type": "string"}},
}

VALIDATION_ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "message": {"type": "string"},
    },
}


PERSON = {
    "type": "object",
    "description": "What the door needs to know about a person (no contact details)",
    "properties": {
        "id": {"type": "integer"},
        "name": {
            "type": "string",
            "description": "title, given and family name, in the order the person writes "
            "them (name_order)",
        },
        **{f.name: output_schema(f) for f in FIELDS if f.at_door},
        "category": {"type": "string"},
        "category_colour": {"type": "string"},
        "delegation": {"type": "string"},
        "country_name": {"type": "string"},
        "status": {"type": "string"},
        "warning": {"type": "string"},
    },
}

SCAN = {
    "type": "object",
    "required": ["station"],
    "description": "One scan: a badge's token or, for a forgotten badge, the registration_id "
    "found by name (exactly one of them). A scanner that may send a scan again (a retry, an "
    "offline scan synced later) names it with a client_ref: sent again from the same station "
    "with the same token (or registration_id) and session_id, it is answered as the first "
    "time and recorded once; sent with something else scanned, it is refused with 409 "
    "client_ref_conflict. A client_ref is the scanner's own per event and station.",
    "oneOf": [
        {"required": ["token"], "properties": {"token": {"type": "string"}}},
        {"required": ["registration_id"], "properties": {"registration_id": {"type": "integer"}}},
    ],
    "properties": {
        "token": {"type": ["string", "null"], "description": "the badge's QR text"},
        "registration_id": {
            "type": ["integer", "null"],
            "description": "instead of a token: a person found by name",
        },
        "station": {
            "type": "string",
            "minLength": 1,
            "maxLength": STATION_MAX_LENGTH,
            "pattern": STATION_PATTERN,
            "description": "the door or room, e.g. Door A: at least one character that is "
            "neither white space nor a control (runs of those are recorded as one space)",
        },
        "session_id": {
            "type": ["integer", "null"],
            "description": "room check-in: an agenda session of this event (its id from the "
            "offline data's sessions); the check-in is then once per session instead of once "
            "per day. A session of another event, none, or a break is refused as "
            "unknown_session; a session on another event-local day than the scan's (scanned_at, "
            "else now) as session_not_today.",
        },
        "client_ref": {
            "type": ["string", "null"],
            "pattern": CLIENT_REF_PATTERN,
            "description": "the scan's own reference, e.g. a UUID: 8 to 64 letters, digits or "
            "hyphens",
        },
        "scanned_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "when an offline scan was made (RFC 3339, with its zone); absent: "
            "now. Refused (422) when ahead of the server's clock by more than 5 minutes "
            "(scan_in_future), older than SCAN_MAX_AGE_HOURS, 12 by default (scan_too_old), or "
            "not on one of the event's days, event-local (scan_outside_event: this holds for a "
            "scan without scanned_at too).",
        },
    },
}

SCAN_REFUSALS = {
    "invalid": "the badge is not one of this event's (or not a badge at all)",
    "revoked": "a newer badge replaced this one, or the registration was cancelled",
    "wrong_event": "a badge of another event",
    "not_approved": "the registration is not approved (yet)",
    "not_signed_up": "a room check-in into a session that admits only delegates who signed "
    "up for it, and this one did not (the message names the session)",
    "unknown_session": "session_id is not a session of this event that takes room check-ins "
    "(none, another event's, or a break)",
    "session_not_today": "the session starts on another event-local day than the scan was "
    "made (the message names its day)",
    "scan_in_future": "scanned_at is ahead of the server's clock: the scanner's clock is wrong",
    "scan_too_old": "scanned_at is older than SCAN_MAX_AGE_HOURS: nothing is recorded; if the "
    "person is there, scan again",
    "scan_outside_event": "the scan's time (scanned_at, else now) is not on one of the event's "
    "days, event-local",
}

SCAN_ANSWER = {
    "type": "object",
    "required": ["result", "message"],
    "properties": {
        "result": {
            "enum": [
                "ok",
                "already_checked_in",
                *SCAN_REFUSALS,
                "client_ref_conflict",
            ],
            "description": "ok (201), already_checked_in (200); refusals (422): "
            + "; ".join(f"{code}: {meaning}" for code, meaning in SCAN_REFUSALS.items())
            + "; client_ref_conflict (409): the client_ref was sent before with another scan. "
            "A malformed request (400) answers invalid.",
        },
        "code": {
            "type": "string",
            "description": "on every answer that is not a check-in: the refusal's code (as "
            "result), client_ref_conflict, or invalid_request for a malformed request (400)",
        },
        "message": {"type": "string"},
        "registration": {"oneOf": [{"$ref": "#/components/schemas/Person"}, {"type": "null"}]},
        "checked_in_at": {"type": "string", "format": "date-time"},
        "first_checked_in_at": {"type": "string", "format": "date-time"},
        "station": {"type": "string"},
    },
}


CHECKIN_SESSION = {
    "type": "object",
    "description": "A session of the published agenda starting today (event-local) that "
    "takes room check-ins (no breaks)",
    "required": ["id", "title", "room", "starts_at", "ends_at", "capacity", "signed_up_only"],
    "properties": {
        "id": {"type": "integer", "description": "send it as session_id"},
        "title": {"type": "string"},
        "kind": {"type": "string"},
        "room": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "time": {"type": "string", "description": "event-local, e.g. 09:00–10:30"},
        "capacity": {"type": ["integer", "null"], "description": "the session's or its room's"},
        "signed_up_only": {
            "type": "boolean",
            "description": "only delegates who signed up may enter (else not_signed_up)",
        },
        "signed_up": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "confirmed registrations that may enter: signed up, chairing or "
            "presenting (only when signed_up_only)",
        },
    },
}

_ROW = {"type": "array", "items": {"type": ["integer", "string", "null"]}}
CHECKIN_OFFLINE = {
    "type": "object",
    "description": "The whole list (kind full) or what changed since a cursor (kind delta). "
    "Registrations are rows of `fields`, in that order; categories, delegations, keys and "
    "today's sessions come whole with every answer. A device applies a delta to its copy: "
    "rows replace those of the same id; check-ins of another day than its copy's are "
    "dropped first; check-ins whose id is in `undone` are removed.",
    "required": [
        "format",
        "kind",
        "cursor",
        "day",
        "event_id",
        "event",
        "timezone",
        "keys",
        "categories",
        "delegations",
        "sessions",
        "fields",
        "registrations",
        "countries",
        "checked_in_today",
        "room_check_ins",
    ],
    "properties": {
        "format": {"const": 2},
        "kind": {"enum": ["full", "delta"]},
        "cursor": {
            "type": "string",
            "pattern": "^[0-9]+(-[0-9]+)*$",
            "description": "send it back as `since` for what changes after this answer",
        },
        "since": {"type": "string", "description": "delta only: the cursor it follows"},
        "day": {"type": "string", "format": "date", "description": "event-local today"},
        "generated_at": {"type": "string", "format": "date-time"},
        "event_id": {"type": "integer"},
        "event": {"type": "string"},
        "timezone": {"type": "string"},
        "keys": {"type": "array", "items": {"type": "object"}},
        "categories": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "colour", "warning"],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "colour": {"type": "string"},
                    "warning": {"type": "string"},
                },
            },
        },
        "delegations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
        },
        "sessions": {"type": "array", "items": {"$ref": "#/components/schemas/CheckinSession"}},
        "fields": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the columns of each registration row: id, title, given_name, "
            "family_name (empty for a person with one name only), native_name, badge_name, "
            "category_id, delegation_id, country, organisation, status, reissue, name_order "
            "(given_first or family_first: the order of the given and family names)",
        },
        "registrations": {"type": "array", "items": _ROW},
        "countries": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "country code -> name, for the rows' countries",
        },
        "checked_in_today": {
            "type": "array",
            "description": "[registration_id, checked_in_at, station, check_in_id] of "
            "today's entrance check-ins",
            "items": {
                "type": "array",
                "prefixItems": [
                    {"type": "integer"},
                    {"type": "string", "format": "date-time"},
                    {"type": "string"},
                    {"type": "integer"},
                ],
                "minItems": 4,
                "maxItems": 4,
            },
        },
        "room_check_ins": {
            "type": "array",
            "description": "[session_id, registration_id, check_in_id] for today's sessions",
            "items": {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3},
        },
        "undone": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "delta only: ids of check-ins taken away since",
        },
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


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query_param(name: str, kind: str | dict, description: str = "") -> dict:
    schema = {"type": kind} if isinstance(kind, str) else kind
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        param["description"] = description
    return param


# Answered by the web server in front of the app (nginx, or gunicorn straight), never by
# the app: a request line longer than 8 KiB (docs/deployment.md, --limit-request-line).
URI_TOO_LONG = {
    "description": "The URL is longer than the server accepts (8 KiB); answered by the web "
    "server in front of the app, as a short HTML page",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


# Answered by the app before any route (conference/web.py): a parameter's name with a NUL.
NULL_IN_NAME = "A null character in a parameter's name"


def _refuses_null_names(responses: dict) -> None:
    """Every operation answers 400 with the Error shape for a NUL in a parameter's name;
    where its own 400 has another body, that one or the Error shape."""
    error = {"$ref": "#/components/schemas/Error"}
    answer = responses.get("400")
    if answer is None:
        responses["400"] = _error(NULL_IN_NAME)
        return
    answer["description"] += "; or a null character in a parameter's name"
    schema = answer["content"]["application/json"]["schema"]
    if schema != error:
        answer["content"]["application/json"]["schema"] = {"anyOf": [schema, error]}


def openapi_document() -> dict:
    """The whole document, built fresh (it is small)."""
    document = _operations()
    for operations in document["paths"].values():
        for operation in operations.values():
            _refuses_null_names(operation["responses"])
            operation["responses"].setdefault("414", URI_TOO_LONG)
    return document


def _operations() -> dict:
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
            "schemas": {
                "Error": ERROR,
                "Event": EVENT,
                "Job": JOB,
                "Category": CATEGORY,
                "Question": QUESTION,
                "NewRegistration": NEW_REGISTRATION,
                "Registration": REGISTRATION,
                "RegistrationReceived": REGISTRATION_RECEIVED,
                "ValidationErrors": VALIDATION_ERRORS,
                "Person": PERSON,
                "Scan": SCAN,
                "ScanAnswer": SCAN_ANSWER,
                "CheckinSession": CHECKIN_SESSION,
                "CheckinOffline": CHECKIN_OFFLINE,
            },
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
            "/events/{slug}/registrations": {
                "post": {
                    "summary": "Register (public; the same rules and the same neutral answer "
                    "as the form)",
                    "security": [],
                    "parameters": [slug],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewRegistration"}
                            }
                        },
                    },
                    "responses": {
                        "202": _ok(
                            "Received: registered (confirmed, pending approval or waitlisted), "
                            "or the address was registered already; an e-mail says which",
                            {"$ref": "#/components/schemas/RegistrationReceived"},
                        ),
                        "400": _ok(
                            "Not a JSON object, not valid JSON, NaN or Infinity in it, or "
                            "nested more than 32 levels deep",
                            {"$ref": "#/components/schemas/ValidationErrors"},
                        ),
                        "404": _error("No such event"),
                        "422": _ok(
                            "Problems, field by field (nothing was stored)",
                            {"$ref": "#/components/schemas/ValidationErrors"},
                        ),
                        "429": _error("Too many registrations from this address; wait"),
                    },
                },
                "get": {
                    "summary": "Registrations of the event (organisers)",
                    "parameters": [
                        slug,
                        _query_param("page", "integer", "beyond the last: the last"),
                        _query_param("per_page", "integer", "1 to 200 (more: 200)"),
                        _query_param(
                            "after",
                            {"type": "integer", "minimum": 0},
                            "the registrations whose ids follow this one (the last id seen); "
                            "not with page. The answer's next link carries it",
                        ),
                        _query_param("status", "string"),
                        _query_param("category_id", ID),
                        _query_param("country", "string"),
                        _query_param("delegation_id", ID),
                        _query_param("q", "string", "name, e-mail or organisation, any script"),
                    ],
                    "responses": {
                        "200": _ok(
                            "One page, in the order of ids. page, pages and total answer a "
                            "page number (or none), not after",
                            {
                                "type": "object",
                                "required": ["items", "per_page", "next"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Registration"},
                                    },
                                    "page": {"type": "integer"},
                                    "pages": {"type": "integer"},
                                    "per_page": {"type": "integer"},
                                    "total": {"type": "integer"},
                                    "next": {
                                        "type": ["string", "null"],
                                        "description": "the next page's path and query (after "
                                        "the last id here, the same filters), null at the end",
                                    },
                                },
                            },
                        ),
                        "400": _error(
                            "A query parameter is not what it should be (e.g. category_id "
                            "not a whole number from 1 to 2147483647, after negative, page "
                            "and after together)"
                        ),
                        "401": _error("No valid token"),
                        "403": _error("Not an organiser of this event"),
                        "404": _error("No such event"),
                    },
                },
            },
            "/events/{slug}/registrations/{id}": {
                "get": {
                    "summary": "One registration (organisers)",
                    "parameters": [slug, _id_param("id")],
                    "responses": {
                        "200": _ok(
                            "The registration", {"$ref": "#/components/schemas/Registration"}
                        ),
                        "401": _error("No valid token"),
                        "403": _error("Not an organiser of this event"),
                        "404": _error("No such event or registration"),
                    },
                }
            },
            "/events/{slug}/checkins": {
                "post": {
                    "summary": "Check a badge in (check-in staff or organisers)",
                    "parameters": [slug],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Scan"}}
                        },
                    },
                    "responses": {
                        "201": _ok(
                            "Checked in (green)", {"$ref": "#/components/schemas/ScanAnswer"}
                        ),
                        "200": _ok(
                            "Already checked in: first time and station (amber)",
                            {"$ref": "#/components/schemas/ScanAnswer"},
                        ),
                        "422": _ok(
                            "Refused, with the reason in result and code (red): the badge "
                            "(invalid, revoked, wrong_event, not_approved), the room "
                            "(not_signed_up, unknown_session, session_not_today) or the scan's "
                            "time (scan_in_future, scan_too_old, scan_outside_event: nothing "
                            "is recorded)",
                            {"$ref": "#/components/schemas/ScanAnswer"},
                        ),
                        "409": _ok(
                            "client_ref_conflict: this client_ref was sent before, from this "
                            "station, with another scan; nothing is recorded",
                            {"$ref": "#/components/schemas/ScanAnswer"},
                        ),
                        "400": _ok(
                            "Malformed request (code invalid_request); nothing is recorded",
                            {"$ref": "#/components/schemas/ScanAnswer"},
                        ),
                        "401": _error("No valid token"),
                        "403": _error("No check-in role at this event"),
                        "404": _error("No such event, or no such registration_id"),
                    },
                }
            },
            "/events/{slug}/checkin/offline": {
                "get": {
                    "summary": "What a scanner keeps to work offline: keys, people, arrivals, "
                    "today's sessions for room check-in; the whole list, or what changed "
                    "since a cursor",
                    "description": "Without `since`: the whole list, prepared beforehand (it "
                    "may be a minute old: ask for the changes since its cursor next), gzip'd "
                    "for clients that accept it, with an ETag. With `since`: what changed "
                    "after that cursor (or the whole list, kind full, when the cursor is not "
                    "this server's or the whole list is the shorter answer).",
                    "parameters": [
                        slug,
                        _query_param(
                            "since",
                            {"type": "string", "pattern": "^[0-9]{1,19}(-[0-9]{1,19})*$"},
                            "the cursor of an earlier answer",
                        ),
                    ],
                    "responses": {
                        "200": _ok("The data", {"$ref": "#/components/schemas/CheckinOffline"}),
                        "304": {"description": "Not modified since the ETag sent (If-None-Match)"},
                        "400": _error("since is not a cursor"),
                        "401": _error("No valid token"),
                        "403": _error("No check-in role at this event"),
                        "404": _error("No such event"),
                    },
                }
            },
            "/events/{slug}/checkin/search": {
                "get": {
                    "summary": "People by name, any script, for a forgotten badge",
                    "parameters": [slug, _query_param("q", "string")],
                    "responses": {
                        "200": _ok(
                            "At most 20 people",
                            {
                                "type": "object",
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Person"},
                                    }
                                },
                            },
                        ),
                        "401": _error("No valid token"),
                        "403": _error("No check-in role at this event"),
                        "404": _error("No such event"),
                    },
                }
            },
            "/events/{slug}/agenda": {
                "get": {
                    "summary": "The published agenda: sessions with their talks and people",
                    "security": [],
                    "parameters": [slug],
                    "responses": {
                        "200": _ok("The latest published version", {"type": "object"}),
                        "404": _error("No such event, or not published yet"),
                    },
                }
            },
            "/events/{slug}/badge-keys": {
                "get": {
                    "summary": "Public keys that verify the event's badge tokens (for scanners)",
                    "security": [],
                    "parameters": [slug],
                    "responses": {
                        "200": _ok(
                            "Keys, newest first; revoked ones say since when",
                            {
                                "type": "object",
                                "required": ["event", "event_id", "keys"],
                                "properties": {
                                    "event": {"type": "string"},
                                    "event_id": {"type": "integer"},
                                    "keys": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["key_id", "algorithm", "public_key"],
                                            "properties": {
                                                "key_id": {"type": "integer"},
                                                "algorithm": {"const": "Ed25519"},
                                                "public_key": {
                                                    "type": "string",
                                                    "description": "32 raw bytes, base64url",
                                                },
                                                "created_at": {"type": "string"},
                                                "revoked_at": {"type": ["string", "null"]},
                                            },
                                        },
                                    },
                                },
                            },
                        ),
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
