"""The API and names: the order a person writes their name in, and one name only. Clients
written before these fields keep working unchanged."""

from sqlalchemy import func, select

from conference.registration.models import Registration
from tests.factories import bearer, make_category, make_event, make_user, registration_json


def registered(db, email) -> Registration:
    return db.session.scalar(select(Registration).where(Registration.email == email))


def read_back(client, event, organiser, email) -> dict:
    answer = client.get(
        f"/api/v1/events/{event.slug}/registrations?q={email}", headers=bearer(organiser)
    ).get_json()
    (item,) = answer["items"]
    return item


def test_a_client_that_sends_no_order_gets_the_default_of_the_country(client, db):
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    assert client.post(url, json=registration_json(category)).status_code == 202  # Wang, CN
    item = read_back(client, event, organiser, "wang.xiaoming@nanjing.example")
    assert (item["given_name"], item["family_name"]) == ("Xiaoming", "Wang")
    assert (item["name_order"], item["full_name"], item["single_name"]) == (
        "family_first",
        "Wang Xiaoming",
        False,
    )
    assert item["badge_name"] == "Wang Xiaoming"  # the name the badge prints, as before

    thai = registration_json(
        category,
        given_name="Somchai",
        family_name="Jaidee",
        native_name="สมชาย ใจดี",
        email="somchai@khonkaen.example",
        phone="",
        country="TH",
    )
    assert client.post(url, json=thai).status_code == 202
    item = read_back(client, event, organiser, "somchai@khonkaen.example")
    assert (item["name_order"], item["full_name"]) == ("given_first", "Somchai Jaidee")


def test_a_client_may_say_the_order(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    body = registration_json(category, name_order="given_first")
    assert client.post(url, json=body).status_code == 202
    registration = registered(db, "wang.xiaoming@nanjing.example")
    assert registration.full_name == "Xiaoming Wang"


def test_an_order_that_is_not_one_of_the_two_is_refused(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    for wrong in ("", "surname_first", "FAMILY_FIRST", 1, ["family_first"]):
        response = client.post(url, json=registration_json(category, name_order=wrong))
        assert response.status_code == 422, wrong
        assert list(response.get_json()["errors"]) == ["name_order"]
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_one_name_only_registers_through_the_api_when_the_client_says_so(client, db):
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    body = registration_json(
        category,
        given_name="Sukarno",
        native_name="",
        email="sukarno@surabaya.example",
        phone="",
        country="ID",
        organisation="Surabaya City",
    )
    del body["family_name"]
    response = client.post(url, json=body)  # no family name, and not said to be none
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["family_name"]
    response = client.post(url, json=body | {"family_name": ""})
    assert response.status_code == 422

    response = client.post(url, json=body | {"single_name": "yes"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"single_name": ["Must be true or false."]}

    assert client.post(url, json=body | {"single_name": True}).status_code == 202
    item = read_back(client, event, organiser, "sukarno@surabaya.example")
    assert (item["given_name"], item["family_name"], item["single_name"]) == ("Sukarno", "", True)
    assert item["full_name"] == "Sukarno"
