import re
import threading
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from conference.auth.services import create_api_token
from conference.badges.services import reissue_badge
from conference.checkin.models import CheckIn, ScanLog
from conference.dbtypes import utcnow
from conference.extensions import db as _db
from conference.formatting import country_name
from tests.factories import (
    badge_token,
    bearer,
    earlier_today,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_user,
)


@pytest.fixture
def door(db):
    """An event happening today (from yesterday to tomorrow, event-local), a confirmed
    delegate with a badge, and a scanner token."""
    today = local_today()
    event = make_event(start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    delegate = make_registration(event, make_category(event, "Delegate"))
    staff = make_user()
    give_role(event, staff, "checkin")
    return event, delegate, bearer(staff, "Door A")


def scan(client, event, headers, **body):
    body.setdefault("station", "Door A")
    return client.post(f"/api/v1/events/{event.slug}/checkins", json=body, headers=headers)


def count(model):
    return _db.session.scalar(select(func.count(model.id)))


def test_first_scan_is_ok_and_second_says_when_and_where(client, db, door):
    event, delegate, headers = door
    token = badge_token(delegate)
    first = scan(client, event, headers, token=token)
    assert first.status_code == 201
    body = first.get_json()
    assert body["result"] == "ok" and body["registration"]["id"] == delegate.id
    assert body["registration"]["native_name"] == "Hà Trung Chiến"
    assert body["registration"]["name"] == "Mr Hà Trung Chiến"  # family name first, as written
    second = scan(client, event, headers, token=token, station="Door B")
    assert second.status_code == 200
    again = second.get_json()
    assert again["result"] == "already_checked_in"
    assert again["station"] == "Door A"
    assert again["first_checked_in_at"] == body["checked_in_at"]
    assert "Already checked in at" in again["message"] and "Door A" in again["message"]
    assert count(CheckIn) == 1 and count(ScanLog) == 2


def test_a_replayed_client_ref_is_answered_the_same_and_recorded_once(client, db, door):
    event, delegate, headers = door
    ref = str(uuid.uuid4())
    token = badge_token(delegate)
    first = scan(client, event, headers, token=token, client_ref=ref)
    replay = scan(client, event, headers, token=token, client_ref=ref)
    assert first.status_code == replay.status_code == 201
    assert replay.get_json()["checked_in_at"] == first.get_json()["checked_in_at"]
    assert count(CheckIn) == 1 and count(ScanLog) == 1


def test_a_client_ref_sent_again_with_another_badge_is_a_conflict_that_records_nothing(
    client, db, door
):
    event, delegate, headers = door
    other = make_registration(event, delegate.category, given_name="Somchai", family_name="Jaidee")
    ref = str(uuid.uuid4())
    first = scan(client, event, headers, token=badge_token(delegate), client_ref=ref)
    assert first.status_code == 201
    for what in ({"token": badge_token(other)}, {"registration_id": other.id}):
        response = scan(client, event, headers, client_ref=ref, **what)
        assert response.status_code == 409
        body = response.get_json()
        assert body["code"] == body["result"] == "client_ref_conflict"
        assert "another scan" in body["message"]
        assert "registration" not in body  # nobody's details for a mismatched replay
    assert list(db.session.scalars(select(CheckIn.registration_id))) == [delegate.id]
    assert count(ScanLog) == 1


def test_a_client_ref_at_another_event_is_a_scan_of_that_event(client, db, door):
    event, delegate, headers = door
    other_event = make_event(start_date=event.start_date, end_date=event.end_date)
    stranger = make_registration(other_event, make_category(other_event, "Delegate"))
    staff = [grant.user for grant in event.roles if grant.role == "checkin"][0]
    give_role(other_event, staff, "checkin")
    ref = str(uuid.uuid4())
    first = scan(client, event, headers, token=badge_token(delegate), client_ref=ref)
    there = scan(client, other_event, headers, token=badge_token(stranger), client_ref=ref)
    assert (first.status_code, there.status_code) == (201, 201)
    assert there.get_json()["registration"]["id"] == stranger.id
    assert sorted(db.session.scalars(select(CheckIn.registration_id))) == sorted(
        [delegate.id, stranger.id]
    )


def test_a_client_ref_at_another_station_is_a_scan_of_its_own(client, db, door):
    event, delegate, headers = door
    ref, token = str(uuid.uuid4()), badge_token(delegate)
    assert scan(client, event, headers, token=token, client_ref=ref).status_code == 201
    other_door = scan(client, event, headers, token=token, client_ref=ref, station="Door B")
    assert other_door.status_code == 200
    assert other_door.get_json()["result"] == "already_checked_in"
    assert count(ScanLog) == 2


def test_a_replay_after_the_check_in_was_undone_answers_as_the_first_time(client, db, door):
    from conference.checkin.services import undo_check_in

    event, delegate, headers = door
    ref, token = str(uuid.uuid4()), badge_token(delegate)
    first = scan(client, event, headers, token=token, client_ref=ref)
    duplicate_ref = str(uuid.uuid4())
    duplicate = scan(client, event, headers, token=token, client_ref=duplicate_ref)
    assert duplicate.status_code == 200
    undo_check_in(event, db.session.scalar(select(CheckIn.id)), user=event.roles[0].user)
    db.session.commit()
    replay = scan(client, event, headers, token=token, client_ref=ref)
    assert replay.status_code == 201
    assert replay.get_json()["checked_in_at"] == first.get_json()["checked_in_at"]
    again = scan(client, event, headers, token=token, client_ref=duplicate_ref)
    assert again.status_code == 200
    assert again.get_json()["result"] == "already_checked_in"
    assert again.get_json()["message"] == duplicate.get_json()["message"]
    assert count(CheckIn) == 0  # a replay records nothing again


@pytest.mark.parametrize(
    ("token", "result"),
    [("garbage", "invalid"), ("A" * 5000, "invalid"), ("", "invalid")],
)
def test_bad_codes_are_refused_and_logged(client, db, door, token, result):
    event, _, headers = door
    response = scan(client, event, headers, token=token)
    assert response.status_code == 422
    assert response.get_json()["result"] == result
    assert count(CheckIn) == 0


def test_truncated_reissued_cancelled_and_foreign_badges_get_their_reasons(client, db, door):
    from conference.registration.places import change_status

    event, delegate, headers = door
    token = badge_token(delegate)
    assert scan(client, event, headers, token=token[:50]).get_json()["result"] == "invalid"
    reissue_badge(delegate)
    db.session.commit()
    refused = scan(client, event, headers, token=token).get_json()
    assert refused["result"] == "revoked" and "newer" in refused["message"]
    other = make_event()
    stranger = make_registration(other, make_category(other))
    assert scan(client, event, headers, token=badge_token(stranger)).get_json()["result"] == (
        "wrong_event"
    )
    new_token = badge_token(delegate)
    change_status(delegate, "cancel")
    db.session.commit()
    refused = scan(client, event, headers, token=new_token).get_json()
    assert refused["result"] == "revoked" and "cancelled" in refused["message"]
    assert count(CheckIn) == 0


def test_pending_delegate_is_not_approved(client, db, door):
    event, _, headers = door
    pending = make_registration(event, make_category(event, "Press", requires_approval=True))
    response = scan(client, event, headers, token=badge_token(pending))
    assert response.get_json()["result"] == "not_approved"


def test_scan_times_must_be_plausible(client, db, door):
    event, delegate, headers = door
    token = badge_token(delegate)
    future = scan(client, event, headers, token=token, scanned_at=iso(utcnow() + timedelta(days=2)))
    assert future.status_code == 422
    assert future.get_json()["code"] == future.get_json()["result"] == "scan_in_future"
    assert "clock" in future.get_json()["message"]
    past = scan(client, event, headers, token=token, scanned_at="2001-01-01T00:00:00Z")
    assert past.status_code == 422 and past.get_json()["code"] == "scan_too_old"
    naive = scan(client, event, headers, token=token, scanned_at="2030-01-01T00:00:00")
    assert naive.status_code == 400
    assert count(CheckIn) == 0 and count(ScanLog) == 0


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def test_a_scan_dated_six_days_before_the_event_checks_nobody_in(client, db, door):
    """The attack: an offline scan back-dated to before the event, synced during it."""
    event, delegate, headers = door
    before = datetime.combine(event.start_date - timedelta(days=6), time(9), event.tz)
    response = scan(
        client,
        event,
        headers,
        token=badge_token(delegate),
        scanned_at=before.isoformat(),
        client_ref=str(uuid.uuid4()),
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == body["result"] == "scan_too_old"
    assert "12 hours" in body["message"]
    assert count(CheckIn) == 0 and count(ScanLog) == 0


def test_the_back_dating_limit_is_a_setting(make_app):
    app = make_app(SCAN_MAX_AGE_HOURS=1)
    client = app.test_client()
    with app.app_context():
        event = make_event(start_date=local_today() - timedelta(days=1), end_date=local_today())
        delegate = make_registration(event, make_category(event, "Delegate"))
        staff = make_user()
        give_role(event, staff, "checkin")
        headers = bearer(staff, "Door A")
        token = badge_token(delegate)
        response = scan(
            client, event, headers, token=token, scanned_at=iso(utcnow() - timedelta(hours=2))
        )
        assert response.status_code == 422 and response.get_json()["code"] == "scan_too_old"


def test_a_scan_sent_again_after_the_back_dating_limit_is_answered_as_the_first_time(make_app):
    """A phone that kept a scan's answer unread syncs it again the next day: it is the same
    scan (its client_ref), not a stale one, and it is answered as it was then."""
    app = make_app(SCAN_MAX_AGE_HOURS=1)
    client = app.test_client()
    with app.app_context():
        event = make_event(start_date=local_today() - timedelta(days=1), end_date=local_today())
        delegate = make_registration(event, make_category(event, "Delegate"))
        staff = make_user()
        give_role(event, staff, "checkin")
        headers = bearer(staff, "Door A")
        sent = {"token": badge_token(delegate), "client_ref": str(uuid.uuid4())}
        sent["scanned_at"] = iso(utcnow() - timedelta(minutes=50))
        first = scan(client, event, headers, **sent)
        assert first.status_code == 201
        app.config["SCAN_MAX_AGE_HOURS"] = 0  # as if the day had passed
        again = scan(client, event, headers, **sent)
        assert again.status_code == 201
        assert again.get_json()["checked_in_at"] == first.get_json()["checked_in_at"]
        stale = scan(client, event, headers, **{**sent, "client_ref": str(uuid.uuid4())})
        assert stale.status_code == 422 and stale.get_json()["code"] == "scan_too_old"
        assert count(CheckIn) == 1 and count(ScanLog) == 1


def local_today():
    return utcnow().astimezone(ZoneInfo("Asia/Bangkok")).date()


def test_no_one_is_checked_in_on_a_day_outside_the_event(client, db):
    event = make_event()  # in a month
    delegate = make_registration(event, make_category(event, "Delegate"))
    staff = make_user()
    give_role(event, staff, "checkin")
    headers = bearer(staff, "Door A")
    response = scan(client, event, headers, token=badge_token(delegate))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "scan_outside_event" and "Asia/Bangkok" in body["message"]
    assert count(CheckIn) == 0


def test_an_earlier_offline_scan_synced_later_never_rewrites_the_doors_check_in(client, db, door):
    event, delegate, headers = door
    token = badge_token(delegate)
    at_door = scan(client, event, headers, token=token, station="Door B").get_json()
    assert at_door["result"] == "ok"
    early = earlier_today(event, 10)
    synced = scan(
        client,
        event,
        headers,
        token=token,
        station="Door A",
        scanned_at=iso(early),
        client_ref=str(uuid.uuid4()),
    )
    assert synced.status_code == 200
    answer = synced.get_json()
    assert answer["result"] == "already_checked_in"
    assert (answer["first_checked_in_at"], answer["station"]) == (
        at_door["checked_in_at"],
        "Door B",
    )
    db.session.expire_all()
    check_in = db.session.scalar(select(CheckIn))
    assert check_in.station == "Door B"
    assert check_in.scanned_at.isoformat() == at_door["checked_in_at"]
    logs = db.session.execute(
        select(ScanLog.action, ScanLog.station, ScanLog.scanned_at).order_by(ScanLog.id)
    ).all()
    assert [(action, station) for action, station, _ in logs] == [
        ("checkin", "Door B"),
        ("duplicate", "Door A"),
    ]
    assert logs[1].scanned_at == early  # the offline scan keeps its own time, in the log


def test_manual_check_in_by_registration_id(client, db, door):
    event, delegate, headers = door
    response = scan(client, event, headers, registration_id=delegate.id)
    assert response.status_code == 201


def test_staff_without_the_role_or_of_another_event_are_refused(client, db, door):
    event, delegate, _ = door
    outsider = make_user()
    other = make_event()
    give_role(other, outsider, "checkin")
    response = scan(client, event, bearer(outsider, "x"), token=badge_token(delegate))
    assert response.status_code == 403
    assert scan(client, event, {}, token=badge_token(delegate)).status_code == 401
    assert count(CheckIn) == 0


def test_malformed_bodies_get_400(client, db, door):
    event, _, headers = door
    url = f"/api/v1/events/{event.slug}/checkins"
    assert (
        client.post(url, data="x", headers=headers, content_type="application/json").status_code
        == 400
    )
    assert scan(client, event, headers, token=5).status_code == 400
    assert scan(client, event, headers, token="x", registration_id=1).status_code == 400
    assert scan(client, event, headers, token="x", client_ref="not a uuid!").status_code == 400


def test_search_by_name_finds_the_forgotten_badge(client, db, door):
    event, delegate, headers = door
    found = client.get(
        f"/api/v1/events/{event.slug}/checkin/search?q=chien", headers=headers
    ).get_json()
    assert [r["id"] for r in found["items"]] == [delegate.id]
    assert "email" not in found["items"][0]


def test_organiser_undoes_a_check_in_and_the_log_keeps_both(client, db, door, login):
    event, delegate, headers = door
    scan(client, event, headers, token=badge_token(delegate))
    check_in = db.session.scalar(select(CheckIn))
    login(event.roles[0].user)
    response = client.post(f"/events/{event.slug}/checkins/{check_in.id}/undo")
    assert response.status_code == 302
    assert count(CheckIn) == 0
    assert sorted(db.session.scalars(select(ScanLog.action))) == ["checkin", "undo"]
    assert scan(client, event, headers, token=badge_token(delegate)).status_code == 201


def test_live_arrivals_count_by_category_and_country(client, db, door, login):
    event, delegate, headers = door
    scan(client, event, headers, token=badge_token(delegate))
    vip = make_registration(
        event,
        make_category(event, "VIP"),
        given_name="Soohyun",
        family_name="Kim",
        country="KR",
        phone="",
    )
    login(event.roles[0].user)
    data = client.get(f"/events/{event.slug}/arrivals.json").get_json()
    assert data["arrived"] == 1 and data["by_category"] == {"Delegate": 1}
    assert data["by_country"] == {country_name("VN"): 1}
    assert [r["id"] for r in data["not_arrived"]] == [vip.id]
    page = client.get(f"/events/{event.slug}/arrivals").text
    assert "Live arrivals" in page
    # The hour reads as a time of the event's zone, with its share of the day's arrivals.
    [day] = data["by_hour"]
    [hour] = day["hours"]
    assert re.fullmatch(r"\d\d:00–\d\d:00", hour["time"]) and hour["percent"] == 100
    assert f'<td class="text-nowrap">{hour["time"]}</td>' in page and "100%" in page
    assert f"times in {event.timezone.replace('_', ' ')}" in page


def test_twenty_simultaneous_scans_of_one_badge_make_one_check_in(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    app = make_app()
    with app.app_context():
        event = make_event(start_date=local_today(), end_date=local_today())
        delegate = make_registration(event, make_category(event, "Delegate"))
        staff = make_user()
        give_role(event, staff, "checkin")
        _, plain = create_api_token(staff, "race")
        _db.session.commit()
        token, slug = badge_token(delegate), event.slug
        _db.session.commit()
    barrier = threading.Barrier(20)
    results = []

    def door(n):
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/events/{slug}/checkins",
            json={"token": token, "station": f"Door {n}"},
            headers={"Authorization": f"Bearer {plain}"},
        )
        results.append(response.get_json()["result"])

    threads = [threading.Thread(target=door, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["already_checked_in"] * 19 + ["ok"]
    with app.app_context():
        assert _db.session.scalar(select(func.count(CheckIn.id))) == 1


def _race(app, slug, plain, bodies):
    """Send the bodies at the same moment from as many threads; (status, body) of each."""
    barrier = threading.Barrier(len(bodies))
    results = []

    def send(body):
        client = app.test_client()
        barrier.wait()
        try:
            response = client.post(
                f"/api/v1/events/{slug}/checkins",
                json=body,
                headers={"Authorization": f"Bearer {plain}"},
            )
            results.append((response.status_code, response.get_json(), body))
        except Exception as exc:  # a 500 propagates out of the test client
            results.append((500, {"error": repr(exc)}, body))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _race_setup(make_app, people=1):
    app = make_app()
    with app.app_context():
        event = make_event(start_date=local_today(), end_date=local_today())
        category = make_category(event, "Delegate")
        delegates = [make_registration(event, category) for _ in range(people)]
        staff = make_user()
        give_role(event, staff, "checkin")
        _, plain = create_api_token(staff, "race")
        _db.session.commit()
        tokens = [badge_token(d) for d in delegates]
        slug = event.slug
        _db.session.commit()
    return app, slug, plain, tokens


def test_the_same_scan_sent_twice_at_once_is_recorded_once(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    app, slug, plain, [token] = _race_setup(make_app)
    body = {"token": token, "station": "Door A", "client_ref": str(uuid.uuid4())}
    results = _race(app, slug, plain, [dict(body) for _ in range(8)])
    assert {status for status, _, _ in results} == {201}, results
    assert len({answer["checked_in_at"] for _, answer, _ in results}) == 1
    with app.app_context():
        assert _db.session.scalar(select(func.count(CheckIn.id))) == 1
        assert _db.session.scalar(select(func.count(ScanLog.id))) == 1


def test_one_client_ref_sent_at_once_with_two_badges_records_one_of_them(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    app, slug, plain, tokens = _race_setup(make_app, people=2)
    ref = str(uuid.uuid4())
    bodies = [{"token": tokens[n % 2], "station": "Door A", "client_ref": ref} for n in range(8)]
    results = _race(app, slug, plain, bodies)
    assert {status for status, _, _ in results} == {201, 409}, results
    winners = {body["token"] for status, _, body in results if status == 201}
    losers = {body["token"] for status, _, body in results if status == 409}
    assert len(winners) == 1 and winners.isdisjoint(losers)
    with app.app_context():
        assert _db.session.scalar(select(func.count(CheckIn.id))) == 1
        assert _db.session.scalar(select(func.count(ScanLog.id))) == 1


def test_a_revoked_scanner_token_stops_working_once_the_cache_expires(make_app):

    from conference.auth.services import revoke_api_token

    app = make_app(SCANNER_AUTH_CACHE_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        event = make_event(start_date=local_today(), end_date=local_today())
        delegate = make_registration(event, make_category(event, "Delegate"))
        staff = make_user()
        give_role(event, staff, "checkin")
        token, plain = create_api_token(staff, "Door A")
        _db.session.commit()
        badge = badge_token(delegate)
        headers = {"Authorization": f"Bearer {plain}"}
        assert scan(client, event, headers, token=badge).status_code == 201
        revoke_api_token(staff, token.id)
        _db.session.commit()
        assert scan(client, event, headers, token=badge).status_code == 401


def test_badge_desk_finds_prints_and_reissues(client, db, door, login):
    from conference.badges.services import check_badge

    event, delegate, _ = door
    old = badge_token(delegate)
    staff = [r.user for r in event.roles if r.role == "checkin"][0]
    login(staff)
    page = client.get(f"/events/{event.slug}/checkin/desk?q=chien")
    assert "Hà Trung Chiến" in page.text
    printed = client.post(f"/events/{event.slug}/checkin/desk/{delegate.id}/print")
    assert printed.data.startswith(b"%PDF")
    _db.session.expire_all()
    assert _db.session.get(type(delegate), delegate.id).badge_printed_count == 1  # a print
    assert check_badge(event, old).ok
    reissued = client.post(f"/events/{event.slug}/checkin/desk/{delegate.id}/reissue")
    assert reissued.data.startswith(b"%PDF")
    _db.session.expire_all()
    assert check_badge(event, old).result == "revoked"


def _scan_schema():
    from conference.api.openapi import openapi_document

    document = openapi_document()
    body = document["paths"]["/events/{slug}/checkins"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Scan"}
    return document["components"]["schemas"]["Scan"]


@pytest.mark.parametrize(
    "station",
    [
        "",
        " ",
        "\t\n",
        "\x01",
        "\x1c",
        "\u00a0",
        "A",
        "Door A",
        "  Door\tA ",
        "ประตู ๑",
        "x" * 100,
        "x" * 101,
        " " * 99 + "x",
        "\u200b",
    ],
)
def test_the_scan_schema_and_the_api_agree_on_the_station(client, db, door, station):
    """What the OpenAPI document allows is never answered 400, and what it forbids is."""
    from jsonschema import Draft202012Validator

    event, _, headers = door
    body = {"token": "not a badge", "station": station}
    allowed = Draft202012Validator(_scan_schema()).is_valid(body)
    response = client.post(f"/api/v1/events/{event.slug}/checkins", json=body, headers=headers)
    if allowed:
        assert response.status_code == 422 and response.get_json()["result"] == "invalid"
    else:
        assert response.status_code == 400
        assert response.get_json()["code"] == "invalid_request"
        assert "station" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("client_ref", "allowed"),
    [
        ("0b5e7c1e-8f1a-4f6e-9a53-2d4c1e9b7a10", True),
        ("abcdefgh", True),
        ("a" * 64, True),
        ("abcdefg", False),
        ("a" * 65, False),
        ("not a uuid!", False),
        ("abcdefgh\n", False),
    ],
)
def test_the_scan_schema_documents_the_client_ref_the_api_accepts(
    client, db, door, client_ref, allowed
):
    import re

    event, _, headers = door
    schema = _scan_schema()["properties"]["client_ref"]
    # The pattern is ECMA 262's: "$" is the end (Python's re.fullmatch reads it so).
    assert bool(re.fullmatch(schema["pattern"].strip("^$"), client_ref)) is allowed
    response = scan(client, event, headers, token="not a badge", client_ref=client_ref)
    assert response.status_code == (422 if allowed else 400)


def test_the_scan_schema_says_a_scan_names_a_badge_or_a_person(client, db, door):
    from jsonschema import Draft202012Validator

    event, delegate, headers = door
    validator = Draft202012Validator(_scan_schema())
    for body in (
        {"station": "Door A"},
        {"station": "Door A", "token": "x", "registration_id": delegate.id},
        {"station": "Door A", "token": None},
    ):
        assert not validator.is_valid(body)
        response = client.post(f"/api/v1/events/{event.slug}/checkins", json=body, headers=headers)
        assert response.status_code == 400
    assert validator.is_valid({"station": "Door A", "registration_id": delegate.id})
    assert validator.is_valid(
        {
            "station": "Door A",
            "token": "x",
            "session_id": None,
            "client_ref": None,
            "scanned_at": None,
        }
    )
    assert (
        scan(
            client, event, headers, token="x", session_id=None, client_ref=None, scanned_at=None
        ).status_code
        == 422
    )
