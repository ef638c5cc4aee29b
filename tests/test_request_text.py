"""Control characters in a URL: stripped from query-string values, no route for a path part.

PostgreSQL refuses NUL in any text, so before this a ``%00`` in a search or a slug was a 500."""

import pytest

from tests.factories import bearer, make_category, make_event, make_registration, organiser_of


@pytest.fixture
def organiser_api(db):
    event = make_event()
    make_registration(event, make_category(event, "Delegate"), given_name="Somchai")
    return event, bearer(organiser_of(event))


@pytest.mark.parametrize("query", ["q=Som%00chai", "q=Som%1B%07chai", "q=Somchai&country=%00"])
def test_a_search_with_control_characters_searches_the_text_without_them(
    client, organiser_api, query
):
    event, headers = organiser_api
    response = client.get(f"/api/v1/events/{event.slug}/registrations?{query}", headers=headers)
    assert response.status_code == 200
    assert [r["given_name"] for r in response.get_json()["items"]] == ["Somchai"]


def test_the_organisers_list_searches_without_control_characters(client, db, login):
    event = make_event()
    make_registration(event, make_category(event, "Delegate"), given_name="Somchai")
    login(event.roles[0].user)
    response = client.get(f"/events/{event.slug}/registrations/?q=Som%00chai")
    assert response.status_code == 200 and "Somchai" in response.text


@pytest.mark.parametrize(
    "path", ["/api/v1/events/{slug}%00", "/api/v1/jobs/a%00b", "/events/{slug}%00/agenda"]
)
def test_a_path_with_a_control_character_is_not_found(client, organiser_api, path):
    event, headers = organiser_api
    response = client.get(path.format(slug=event.slug), headers=headers)
    assert response.status_code == 404
