"""The OpenAPI document and the API agree: every route is described, every answer documented.

Every answer a test gets is checked by the test client (tests/api/contract.py); these tests
make sure each operation's answers are met at least once. In-process and fast; `.ci/fuzz`
runs Schemathesis against a real server for the rest.
"""

import json
import re

import pytest
from flask import Response

from conference.ids import MAX_ID
from tests.api.contract import PREFIX, check_answer
from tests.api.contract import shape as _shape
from tests.factories import (
    bearer,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_user,
    registration_json,
)


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
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    registration = make_registration(event, category)
    staff = make_user()
    give_role(event, staff, "checkin")
    as_organiser, as_staff = bearer(organiser), bearer(staff)
    nobody, bad_token = {}, {"Authorization": "Bearer cft_nope"}
    slug = event.slug
    cases = [
        ("get", "/me", nobody, None, 401),
        ("get", "/me", as_staff, None, 200),
        ("get", "/events", nobody, None, 200),
        ("get", f"/events/{slug}", nobody, None, 200),
        ("get", f"/events/{slug}", bad_token, None, 401),
        ("get", "/events/nope", nobody, None, 404),
        ("post", f"/events/{slug}/registrations", nobody, registration_json(category), 202),
        (
            "post",
            f"/events/{slug}/registrations",
            nobody,
            registration_json(category, category_id=str(category.id)),
            422,
        ),
        (
            "post",
            f"/events/{slug}/registrations",
            nobody,
            registration_json(category, delegation_id=2**63),
            422,
        ),
        ("post", f"/events/{slug}/registrations", nobody, [1], 400),
        ("post", "/events/nope/registrations", nobody, registration_json(category), 404),
        ("get", f"/events/{slug}/registrations", as_organiser, None, 200),
        ("get", f"/events/{slug}/registrations", nobody, None, 401),
        ("get", f"/events/{slug}/registrations", as_staff, None, 403),
        ("get", "/events/nope/registrations", as_organiser, None, 404),
        ("get", f"/events/{slug}/registrations?category_id={2**63}", as_organiser, None, 400),
        ("get", f"/events/{slug}/registrations?page=x", as_organiser, None, 400),
        ("get", f"/events/{slug}/registrations?after=0&per_page=1", as_organiser, None, 200),
        ("get", f"/events/{slug}/registrations?after={2**64}", as_organiser, None, 200),
        ("get", f"/events/{slug}/registrations?after=-1", as_organiser, None, 400),
        ("get", f"/events/{slug}/registrations?after=1.5", as_organiser, None, 400),
        ("get", f"/events/{slug}/registrations?after=", as_organiser, None, 400),
        ("get", f"/events/{slug}/registrations?after=1&page=2", as_organiser, None, 400),
        ("get", f"/events/{slug}/registrations/{registration.id}", as_organiser, None, 200),
        ("get", f"/events/{slug}/registrations/{2**63}", as_organiser, None, 404),
        ("get", f"/events/{slug}/registrations/{registration.id}", as_staff, None, 403),
        ("post", f"/events/{slug}/checkins", nobody, {"station": "Door A"}, 401),
        ("post", "/events/nope/checkins", as_staff, {"station": "Door A"}, 404),
        ("get", f"/events/{slug}/checkin/offline", as_staff, None, 200),
        ("get", "/events/nope/checkin/offline", as_staff, None, 404),
        ("get", f"/events/{slug}/checkin/search?q=a", as_staff, None, 200),
        ("get", f"/events/{slug}/checkin/search?q%00=a", as_staff, None, 400),
        ("get", "/events/nope/checkin/search?q=a", as_staff, None, 404),
        ("get", f"/events/{slug}/agenda", nobody, None, 404),
        ("get", f"/events/{slug}/badge-keys", nobody, None, 200),
        ("get", "/events/nope/badge-keys", nobody, None, 404),
        ("get", "/jobs/nope", as_staff, None, 404),
        ("get", "/jobs/nope", nobody, None, 401),
    ]
    for method, url, headers, payload, status in cases:
        response = client.open(PREFIX + url, method=method, headers=headers, json=payload)
        assert response.status_code == status, (method, url, response.status_code)


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("get", "/events", None),
        ("post", "/events/{slug}/registrations", {}),
        ("post", "/events/{slug}/checkins", {"station": "Door A"}),
        ("get", "/events/{slug}/checkin/search", None),
    ],
)
def test_a_null_character_in_a_parameters_name_is_a_documented_400(
    client, db, method, url, payload
):
    staff = make_user()
    event = make_event()
    give_role(event, staff, "checkin")
    url = PREFIX + url.format(slug=event.slug) + "?q%00=1"
    response = client.open(url, method=method, headers=bearer(staff), json=payload)
    assert response.status_code == 400
    assert response.get_json()["status"] == 400  # the Error shape, which the document allows


def test_the_client_refuses_an_answer_the_document_does_not_describe(app, client):
    answer = client.get(f"{PREFIX}/events")
    for status, data in ((418, {"events": []}), (200, {"events": [{"slug": 1}]})):
        wrong = Response(json.dumps(data), status=status, mimetype="application/json")
        with pytest.raises(AssertionError):
            check_answer(app, answer.request, wrong)


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
            assert response.get_json()["status"] == 405  # and the Error shape (the client checks)


def test_every_operation_documents_the_servers_uri_too_long(client):
    # gunicorn and nginx answer 414 (as HTML) before the app sees an over-long URL; a
    # client reading the document must not meet an answer it does not describe.
    document = client.get(f"{PREFIX}/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answer = operation["responses"].get("414")
            assert answer, f"{method.upper()} {path} does not document 414"
            assert "text/html" in answer["content"]
