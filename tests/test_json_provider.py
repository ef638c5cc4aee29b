"""The app's one JSON provider: never emits NaN or Infinity, refuses them and deep nesting
in what it reads."""

import dataclasses
import json

import pytest

from conference.json_provider import MAX_DEPTH, JSONBodyError, StrictJSONProvider


@pytest.fixture
def provider(app):
    assert isinstance(app.json, StrictJSONProvider)  # the app uses it
    return app.json


def strict_loads(text):
    """What a standards-following client reads: NaN and Infinity are not JSON."""

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_non_finite_floats_are_written_as_null(provider):
    value = {"a": float("nan"), "b": [1.5, float("inf"), {"c": float("-inf")}], "d": (2.0,)}
    out = provider.dumps(value)
    assert strict_loads(out) == {"a": None, "b": [1.5, None, {"c": None}], "d": [2.0]}


def test_non_finite_floats_inside_dataclasses_are_written_as_null(provider):
    @dataclasses.dataclass
    class Point:
        x: float
        y: float

    assert strict_loads(provider.dumps({"p": Point(1.0, float("nan"))})) == {
        "p": {"x": 1.0, "y": None}
    }


def test_responses_and_templates_use_the_provider(app):
    from flask import jsonify, render_template_string

    with app.test_request_context():
        response = jsonify({"score": float("nan")})
        assert strict_loads(response.get_data(as_text=True)) == {"score": None}
        assert render_template_string("{{ v|tojson }}", v=[float("inf")]) == "[null]"


def test_finite_data_is_written_as_flask_always_did(provider):
    value = {"b": 1, "a": [1.5, "Chiến", None, True], "big": 10**18}
    assert provider.dumps(value) == json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_a_body_are_refused(provider, constant):
    with pytest.raises(JSONBodyError, match="not a JSON number"):
        provider.loads(f'{{"answers": {{"1": {constant}}}}}')


def test_deep_nesting_is_refused_without_exhausting_the_stack(provider):
    with pytest.raises(JSONBodyError, match=f"nested more than {MAX_DEPTH} levels"):
        provider.loads("[" * 100_000 + "]" * 100_000)
    with pytest.raises(JSONBodyError, match="nested more than"):
        provider.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(JSONBodyError, match="nested more than"):
        provider.loads('{"a":' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1))


def test_nesting_up_to_the_bound_is_read(provider):
    text = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    value = provider.loads(text)
    for _ in range(MAX_DEPTH):
        (value,) = value
    assert value == 1
    assert provider.loads(b'{"a": [1, {"b": "c"}], "n": 1.5}') == {"a": [1, {"b": "c"}], "n": 1.5}


def test_a_refusal_is_a_value_error_as_json_errors_are(provider):
    # Request.get_json(silent=True) and Flask-WTF turn ValueErrors into None or a 400.
    assert issubclass(JSONBodyError, ValueError)
    with pytest.raises(ValueError):
        provider.loads("not json")


def test_a_deeply_nested_body_sent_to_a_form_page_is_a_400(client):
    # Flask-WTF reads a JSON body as the form's data.
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post("/login", data=deep, content_type="application/json")
    assert response.status_code == 400
