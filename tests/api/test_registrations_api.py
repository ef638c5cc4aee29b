from sqlalchemy import func, select

from conference.auth.services import create_api_token
from conference.registration.models import Registration
from conference.registration.services import save_question
from tests.factories import give_role, make_category, make_event, make_registration, make_user


def body(category, **overrides):
    data = {
        "category_id": category.id,
        "given_name": "Xiaoming",
        "family_name": "Wang",
        "native_name": "王晓明",
        "email": "wang.xiaoming@nanjing.example",
        "phone": "+86 139 1234 5678",
        "country": "CN",
        "organisation": "Nanjing Municipal Education Bureau",
        "privacy_accepted": True,
        "answers": {},
    }
    data.update(overrides)
    return data


def bearer(db, user):
    _, plain = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_event_lists_public_categories_and_questions(client, db):
    event = make_event(slug="asean3-2024")
    make_category(event, "Observer", capacity=10, requires_approval=False)
    make_category(event, "VIP", invitation_code="golden-ticket")
    question = save_question(
        event, None, label="Site visit", type="single_choice", required=True, choices=["A", "B"]
    )
    db.session.commit()
    data = client.get("/api/v1/events/asean3-2024").get_json()
    assert data["categories"] == [
        {
            "id": data["categories"][0]["id"],
            "name": "Observer",
            "description": "",
            "capacity": 10,
            "places_left": 10,
            "requires_approval": False,
            "open": True,
            "badge_colour": "#1f4e79",
        }
    ]
    assert data["questions"] == [
        {
            "id": question.id,
            "label": "Site visit",
            "help_text": "",
            "type": "single_choice",
            "required": True,
            "choices": ["A", "B"],
        }
    ]


def test_public_registration_returns_201_with_the_status(client, db):
    event = make_event()
    observer = make_category(event, "Observer", capacity=1)
    first = client.post(f"/api/v1/events/{event.slug}/registrations", json=body(observer))
    assert first.status_code == 201
    assert first.get_json()["status"] == "confirmed"
    assert first.get_json()["native_name"] == "王晓明"
    assert "/manage/" in first.get_json()["manage_url"]
    second = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json=body(observer, email="li.na@nanjing.example"),
    )
    assert second.status_code == 201 and second.get_json()["status"] == "waitlisted"


def test_invalid_registration_gets_422_with_errors_per_field(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    question = save_question(event, None, label="Diet", type="short_text", required=True)
    db.session.commit()
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json=body(category, email="nope", country="ZZ", phone="+1 555", privacy_accepted=False),
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) >= {"email", "country", "phone", "privacy_accepted", f"q{question.id}"}
    assert all(isinstance(m, list) and m for m in errors.values())
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_wrong_types_and_non_json_are_refused(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    url = f"/api/v1/events/{event.slug}/registrations"
    response = client.post(
        url,
        json=body(category, given_name=42, category_id="1", privacy_accepted="yes", answers=[1]),
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {
        "given_name",
        "category_id",
        "privacy_accepted",
        "answers",
    }
    response = client.post(url, data="not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["errors"]["body"][0]
    assert client.post(url, json=[1, 2]).status_code == 400


def test_duplicate_email_is_a_422_on_email(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    make_registration(event, category, email="wang.xiaoming@nanjing.example")
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json=body(category))
    assert response.status_code == 422
    assert "registered for this event already" in response.get_json()["errors"]["email"][0]


def test_invitation_only_category_through_the_api(client, db):
    event = make_event()
    vip = make_category(event, "VIP", invitation_code="golden-ticket")
    url = f"/api/v1/events/{event.slug}/registrations"
    assert client.post(url, json=body(vip)).status_code == 422
    ok = client.post(url, json=body(vip, invitation_code="golden-ticket"))
    assert ok.status_code == 201


def test_public_registration_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        event = make_event()
        category = make_category(event, "Delegate")
        url = f"/api/v1/events/{event.slug}/registrations"
        for n in range(2):
            response = client.post(url, json=body(category, email=f"p{n}@example.org"))
            assert response.status_code == 201
        response = client.post(url, json=body(category, email="p9@example.org"))
        assert response.status_code == 429
        assert response.get_json()["status"] == 429


def test_organisers_page_through_registrations(client, db):
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    for n in range(5):
        make_registration(event, category, email=f"d{n}@example.org")
    headers = bearer(db, organiser)
    page = client.get(
        f"/api/v1/events/{event.slug}/registrations?per_page=2&page=3", headers=headers
    ).get_json()
    assert (page["page"], page["pages"], page["total"]) == (3, 3, 5)
    assert [r["email"] for r in page["items"]] == ["d4@example.org"]
    huge = client.get(
        f"/api/v1/events/{event.slug}/registrations?per_page=5000", headers=headers
    ).get_json()
    assert huge["per_page"] == 200
    one = page["items"][0]["id"]
    detail = client.get(f"/api/v1/events/{event.slug}/registrations/{one}", headers=headers)
    assert detail.get_json()["email"] == "d4@example.org"


def test_registrations_are_for_the_events_organisers_only(client, db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    staff = make_user()
    give_role(event, staff, "checkin")
    stranger_organiser = make_user()
    make_event(stranger_organiser)
    for user in (staff, stranger_organiser):
        headers = bearer(db, user)
        assert (
            client.get(f"/api/v1/events/{event.slug}/registrations", headers=headers).status_code
            == 403
        )
        assert (
            client.get(
                f"/api/v1/events/{event.slug}/registrations/{registration.id}", headers=headers
            ).status_code
            == 403
        )
    assert client.get(f"/api/v1/events/{event.slug}/registrations").status_code == 401
