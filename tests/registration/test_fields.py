"""The registration field list and what is derived from it agree: validation, the form,
the export, the API's JSON and the OpenAPI document."""

from dataclasses import fields as dataclass_fields

from conference.api.openapi import NEW_REGISTRATION, PERSON, REGISTRATION
from conference.api.serialisers import MADE_VALUES, registration_json
from conference.checkin.services import registration_summary
from conference.registration import fields
from conference.registration.exports import BASE_COLUMNS, MADE_CELLS, export_rows
from conference.registration.forms import PersonFields, RegistrationForm
from conference.registration.models import Registration, VisaDetails
from conference.registration.validation import LIMITS, RegistrationData
from tests.factories import make_category, make_event, make_registration

TEXT_INPUTS = [f for f in (*fields.FIELDS, *fields.PASSPORT) if f.max_length and f.kind != "title"]


def _column_length(model, name):
    return model.__table__.columns[name].type.length


def test_stored_fields_are_the_models_and_the_validations():
    names = {f.name for f in dataclass_fields(RegistrationData)}
    for field in fields.FIELDS:
        if field.given:
            assert field.name in names, field.name
        if field.stored and field.given:
            assert hasattr(Registration, field.name), field.name
    for field in fields.PASSPORT:
        assert hasattr(VisaDetails, field.name), field.name


def test_validation_limits_are_the_lists_and_fit_the_columns():
    assert LIMITS == {f.name: f.max_length for f in fields.FIELDS if f.kind in ("text", "title")}
    for name, limit in LIMITS.items():
        if fields.BY_NAME[name].stored:
            assert _column_length(Registration, name) == limit, name
    assert _column_length(Registration, "email") == fields.BY_NAME["email"].max_length
    passport_name = fields.PASSPORT_BY_NAME["passport_name"]
    assert _column_length(VisaDetails, "passport_name") == passport_name.max_length


def test_the_forms_text_inputs_have_the_lists_labels_and_lengths():
    for field in (*fields.FIELDS, *fields.PASSPORT):
        if field.kind != "made":
            assert getattr(RegistrationForm, field.name).args[0] == field.label, field.name
    for field in TEXT_INPUTS:
        render_kw = getattr(RegistrationForm, field.name).kwargs["render_kw"]
        assert render_kw["maxlength"] == field.max_length, field.name
    assert not hasattr(PersonFields, "privacy_accepted")  # the delegate's own form only


def test_export_columns_are_the_exported_fields_in_order():
    assert list(BASE_COLUMNS) == [f.name for f in fields.FIELDS if f.exported]
    made = {f.name for f in fields.FIELDS if f.exported and f.kind == "made"}
    plain_made = {"id", "status", "language"}  # attributes of the registration as they are
    not_stored = {f.name for f in fields.FIELDS if f.exported and not f.stored}  # single_name
    assert set(MADE_CELLS) == (made - plain_made) | not_stored
    # An import reads the same headers: every required field is a column.
    assert set(fields.REQUIRED_FIELDS) <= set(BASE_COLUMNS)


def test_the_openapi_schemas_are_the_lists():
    in_api = {f.name for f in fields.FIELDS if f.in_api}
    assert set(REGISTRATION["required"]) == in_api
    assert set(REGISTRATION["properties"]) == in_api | {"badge_token", "badge_printed_count"}
    new = NEW_REGISTRATION["properties"]
    for field in fields.FIELDS:
        if field.given:
            assert field.name in new, field.name
            if field.name in LIMITS and field.kind == "text":
                assert new[field.name]["maxLength"] == LIMITS[field.name], field.name
    assert set(NEW_REGISTRATION["required"]) == {
        "category_id",
        *(f.name for f in fields.FIELDS if f.given and f.required and not f.required_unless),
    }
    # The family name may be left out by a person with one name only.
    assert "family_name" not in NEW_REGISTRATION["required"]
    assert "minLength" not in new["family_name"]
    assert new["name_order"]["enum"] == ["given_first", "family_first"]
    assert set(new["passport"]["properties"]) == set(fields.PASSPORT_FIELDS)
    assert {f.name for f in fields.FIELDS if f.at_door} <= set(PERSON["properties"])


def test_the_api_and_the_export_answer_what_the_list_says(db):
    event = make_event()
    registration = make_registration(event, make_category(event, "Delegate"))
    body = registration_json(registration)
    assert set(body) == {f.name for f in fields.FIELDS if f.in_api}
    assert set(MADE_VALUES) <= set(body)
    assert set(registration_summary(registration)) == set(PERSON["properties"])
    header, row = list(export_rows(event, []))
    assert header == list(BASE_COLUMNS)
    assert row[header.index("given_name")] == registration.given_name
    assert row[header.index("list_consent")] in ("yes", "no")
