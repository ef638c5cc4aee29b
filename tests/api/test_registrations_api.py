import json
import re

import jsonschema
import pytest
from sqlalchemy import func, select

from conference.mail.models import OutboxMessage
from conference.papers.models import Paper, PaperVersion
from conference.registration.links import emailed_manage_url, manage_url
from conference.registration.models import Answer, Registration
from conference.registration.settings import save_question
from tests.factories import (
    bearer,
    give_role,
    make_category,
    make_event,
    make_head,
    make_member,
    make_registration,
    make_user,
    paper_with_co_author,
    post_form,
    registration_json,
)

RECEIVED = (
    "Thank you: an e-mail is on its way to the address given, with the registration's "
    "status and its private link."
)


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


def registered(db, email):
    return db.session.scalar(select(Registration).where(Registration.email == email))


def test_public_registration_answers_202_and_e_mails_the_status_and_link(client, db):
    event = make_event()
    observer = make_category(event, "Observer", capacity=1)
    first = client.post(
        f"/api/v1/events/{event.slug}/registrations", json=registration_json(observer)
    )
    assert first.status_code == 202
    assert first.get_json() == {"message": RECEIVED}
    second = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json=registration_json(observer, email="li.na@nanjing.example"),
    )
    assert second.status_code == 202 and second.get_json() == {"message": RECEIVED}
    assert registered(db, "wang.xiaoming@nanjing.example").status == "confirmed"
    assert registered(db, "wang.xiaoming@nanjing.example").native_name == "王晓明"
    assert registered(db, "li.na@nanjing.example").status == "waitlisted"
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in mails] == [
        "wang.xiaoming@nanjing.example",
        "li.na@nanjing.example",
    ]
    assert "/manage/" in mails[0].body_text


def test_invalid_registration_gets_422_with_errors_per_field(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    question = save_question(event, None, label="Diet", type="short_text", required=True)
    db.session.commit()
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json=registration_json(
            category, email="nope", country="ZZ", phone="+1 555", privacy_accepted=False
        ),
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
        json=registration_json(
            category, given_name=42, category_id="1", privacy_accepted="yes", answers=[1]
        ),
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


def test_a_registered_address_gets_the_same_answer_as_a_new_one_and_its_link(client, db):
    event = make_event()
    category = make_category(event, "Delegate")
    existing = make_registration(event, category, email="wang.xiaoming@nanjing.example")
    url = f"/api/v1/events/{event.slug}/registrations"

    fresh = client.post(url, json=registration_json(category, email="li.na@nanjing.example"))
    again = client.post(
        url, json=registration_json(category, email="Wang.Xiaoming@nanjing.example")
    )

    assert again.status_code == fresh.status_code == 202
    assert again.get_data() == fresh.get_data()
    document = client.get("/api/v1/openapi.json").get_json()
    assert "202" in document["paths"]["/events/{slug}/registrations"]["post"]["responses"]
    jsonschema.validate(again.get_json(), document["components"]["schemas"]["RegistrationReceived"])
    assert again.headers.get("Location") == fresh.headers.get("Location") is None
    assert db.session.scalar(select(func.count(Registration.id))) == 2
    # The address's owner gets the existing registration's link, with its e-mail proof.
    mail = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == existing.email)
    ).all()[-1]
    assert mail.subject.startswith("You are registered already")
    assert emailed_manage_url(existing) in mail.body_text


def test_invitation_only_category_through_the_api(client, db):
    event = make_event()
    vip = make_category(event, "VIP", invitation_code="golden-ticket")
    url = f"/api/v1/events/{event.slug}/registrations"
    assert client.post(url, json=registration_json(vip)).status_code == 422
    ok = client.post(url, json=registration_json(vip, invitation_code="golden-ticket"))
    assert ok.status_code == 202


def test_public_registration_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, REGISTRATION_RATE_LIMIT="2 per minute")
    client = app.test_client()
    with app.app_context():
        event = make_event()
        category = make_category(event, "Delegate")
        url = f"/api/v1/events/{event.slug}/registrations"
        for n in range(2):
            response = client.post(url, json=registration_json(category, email=f"p{n}@example.org"))
            assert response.status_code == 202
        response = client.post(url, json=registration_json(category, email="p9@example.org"))
        assert response.status_code == 429
        assert response.get_json()["status"] == 429


def test_organisers_page_through_registrations(client, db):
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    for n in range(5):
        make_registration(event, category, email=f"d{n}@example.org")
    headers = bearer(organiser)
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


def test_a_member_without_an_address_reads_as_null_as_the_document_says(client, db):
    organiser = make_user()
    event = make_event(organiser)
    head = make_head(event, make_category(event, "Delegate"))
    member = make_member(head, given_name="Srey Pov", family_name="Lim")
    url = f"/api/v1/events/{event.slug}/registrations"
    # Every answer is checked against the OpenAPI document by the test client.
    listed = client.get(url, headers=bearer(organiser)).get_json()["items"]
    assert {r["id"]: r["email"] for r in listed} == {head.id: head.email, member.id: None}
    detail = client.get(f"{url}/{member.id}", headers=bearer(organiser)).get_json()
    assert detail["email"] is None and detail["delegation"]["id"] == head.delegation_id


def test_organisers_walk_every_registration_through_next_links(client, db):
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    other = make_category(event, "Speaker")
    ids = [
        make_registration(event, other if n % 3 == 0 else category, email=f"d{n}@example.org").id
        for n in range(7)
    ]
    headers = bearer(organiser)
    first = client.get(
        f"/api/v1/events/{event.slug}/registrations?per_page=2&category_id={category.id}",
        headers=headers,
    ).get_json()
    assert first["total"] == 4 and first["next"].startswith(
        f"/api/v1/events/{event.slug}/registrations?"
    )
    seen, answer = [], first
    while True:
        seen += [r["id"] for r in answer["items"]]
        if answer["next"] is None:
            break
        assert f"category_id={category.id}" in answer["next"]  # the filters go along
        answer = client.get(answer["next"], headers=headers).get_json()
        assert "page" not in answer and "total" not in answer
    assert seen == [i for n, i in enumerate(ids) if n % 3]
    # A page number's answer points on with after too; the last one points nowhere.
    page = client.get(
        f"/api/v1/events/{event.slug}/registrations?per_page=3&page=2", headers=headers
    ).get_json()
    assert page["next"].endswith(f"after={ids[5]}") or f"after={ids[5]}&" in page["next"]
    last = client.get(
        f"/api/v1/events/{event.slug}/registrations?per_page=3&page=3", headers=headers
    ).get_json()
    assert last["next"] is None and [r["id"] for r in last["items"]] == [ids[6]]
    beyond = client.get(
        f"/api/v1/events/{event.slug}/registrations?after={ids[6]}", headers=headers
    ).get_json()
    assert beyond == {"items": [], "per_page": 50, "next": None}


def test_registrations_are_for_the_events_organisers_only(client, db):
    event = make_event()
    registration = make_registration(event, make_category(event))
    staff = make_user()
    give_role(event, staff, "checkin")
    stranger_organiser = make_user()
    make_event(stranger_organiser)
    for user in (staff, stranger_organiser):
        headers = bearer(user)
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


# Co-authors' papers -------------------------------------------------------------------


def test_registering_a_co_authors_address_through_the_api_gives_no_access_to_the_paper(client, db):
    from tests.papers.samples import pdf_bytes

    event, category, paper_id = paper_with_co_author(client, "lan@sonla.example")

    # An attacker registers with Lan's address: the answer carries no link at all.
    answer = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        json=registration_json(category, email="lan@sonla.example"),
    )
    assert answer.status_code == 202
    assert "/manage/" not in answer.get_data(as_text=True)
    assert "verify" not in answer.get_data(as_text=True)
    # The link that pages show for the registration opens it, but not Lan's paper:
    # reading, replacing and withdrawing are all refused.
    lan = registered(db, "lan@sonla.example")
    link = manage_url(lan)
    assert client.get(link).status_code == 200
    papers = f"{link}/papers/{paper_id}"
    assert client.get(papers).status_code == 404
    assert client.get(f"{papers}/versions/1").status_code == 404
    replaced = post_form(client, f"{papers}/versions", {"file": (pdf_bytes("v2"), "v2.pdf")})
    assert replaced.status_code == 404
    assert client.post(f"{papers}/withdraw").status_code == 404
    db.session.expire_all()
    assert db.session.get(Paper, paper_id).status == "submitted"
    assert db.session.scalar(select(func.count(PaperVersion.id))) == 1
    assert registered(db, "lan@sonla.example").email_verified_at is None

    # Only the link e-mailed to Lan (which she alone reads) opens the paper to her.
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == "lan@sonla.example")
        .order_by(OutboxMessage.id)
    ).all()
    links = [re.search(r"http://conference\.test/\S+/manage/\S+", m.body_text) for m in mails]
    emailed = [link for link in links if link][-1].group(0)
    assert client.get(emailed).status_code == 200
    assert client.get(papers).status_code == 200


# Numbers and JSON -------------------------------------------------------------------


def number_question(db, event):
    question = save_question(event, None, label="Delegation size", type="number")
    db.session.commit()
    return question


@pytest.mark.parametrize("raw", ['"nan"', '"inf"', '"-inf"', '"Infinity"', '"1e999"', "1e999"])
def test_a_number_answer_must_be_finite(client, db, raw):
    event = make_event()
    category = make_category(event, "Delegate")
    question = number_question(db, event)
    text = json.dumps(registration_json(category, answers={str(question.id): "@"})).replace(
        '"@"', raw
    )

    response = client.post(
        f"/api/v1/events/{event.slug}/registrations", data=text, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.get_json()["errors"][f"q{question.id}"]
    assert db.session.scalar(select(func.count(Registration.id))) == 0


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, db, constant):
    event = make_event()
    category = make_category(event, "Delegate")
    question = number_question(db, event)
    text = json.dumps(registration_json(category, answers={str(question.id): "@"})).replace(
        '"@"', constant
    )

    response = client.post(
        f"/api/v1/events/{event.slug}/registrations", data=text, content_type="application/json"
    )

    assert response.status_code == 400
    assert "not a JSON number" in response.get_json()["errors"]["body"][0]
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_deeply_nested_json_is_a_400_not_a_server_error(client, db):
    event = make_event()
    staff = make_user()
    give_role(event, staff, "checkin")
    deep = "[" * 100_000 + "]" * 100_000
    for url, headers in (
        (f"/api/v1/events/{event.slug}/registrations", {}),
        (f"/api/v1/events/{event.slug}/checkins", bearer(staff)),
    ):
        response = client.post(url, data=deep, content_type="application/json", headers=headers)
        assert response.status_code == 400, url
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations",
        data='{"answers": ' + deep + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.get_json()["message"]


def test_the_organiser_api_writes_a_stored_non_finite_number_as_null(client, db, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's JSON type cannot hold NaN: the bad data exists on SQLite only")
    organiser = make_user()
    event = make_event(organiser)
    category = make_category(event, "Delegate")
    question = number_question(db, event)
    registration = make_registration(event, category)
    db.session.add(Answer(registration=registration, question_id=question.id, value=float("nan")))
    db.session.commit()
    headers = bearer(organiser)

    for url in (
        f"/api/v1/events/{event.slug}/registrations",
        f"/api/v1/events/{event.slug}/registrations/{registration.id}",
    ):
        text = client.get(url, headers=headers).get_data(as_text=True)
        assert "NaN" not in text
        data = json.loads(text, parse_constant=pytest.fail)
        item = data["items"][0] if "items" in data else data
        assert item["answers"] == {str(question.id): None}
