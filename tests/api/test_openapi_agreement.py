"""The OpenAPI document and the API agree: every route is described, every answer documented.

In-process and fast; `.ci/fuzz` runs Schemathesis against a real server for the rest.
"""

import re

from jsonschema import Draft202012Validator

from conference.agenda.ids import MAX_ID
from tests.api.test_api import bearer
from tests.api.test_registrations_api import body
from tests.factories import give_role, make_category, make_event, make_registration, make_user

PREFIX = "/api/v1"


def _shape(path: str) -> str:
    """A path with its parameters blanked: /events/<slug> and /events/{slug} alike."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def _api_routes(app) -> dict[str, tuple[set[str], list[str]]]:
    """The API's URL rules (but the document's own): shape -> (methods, converter names)."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/") and rule.endpoint != "api.openapi":
            shape = _shape(rule.rule.removeprefix(PREFIX))
            methods = routes.get(shape, (set(),))[0]
            methods |= {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
            routes[shape] = (methods, re.findall(r"<(?:(\w+):)?\w+>", rule.rule))
    return routes


def assert_documented(document, path: str, method: str, response) -> None:
    """The response's status is documented for the operation, and its body fits the schema."""
    operation = document["paths"][path][method]
    status = str(response.status_code)
    where = f"{method.upper()} {path} answered {status}"
    assert status in operation["responses"], f"{where}, which is not documented"
    content = operation["responses"][status].get("content", {})
    assert response.mimetype in content, f"{where} as {response.mimetype}, not documented"
    schema = {"components": document["components"], "allOf": [content[response.mimetype]["schema"]]}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(response.get_json())]
    assert not errors, f"{where} with a body unlike its schema: {errors}"


def test_every_api_route_is_documented_with_its_methods_and_id_bounds(app, client):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    routes = _api_routes(app)
    paths = {_shape(path): path for path in document["paths"]}
    assert set(routes) == set(paths)
    for shape, (methods, converters) in routes.items():
        operations = document["paths"][paths[shape]]
        assert set(operations) == methods, shape
        id_params = [name for name in converters if name == "int"]
        for operation in operations.values():
            in_path = [p for p in operation.get("parameters", []) if p["in"] == "path"]
            assert len(in_path) == len(converters), shape
            integers = [p for p in in_path if p["schema"].get("type") == "integer"]
            assert len(integers) == len(id_params), shape
            for param in integers:
                assert (param["schema"]["minimum"], param["schema"]["maximum"]) == (1, MAX_ID)


def test_answers_are_documented_with_their_status_and_shape(client, db):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    registration = make_registration(event, category)
    staff = make_user()
    give_role(event, staff, "checkin")
    as_organiser, as_staff = bearer(db, organiser), bearer(db, staff)
    nobody, bad_token = {}, {"Authorization": "Bearer cft_nope"}
    slug = event.slug
    cases = [
        ("get", "/me", "/me", nobody, None, 401),
        ("get", "/me", "/me", as_staff, None, 200),
        ("get", "/events", "/events", nobody, None, 200),
        ("get", "/events/{slug}", f"/events/{slug}", nobody, None, 200),
        ("get", "/events/{slug}", f"/events/{slug}", bad_token, None, 401),
        ("get", "/events/{slug}", "/events/nope", nobody, None, 404),
        (
            "post",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations",
            nobody,
            body(category),
            202,
        ),
        (
            "post",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations",
            nobody,
            body(category, category_id=str(category.id)),
            422,
        ),
        (
            "post",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations",
            nobody,
            body(category, delegation_id=2**63),
            422,
        ),
        ("post", "/events/{slug}/registrations", f"/events/{slug}/registrations", nobody, [1], 400),
        (
            "post",
            "/events/{slug}/registrations",
            "/events/nope/registrations",
            nobody,
            body(category),
            404,
        ),
        (
            "get",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations",
            as_organiser,
            None,
            200,
        ),
        ("get", "/events/{slug}/registrations", f"/events/{slug}/registrations", nobody, None, 401),
        (
            "get",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations",
            as_staff,
            None,
            403,
        ),
        (
            "get",
            "/events/{slug}/registrations",
            "/events/nope/registrations",
            as_organiser,
            None,
            404,
        ),
        (
            "get",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations?category_id={2**63}",
            as_organiser,
            None,
            400,
        ),
        (
            "get",
            "/events/{slug}/registrations",
            f"/events/{slug}/registrations?page=x",
            as_organiser,
            None,
            400,
        ),
        (
            "get",
            "/events/{slug}/registrations/{id}",
            f"/events/{slug}/registrations/{registration.id}",
            as_organiser,
            None,
            200,
        ),
        (
            "get",
            "/events/{slug}/registrations/{id}",
            f"/events/{slug}/registrations/{2**63}",
            as_organiser,
            None,
            404,
        ),
        (
            "get",
            "/events/{slug}/registrations/{id}",
            f"/events/{slug}/registrations/{registration.id}",
            as_staff,
            None,
            403,
        ),
        (
            "post",
            "/events/{slug}/checkins",
            f"/events/{slug}/checkins",
            nobody,
            {"station": "Door A"},
            401,
        ),
        (
            "post",
            "/events/{slug}/checkins",
            "/events/nope/checkins",
            as_staff,
            {"station": "Door A"},
            404,
        ),
        (
            "get",
            "/events/{slug}/checkin/offline",
            f"/events/{slug}/checkin/offline",
            as_staff,
            None,
            200,
        ),
        (
            "get",
            "/events/{slug}/checkin/offline",
            "/events/nope/checkin/offline",
            as_staff,
            None,
            404,
        ),
        (
            "get",
            "/events/{slug}/checkin/search",
            f"/events/{slug}/checkin/search?q=a",
            as_staff,
            None,
            200,
        ),
        (
            "get",
            "/events/{slug}/checkin/search",
            f"/events/{slug}/checkin/search?q%00=a",
            as_staff,
            None,
            400,
        ),
        (
            "get",
            "/events/{slug}/checkin/search",
            "/events/nope/checkin/search?q=a",
            as_staff,
            None,
            404,
        ),
        ("get", "/events/{slug}/agenda", f"/events/{slug}/agenda", nobody, None, 404),
        ("get", "/events/{slug}/badge-keys", f"/events/{slug}/badge-keys", nobody, None, 200),
        ("get", "/events/{slug}/badge-keys", "/events/nope/badge-keys", nobody, None, 404),
        ("get", "/jobs/{job_id}", "/jobs/nope", as_staff, None, 404),
        ("get", "/jobs/{job_id}", "/jobs/nope", nobody, None, 401),
    ]
    for method, path, url, headers, payload, status in cases:
        response = client.open(PREFIX + url, method=method, headers=headers, json=payload)
        assert response.status_code == status, (method, url, response.status_code)
        assert_documented(document, path, method, response)


def test_an_undocumented_method_is_405_with_allow_and_the_error_shape(client, db):
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    event = make_event()
    for path, operations in document["paths"].items():
        url = PREFIX + path.replace("{slug}", event.slug).replace("{id}", "1")
        for method in {"get", "post", "put", "patch", "delete"} - set(operations):
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, path)
            allowed = {m.lower() for m in response.headers["Allow"].split(", ")}
            assert allowed - {"head", "options"} == set(operations), path
            error = {"components": document["components"], "$ref": "#/components/schemas/Error"}
            Draft202012Validator(error).validate(response.get_json())


def test_every_operation_documents_the_servers_uri_too_long(client):
    # gunicorn and nginx answer 414 (as HTML) before the app sees an over-long URL; a
    # client reading the document must not meet an answer it does not describe.
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("414")
            assert answer, f"{method.upper()} {path} does not document 414"
            assert "text/html" in answer["content"]
