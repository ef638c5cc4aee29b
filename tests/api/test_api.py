import re

from openapi_spec_validator import validate

from conference.auth.services import create_api_token
from tests.factories import (
    bearer,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_user,
)


def test_openapi_document_is_valid_and_describes_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert {
        "/me",
        "/events",
        "/events/{slug}",
        "/jobs/{job_id}",
        "/events/{slug}/registrations",
        "/events/{slug}/badge-keys",
        "/events/{slug}/checkins",
        "/events/{slug}/checkin/offline",
    } <= set(document["paths"])


def test_me_with_a_bearer_token_lists_roles_per_event(client, db):
    user = make_user(name="Door staff")
    event = make_event(slug="asean3-2024")
    give_role(event, user, "checkin")
    response = client.get("/api/v1/me", headers=bearer(user))
    assert response.status_code == 200
    assert response.get_json()["roles"] == [{"event": "asean3-2024", "role": "checkin"}]


def test_missing_or_bad_token_gets_401_json_with_a_challenge(client, db):
    for headers in ({}, {"Authorization": "Bearer cft_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.get_json()
        assert body["status"] == 401 and body["message"]


def test_revoked_token_stops_working(client, db):
    from conference.auth.services import revoke_api_token

    user = make_user()
    token, plain = create_api_token(user, "old")
    db.session.commit()
    revoke_api_token(user, token.id)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_events_are_public_and_my_roles_come_with_a_token(client, db):
    organiser = make_user()
    make_event(organiser, slug="asean3-2024", title="ASEAN+3")
    listing = client.get("/api/v1/events").get_json()
    assert [e["slug"] for e in listing["events"]] == ["asean3-2024"]
    anonymous = client.get("/api/v1/events/asean3-2024").get_json()
    assert anonymous["my_roles"] == []
    mine = client.get("/api/v1/events/asean3-2024", headers=bearer(organiser)).get_json()
    assert mine["my_roles"] == ["organiser"]
    assert mine["timezone"] == "Asia/Bangkok"


def test_unknown_event_is_a_json_404(client, db):
    response = client.get("/api/v1/events/nope")
    assert response.status_code == 404
    assert response.get_json()["message"] == "There is no such event."


def test_browser_session_works_for_reads(client, db, login):
    login(make_user())
    assert client.get("/api/v1/me").status_code == 200


def test_token_is_created_on_the_command_line_and_printed_once(app, db, runner):
    user = make_user("staff@example.org")
    result = runner.invoke(args=["api-token", "create", "STAFF@example.org", "--name", "Door A"])
    assert result.exit_code == 0, result.output
    plain = re.search(r"cft_\S+", result.stdout).group(0)
    client = app.test_client()
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).get_json()
    assert body["id"] == user.id


def test_token_for_an_unknown_user_is_refused(runner, db):
    result = runner.invoke(args=["api-token", "create", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No account uses nobody@example.org" in result.output


def test_reading_keys_badges_and_offline_data_writes_nothing(client, db):
    from sqlalchemy import event as sa_event

    organiser = make_user()
    event = make_event(organiser)
    registration = make_registration(event, make_category(event, "Delegate"))
    headers = bearer(organiser)
    client.get("/api/v1/me", headers=headers)  # the token's first use is recorded
    writes = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        for url in (
            f"/api/v1/events/{event.slug}/badge-keys",
            f"/api/v1/events/{event.slug}/checkin/offline",
            f"/api/v1/events/{event.slug}/registrations/{registration.id}",
        ):
            assert client.get(url, headers=headers).status_code == 200, url
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert writes == []
