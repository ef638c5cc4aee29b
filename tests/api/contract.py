"""The API's contract: every /api/v1 answer a test receives is one the OpenAPI document describes.

``tests/conftest.py``'s test client calls ``check_answer`` on every response, so each test
that calls the API checks the document too, without code of its own.
"""

import gzip
import json
import re
from functools import cache

from jsonschema import Draft202012Validator
from werkzeug.exceptions import MethodNotAllowed, NotFound

from conference.api.openapi import openapi_document

PREFIX = "/api/v1"
DOCUMENT_URL = f"{PREFIX}/openapi.json"


def shape(path: str) -> str:
    """A path with its parameters blanked: /events/<slug> and /events/{slug} alike."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


@cache
def document() -> dict:
    """The document, built once per test run (it depends on no configuration)."""
    return openapi_document()


@cache
def _paths_by_shape() -> dict[str, str]:
    return {shape(path): path for path in document()["paths"]}


@cache
def _validator(path: str | None, method: str, status: str, mimetype: str):
    """A validator of the body the document gives for this answer (the Error shape for an
    answer of no operation: an unknown path or method); AssertionError if it gives none."""
    if path is None:
        schema = {"$ref": "#/components/schemas/Error"}
        where = f"{method.upper()} answered {status} outside the document's operations"
    else:
        operation = document()["paths"][path][method]
        where = f"{method.upper()} {path} answered {status}"
        assert status in operation["responses"], f"{where}, which is not documented"
        content = operation["responses"][status].get("content", {})
        assert mimetype in content, f"{where} as {mimetype}, not documented"
        schema = content[mimetype]["schema"]
    return where, Draft202012Validator(
        {"components": document()["components"], "allOf": [schema]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def documented_path(app, request) -> tuple[str | None, str]:
    """The document's path and the method of an API request; None for a path or method
    the API does not have."""
    method = request.method.lower()
    adapter = app.url_map.bind_to_environ(request.environ)
    try:
        rule, _ = adapter.match(request.path, method=request.method, return_rule=True)
    except (MethodNotAllowed, NotFound):
        return None, method
    documented = _paths_by_shape().get(shape(rule.rule.removeprefix(PREFIX)))
    assert documented, f"{rule.rule} is not in the document"
    return documented, method


def check_answer(app, request, response) -> None:
    """Assert the answer's status is documented for its operation and its body fits."""
    if not request.path.startswith(PREFIX + "/") or request.path == DOCUMENT_URL:
        return
    if request.method in ("HEAD", "OPTIONS"):
        return
    path, method = documented_path(app, request)
    if response.status_code == 304:  # no body: only the status must be documented
        responses = document()["paths"][path][method]["responses"] if path else {}
        assert "304" in responses, f"{method.upper()} {path} answered 304, not documented"
        return
    where, validator = _validator(path, method, str(response.status_code), response.mimetype)
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    errors = [e.message for e in validator.iter_errors(data)]
    assert not errors, f"{where} with a body unlike its schema: {errors}"
