"""Ids beyond what the database's integer holds are refused as missing or invalid, never 500."""

import re

import pytest
from sqlalchemy import func, select

from conference.registration.links import manage_token
from conference.registration.models import Registration
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    bearer,
    make_category,
    make_event,
    make_organiser,
    make_registration,
    make_reviewer,
    make_user,
    open_call_setting,
    registration_json,
    stored_paper,
    submit_paper,
)

HUGE = [2**31, 2**63, 2**64 + 1]


def _int_rules(app):
    """Every URL rule with an ``<int:...>`` part, and its methods."""
    for rule in app.url_map.iter_rules():
        if re.search(r"<int:", rule.rule):
            yield rule, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_the_int_converter_refuses_ids_the_database_cannot_hold(app):
    adapter = app.url_map.bind("conference.test")
    assert adapter.match(f"/events/x/sessions/{2**31 - 1}")[1]["session_id"] == 2**31 - 1
    for value in HUGE:
        with pytest.raises(Exception) as caught:
            adapter.match(f"/events/x/sessions/{value}")
        assert getattr(caught.value, "code", None) == 404


@pytest.mark.parametrize("value", HUGE)
def test_every_route_with_an_id_answers_404_for_an_id_beyond_the_database(
    app, client, db, login, value
):
    admin = make_user(is_admin=True)
    event = make_event(admin)
    registration = make_registration(event, make_category(event))
    login(admin)
    values = {"slug": event.slug, "token": manage_token(registration), "action": "print"}
    rules = list(_int_rules(app))
    assert len(rules) > 30  # the walk sees the app's routes
    for rule, methods in rules:
        url = rule.rule
        for name in re.findall(r"<(?:\w+:)?(\w+)>", rule.rule):
            url = re.sub(rf"<(?:\w+:)?{name}>", str(values.get(name, value)), url)
        for method in methods:
            response = client.open(url, method=method, data={})
            assert response.status_code == 404, f"{method} {url}: {response.status_code}"


def test_api_registration_refuses_ids_beyond_the_database_with_422(client, db):
    event = make_event()
    category = make_category(event)
    url = f"/api/v1/events/{event.slug}/registrations"
    for field in ("category_id", "delegation_id"):
        for value in HUGE:
            response = client.post(url, json=registration_json(category, **{field: value}))
            assert response.status_code == 422, (field, value, response.status_code)
            assert response.get_json()["errors"][field] == [
                "Must be a whole number from 1 to 2147483647."
            ]
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_api_registration_takes_category_id_only_as_a_json_integer(client, db):
    event = make_event()
    category = make_category(event)
    url = f"/api/v1/events/{event.slug}/registrations"
    for value in (str(category.id), float(category.id), True, [category.id], 0, -1):
        response = client.post(url, json=registration_json(category, category_id=value))
        assert response.status_code == 422, value
        assert "whole number" in response.get_json()["errors"]["category_id"][0]
    assert client.post(url, json=registration_json(category)).status_code == 202


def test_api_registration_list_refuses_filter_ids_that_are_not_ids(client, db):
    organiser = make_user()
    event = make_event(organiser)
    headers = bearer(organiser)
    url = f"/api/v1/events/{event.slug}/registrations"
    for name in ("category_id", "delegation_id"):
        for value in (*HUGE, "abc", "1.5", "0", "-3"):
            response = client.get(url, query_string={name: str(value)}, headers=headers)
            assert response.status_code == 400, (name, value, response.status_code)
            assert response.get_json()["message"] == (
                f"{name} must be a whole number from 1 to 2147483647."
            )


def test_api_registration_list_takes_any_whole_page_number_and_refuses_others(client, db):
    organiser = make_user()
    event = make_event(organiser)
    headers = bearer(organiser)
    url = f"/api/v1/events/{event.slug}/registrations"
    for value in HUGE:
        page = client.get(url, query_string={"page": value, "per_page": value}, headers=headers)
        assert page.status_code == 200
        assert (page.get_json()["page"], page.get_json()["per_page"]) == (1, 200)
    for name in ("page", "per_page"):
        for value in ("abc", "1.5", "", "9" * 5000):
            response = client.get(url, query_string={name: value}, headers=headers)
            assert response.status_code == (200 if value in ("", "9" * 5000) else 400), value
        refused = client.get(url, query_string={name: "x"}, headers=headers)
        assert refused.get_json()["message"] == f"{name} must be a whole number."


def test_registration_form_with_ids_beyond_the_database_says_what_is_wrong(client, db):
    event = make_event()
    category = make_category(event)
    for field, value, message in (
        ("category_id", 2**63, "Choose how you take part."),
        ("delegation_id", 2**63, "Choose a delegation from the list."),
    ):
        form = {
            "category_id": str(category.id),
            "title": "Mr",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "ada@example.org",
            "country": "GB",
            "organisation": "Analytical Engines",
            "privacy_accepted": "y",
            "delegation_choice": "join",
            field: str(value),
        }
        response = client.post(f"/events/{event.slug}/register", data=form)
        assert response.status_code in (200, 422), (field, response.status_code)
        assert message in response.text, field
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_organiser_list_refuses_filters_beyond_the_database(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    for page in ("registrations/", "badges"):
        for name in ("category", "delegation"):
            response = client.get(f"/events/{event.slug}/{page}", query_string={name: 2**63})
            assert response.status_code == 400, (page, name)
            assert f"The {name} filter must be a whole number" in response.text


def test_moving_a_registration_to_a_category_beyond_the_database_is_refused(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    registration = make_registration(event, make_category(event))
    login(organiser)
    response = client.post(
        f"/events/{event.slug}/registrations/{registration.id}/category",
        data={"category_id": str(2**63)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Choose a category of this event." in response.text


# Numbers in forms and filters that int() or the database would choke on: a digit that is
# not 0-9 ("²" passes str.isdigit, int() refuses it), and ids beyond the database's integer.
ODD = ["²", str(2**63)]


def test_registration_form_with_odd_ids_says_what_is_wrong(client, db):
    event = make_event()
    category = make_category(event)
    make_registration(event, category, new_delegation_name="Son La City", leads_delegation=True)
    for value in ODD:
        for field, message in (
            ("category_id", "Choose how you take part."),
            ("delegation_id", "Choose a delegation from the list."),
        ):
            form = {
                "category_id": str(category.id),
                "given_name": "Ada",
                "family_name": "Lovelace",
                "email": "ada@example.org",
                "country": "GB",
                "organisation": "Analytical Engines",
                "privacy_accepted": "y",
                "delegation_choice": "join",
                field: value,
            }
            response = client.post(f"/events/{event.slug}/register", data=form)
            assert response.status_code in (200, 422), (field, value, response.status_code)
            assert message in response.text, (field, value)


def test_badges_for_odd_ticked_ids_print_nothing_instead_of_failing(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    make_registration(event, make_category(event))  # not ticked: not printed
    login(organiser)
    response = client.post(
        f"/events/{event.slug}/badges",
        data={"ids": [*ODD, "abc"], "layout": "a6"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "No confirmed registration in this selection" in response.text


def test_papers_pages_refuse_odd_ids_with_a_message(app, client, db, login):
    from conference.papers.assigning import assign_reviewer
    from tests.papers.samples import pdf_bytes

    event, category, track, call, chien = open_call_setting()
    paper = stored_paper(event, chien, "A paper")
    login(make_organiser(event))
    for value in ODD:
        for url in (f"/events/{event.slug}/papers", f"/events/{event.slug}/papers.zip"):
            response = client.get(url, query_string={"topic": value})
            assert response.status_code == 400, (url, value, response.status_code)
            assert "The topic filter must be a whole number" in response.text
        assign = client.post(
            f"/events/{event.slug}/papers/{paper.id}/reviewers", data={"reviewer_id": value}
        )
        assert assign.status_code == 422, (value, assign.status_code)
        settings = client.post(
            f"/events/{event.slug}/papers/call",
            data={
                "opens_at": "2030-05-01T09:00",
                "closes_at": "2030-07-01T17:00",
                "max_mb": "10",
                "topic_ids": [value],
            },
        )
        assert settings.status_code == 422, (value, settings.status_code)

    ada = make_reviewer(event)
    assignment = assign_reviewer(paper, ada)
    db.session.commit()
    as_reviewer = app.test_client()
    log_in(as_reviewer, ada.email, PASSWORD)
    relevance, clarity = call.criteria
    scored = as_reviewer.post(
        f"/events/{event.slug}/reviews/{assignment.id}",
        data={f"score_{relevance.id}": "²", f"score_{clarity.id}": "7"},
    )
    assert scored.status_code == 422

    for value in ODD:
        response = submit_paper(client, event, chien, track, pdf_bytes(), "p.pdf", track_id=value)
        assert response.status_code == 422, (value, response.status_code)
