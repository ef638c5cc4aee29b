import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.auth.services import create_api_token
from conference.badges.services import badge_token as _badge_token
from conference.badges.services import reissue_badge
from conference.checkin.models import CheckIn, ScanLog
from conference.dbtypes import utcnow
from conference.extensions import db as _db
from conference.formatting import country_name
from tests.factories import give_role, make_category, make_event, make_registration, make_user


@pytest.fixture
def door(db):
    """An event happening today, a confirmed delegate with a badge, and a scanner token."""
    from datetime import date

    event = make_event(start_date=date.today(), end_date=date.today() + timedelta(days=1))
    delegate = make_registration(event, make_category(event, "Delegate"))
    staff = make_user()
    give_role(event, staff, "checkin")
    _, plain = create_api_token(staff, "Door A")
    db.session.commit()
    return event, delegate, {"Authorization": f"Bearer {plain}"}


def badge_token(registration):
    """The registration's token, committed (the first signing key is made on first use)."""
    token = _badge_token(registration)
    _db.session.commit()
    return token


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
    from conference.registration.services import change_status

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
    future = (utcnow() + timedelta(days=2)).isoformat()
    assert (
        "future"
        in scan(client, event, headers, token=token, scanned_at=future).get_json()["message"]
    )
    past = "2001-01-01T00:00:00Z"
    assert scan(client, event, headers, token=token, scanned_at=past).status_code == 400
    naive = "2030-01-01T00:00:00"
    assert scan(client, event, headers, token=token, scanned_at=naive).status_code == 400
    assert count(CheckIn) == 0


def test_offline_scans_synced_later_keep_the_earliest(client, db, door):
    event, delegate, headers = door
    token = badge_token(delegate)
    late = utcnow() - timedelta(minutes=1)
    early = utcnow() - timedelta(minutes=10)
    scan(
        client,
        event,
        headers,
        token=token,
        station="Door B",
        scanned_at=late.isoformat(),
        client_ref=str(uuid.uuid4()),
    )
    synced = scan(
        client,
        event,
        headers,
        token=token,
        station="Door A",
        scanned_at=early.isoformat(),
        client_ref=str(uuid.uuid4()),
    )
    assert synced.get_json()["result"] == "ok"
    db.session.expire_all()
    check_in = db.session.scalar(select(CheckIn))
    assert check_in.station == "Door A" and check_in.scanned_at == early
    actions = sorted(db.session.scalars(select(ScanLog.action)))
    assert actions == ["checkin", "duplicate"]


def test_manual_check_in_by_registration_id(client, db, door):
    event, delegate, headers = door
    response = scan(client, event, headers, registration_id=delegate.id)
    assert response.status_code == 201


def test_staff_without_the_role_or_of_another_event_are_refused(client, db, door):
    event, delegate, _ = door
    outsider = make_user()
    other = make_event()
    give_role(other, outsider, "checkin")
    _, plain = create_api_token(outsider, "x")
    db.session.commit()
    response = scan(
        client, event, {"Authorization": f"Bearer {plain}"}, token=badge_token(delegate)
    )
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


def test_offline_data_has_keys_and_every_registration(client, db, door):
    event, delegate, headers = door
    scan(client, event, headers, token=badge_token(delegate))
    data = client.get(f"/api/v1/events/{event.slug}/checkin/offline", headers=headers).get_json()
    assert data["event_id"] == event.id and data["keys"][0]["algorithm"] == "Ed25519"
    assert [r["id"] for r in data["registrations"]] == [delegate.id]
    assert "chien" in data["registrations"][0]["search"]
    assert "@" not in data["registrations"][0]["search"]  # no e-mail addresses on scanners
    assert [c["registration_id"] for c in data["checked_in_today"]] == [delegate.id]
    assert data["checked_in_today"][0]["station"] == "Door A"
    found = client.get(
        f"/api/v1/events/{event.slug}/checkin/search?q=chien", headers=headers
    ).get_json()
    assert [r["id"] for r in found["items"]] == [delegate.id]


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
    assert "Live arrivals" in client.get(f"/events/{event.slug}/arrivals").text


def test_twenty_simultaneous_scans_of_one_badge_make_one_check_in(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    app = make_app()
    with app.app_context():
        from datetime import date

        event = make_event(start_date=date.today(), end_date=date.today())
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


def test_a_revoked_scanner_token_stops_working_once_the_cache_expires(make_app):
    from datetime import date

    from conference.auth.services import revoke_api_token

    app = make_app(SCANNER_AUTH_CACHE_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        event = make_event(start_date=date.today(), end_date=date.today())
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
    assert check_badge(event, old).ok
    reissued = client.post(f"/events/{event.slug}/checkin/desk/{delegate.id}/reissue")
    assert reissued.data.startswith(b"%PDF")
    _db.session.expire_all()
    assert check_badge(event, old).result == "revoked"
