"""Room check-in: attendance per agenda session, sign-ups only where the session says so."""

import gzip
import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from conference.agenda.models import AgendaSignup, Room
from conference.checkin import offline
from conference.checkin.models import CheckIn, ScanLog
from conference.checkin.services import check_in, session_attendance
from conference.dbtypes import utcnow
from conference.extensions import db as _db
from tests.factories import (
    badge_token,
    bearer,
    earlier_today,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_session,
    make_user,
)


def at(event, day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=event.tz)


def sign_up(registration, session):
    _db.session.add(AgendaSignup(registration_id=registration.id, session_id=session.id))
    _db.session.commit()


def publish_agenda(event):
    from conference.agenda.publishing import publish

    publish(event)
    _db.session.commit()


@pytest.fixture
def rooms(db):
    """An event happening today (from yesterday to tomorrow) with two rooms, three sessions
    today and one tomorrow, all published."""
    today = utcnow().astimezone(ZoneInfo("Asia/Bangkok")).date()  # the event's zone
    event = make_event(start_date=today - timedelta(days=1), end_date=today + timedelta(days=1))
    assert event.timezone == "Asia/Bangkok"
    delegate = make_registration(event, make_category(event, "Delegate"))
    room_a = Room(event_id=event.id, name="Room A", capacity=2, position=1)
    room_b = Room(event_id=event.id, name="Room B", capacity=40, position=2)
    db.session.add_all([room_a, room_b])
    db.session.commit()
    staff = make_user()
    give_role(event, staff, "checkin")
    data = {
        "event": event,
        "delegate": delegate,
        "headers": bearer(staff, "Room A"),
        "open": make_session(
            event, room_a, (9, 0), (10, 30), title="Learning cities for all", day=today
        ),
        "listed": make_session(
            event,
            room_b,
            (9, 0),
            (10, 30),
            title="Son La: no one left behind",
            day=today,
            signed_up_only=True,
            capacity=30,
        ),
        "break": make_session(
            event, None, (10, 30), (11, 0), title="Coffee break", day=today, kind="break"
        ),
        "tomorrow": make_session(
            event, room_a, (9, 0), (10, 0), title="Closing plenary", day=today + timedelta(days=1)
        ),
    }
    publish_agenda(event)
    return data


def scan(client, data, **body):
    body.setdefault("station", "Room A door")
    body.setdefault("token", badge_token(data["delegate"]))
    return client.post(
        f"/api/v1/events/{data['event'].slug}/checkins", json=body, headers=data["headers"]
    )


def count(model, *where):
    return _db.session.scalar(select(func.count(model.id)).where(*where))


def test_room_check_in_is_once_per_session_and_apart_from_the_door(client, rooms):
    delegate = rooms["delegate"]
    first = scan(client, rooms, session_id=rooms["open"].id)
    assert first.status_code == 201 and first.get_json()["result"] == "ok"
    again = scan(client, rooms, session_id=rooms["open"].id, station="Room A side door")
    assert again.status_code == 200
    body = again.get_json()
    assert body["result"] == "already_checked_in" and body["station"] == "Room A door"
    assert body["first_checked_in_at"] == first.get_json()["checked_in_at"]
    assert "Room A door" in body["message"]
    # The door check-in of the day is its own record, and so is another session's.
    assert scan(client, rooms, station="Main door").status_code == 201
    sign_up(delegate, rooms["listed"])
    assert scan(client, rooms, session_id=rooms["listed"].id).status_code == 201
    scopes = _db.session.scalars(
        select(CheckIn.scope).where(CheckIn.registration_id == delegate.id).order_by(CheckIn.id)
    ).all()
    today = utcnow().astimezone(rooms["event"].tz).date()
    assert scopes == [
        f"session:{rooms['open'].id}",
        f"day:{today.isoformat()}",
        f"session:{rooms['listed'].id}",
    ]
    assert scan(client, rooms, station="Main door").get_json()["result"] == "already_checked_in"


def test_a_session_of_another_event_or_none_is_refused_and_nothing_recorded(client, rooms):
    other = make_event()
    foreign = make_session(
        other, None, (9, 0), (10, 0), title="Someone else's plenary", day=other.start_date
    )
    for session_id in (foreign.id, 999_999, 2**40):
        response = scan(client, rooms, session_id=session_id)
        assert response.status_code == 422
        body = response.get_json()
        assert body["result"] == "unknown_session"
        assert "not in this event's agenda" in body["message"]
    assert scan(client, rooms, session_id="3").status_code == 400
    assert scan(client, rooms, session_id=True).status_code == 400
    assert count(CheckIn) == 0
    assert count(ScanLog, ScanLog.result == "unknown_session") == 3


def test_not_signed_up_is_refused_naming_the_session_and_logged(client, rooms):
    listed = rooms["listed"]
    refused = scan(client, rooms, session_id=listed.id)
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["result"] == "not_signed_up"
    assert "Son La: no one left behind" in body["message"]
    assert body["registration"]["id"] == rooms["delegate"].id  # who was turned away
    log = _db.session.scalars(select(ScanLog)).one()
    assert (log.action, log.result, log.scope) == (
        "refused",
        "not_signed_up",
        f"session:{listed.id}",
    )
    assert log.registration_id == rooms["delegate"].id
    assert count(CheckIn) == 0
    # Signed up: admitted, once.
    sign_up(rooms["delegate"], listed)
    assert scan(client, rooms, session_id=listed.id).status_code == 201
    assert scan(client, rooms, session_id=listed.id).status_code == 200
    assert count(CheckIn) == 1


def test_badge_refusals_come_before_the_session_rules(client, rooms):
    from conference.registration.places import change_status

    token = badge_token(rooms["delegate"])
    change_status(rooms["delegate"], "cancel")
    _db.session.commit()
    body = scan(client, rooms, token=token, session_id=rooms["listed"].id).get_json()
    assert body["result"] == "revoked"


def test_offline_room_scans_sync_with_their_time_and_replay_alike(client, rooms):
    sign_up(rooms["delegate"], rooms["listed"])
    session_id = rooms["listed"].id
    late, early = utcnow(), earlier_today(rooms["event"], 10)
    ref = str(uuid.uuid4())
    first = scan(
        client,
        rooms,
        session_id=session_id,
        station="Room B front",
        scanned_at=late.isoformat(),
        client_ref=str(uuid.uuid4()),
    )
    assert first.status_code == 201
    # Made earlier on a device that was offline: logged with its time, the check-in stands.
    synced = scan(
        client,
        rooms,
        session_id=session_id,
        station="Room B back",
        scanned_at=early.isoformat(),
        client_ref=ref,
    )
    assert synced.status_code == 200
    assert synced.get_json()["first_checked_in_at"] == first.get_json()["checked_in_at"]
    replay = scan(
        client,
        rooms,
        session_id=session_id,
        station="Room B back",
        scanned_at=early.isoformat(),
        client_ref=ref,
    )
    assert replay.get_json() == synced.get_json()
    _db.session.expire_all()
    check = _db.session.scalars(select(CheckIn)).one()
    assert (check.station, check.scanned_at, check.session_id) == ("Room B front", late, session_id)
    assert sorted(_db.session.scalars(select(ScanLog.action))) == ["checkin", "duplicate"]


def test_a_refused_offline_room_scan_replays_as_refused(client, rooms):
    ref = str(uuid.uuid4())
    first = scan(client, rooms, session_id=rooms["listed"].id, client_ref=ref)
    sign_up(rooms["delegate"], rooms["listed"])  # too late for the scan already answered
    again = scan(client, rooms, session_id=rooms["listed"].id, client_ref=ref)
    assert first.get_json()["result"] == again.get_json()["result"] == "not_signed_up"
    assert count(ScanLog) == 1 and count(CheckIn) == 0


def offline_sessions(event):
    """Today's sessions as a scanner's list has them, with who is in each room."""
    copy = json.loads(gzip.decompress(offline.build_snapshot(event).read_bytes()))
    rooms = {}
    for session_id, registration_id, _ in copy["room_check_ins"]:
        rooms.setdefault(session_id, []).append(registration_id)
    return [{**s, "checked_in": rooms.get(s["id"], [])} for s in copy["sessions"]]


def test_offline_data_lists_todays_sessions_with_sign_ups_and_who_is_in(client, rooms):
    other = make_registration(rooms["event"], make_category(rooms["event"], "Speaker"))
    sign_up(other, rooms["listed"])
    sign_up(rooms["delegate"], rooms["open"])  # a session open to all lists no sign-ups
    scan(client, rooms, session_id=rooms["open"].id)
    client.get(f"/api/v1/events/{rooms['event'].slug}/checkin/offline", headers=rooms["headers"])
    sessions = offline_sessions(rooms["event"])  # as the scanner reads the list it got
    # Today's sessions by time then room; no coffee break, nothing of tomorrow.
    assert [s["title"] for s in sessions] == [
        "Learning cities for all",
        "Son La: no one left behind",
    ]
    open_, listed = sessions
    assert open_["room"] == "Room A" and open_["capacity"] == 2  # the room's
    assert open_["time"] == "09:00–10:30"
    assert open_["starts_at"] == rooms["open"].starts_at.isoformat()
    assert open_["signed_up_only"] is False and "signed_up" not in open_
    assert open_["checked_in"] == [rooms["delegate"].id]
    assert listed["capacity"] == 30 and listed["signed_up_only"] is True
    assert listed["signed_up"] == [other.id] and listed["checked_in"] == []


def test_offline_data_matches_the_openapi_description(client, rooms):
    from jsonschema import Draft202012Validator

    document = client.get("/api/v1/openapi.json").get_json()
    schema = {
        "$ref": "#/components/schemas/CheckinOffline",
        "components": document["components"],
    }
    data = client.get(
        f"/api/v1/events/{rooms['event'].slug}/checkin/offline", headers=rooms["headers"]
    ).get_json()
    Draft202012Validator(schema).validate(data)
    answer = {"$ref": "#/components/schemas/ScanAnswer", "components": document["components"]}
    for session in ("listed", "tomorrow", "break"):
        refused = scan(client, rooms, session_id=rooms[session].id).get_json()
        Draft202012Validator(answer).validate(refused)


def test_arrivals_count_each_session_against_its_capacity(client, rooms, login):
    event = rooms["event"]
    people = [rooms["delegate"]] + [
        make_registration(event, make_category(event), given_name=f"Guest {n}") for n in range(2)
    ]
    for person in people:
        scan(client, rooms, token=badge_token(person), session_id=rooms["open"].id)
    sign_up(people[0], rooms["listed"])
    sign_up(people[1], rooms["listed"])
    scan(client, rooms, token=badge_token(people[0]), session_id=rooms["listed"].id)
    scan(client, rooms, token=badge_token(people[2]), session_id=rooms["listed"].id)  # refused
    login(event.roles[0].user)
    data = client.get(f"/events/{event.slug}/arrivals.json").get_json()
    by_title = {s["title"]: s for s in data["sessions"]}
    assert set(by_title) == {"Learning cities for all", "Son La: no one left behind"}
    full = by_title["Learning cities for all"]
    assert (full["checked_in"], full["capacity"], full["over_capacity"]) == (3, 2, True)
    listed = by_title["Son La: no one left behind"]
    assert (listed["checked_in"], listed["signed_up"], listed["capacity"]) == (1, 2, 30)
    assert listed["over_capacity"] is False
    assert data["arrived"] == 0  # room check-ins are not arrivals at the door
    page = client.get(f"/events/{event.slug}/arrivals").text
    assert "Learning cities for all" in page and "over capacity" in page


def test_session_attendance_without_capacity_is_never_over(rooms):
    event = rooms["event"]
    today = utcnow().astimezone(event.tz).date()
    evening = make_session(
        event, None, (19, 0), (21, 0), title="Cultural evening", day=today, kind="cultural"
    )
    publish_agenda(event)
    check_in(event, station="Garden", registration_id=rooms["delegate"].id, session_id=evening.id)
    item = session_attendance(event, today)[-1]  # the latest of the day
    assert (item["title"], item["capacity"], item["checked_in"]) == ("Cultural evening", None, 1)
    assert item["over_capacity"] is False
    _db.session.commit()  # the scanners' list holds what is committed
    assert offline_sessions(event)[-1]["checked_in"] == [rooms["delegate"].id]


def test_an_id_beyond_the_database_integer_is_not_found(client, rooms):
    response = scan(client, rooms, token=None, registration_id=2**40)
    assert response.status_code == 404
    assert count(ScanLog) == 0


def test_a_room_scan_costs_one_statement_more_than_a_door_scan(rooms):
    """The scan is the hot path: the session rule may add one small query, no more."""
    from sqlalchemy import event as sa_event

    event, delegate = rooms["event"], rooms["delegate"]
    sign_up(delegate, rooms["listed"])
    token = badge_token(delegate)
    statements = []

    def counted(**scan):
        statements.clear()
        engine = _db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            result = check_in(event, station="Door A", token=token, **scan)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        _db.session.commit()
        return result.result, len(statements)

    check_in(event, station="Warm-up", token=token, session_id=rooms["open"].id)  # keys loaded
    _db.session.commit()
    door_ok, door = counted()
    room_ok, room = counted(session_id=rooms["listed"].id)
    assert (door_ok, room_ok) == ("ok", "ok")
    assert room == door + 1
    door_again, door_dup = counted()
    room_again, room_dup = counted(session_id=rooms["listed"].id)
    assert (door_again, room_again) == ("already_checked_in",) * 2
    assert room_dup == door_dup + 1


def test_the_organisers_log_names_the_session_of_a_room_check_in(client, rooms, login):
    scan(client, rooms, session_id=rooms["listed"].id)  # refused: not signed up
    sign_up(rooms["delegate"], rooms["listed"])
    scan(client, rooms, session_id=rooms["listed"].id)
    login(rooms["event"].roles[0].user)
    page = client.get(f"/events/{rooms['event'].slug}/checkin/log").text
    assert "room check-in: Son La: no one left behind" in page
    assert "refused (not_signed_up)" in page


def test_the_chair_and_presenters_enter_a_signed_up_only_session_without_signing_up(client, rooms):
    from conference.agenda.models import Talk

    event, listed = rooms["event"], rooms["listed"]
    category = make_category(event, "Speaker")
    chair = make_registration(event, category, email="chair@example.org")
    presenter = make_registration(event, category, email="presenter@example.org")
    listed.chairs.append(chair)
    talk = Talk(event_id=event.id, session=listed, title="Houses of Wisdom", duration_minutes=20)
    talk.presenters.append(presenter)
    _db.session.add(talk)
    _db.session.commit()

    for person in (chair, presenter):
        response = scan(client, rooms, session_id=listed.id, token=badge_token(person))
        assert response.status_code == 201, response.get_json()
    refused = scan(client, rooms, session_id=listed.id)
    assert refused.get_json()["result"] == "not_signed_up"

    [offline] = [s for s in offline_sessions(event) if s["id"] == listed.id]
    assert offline["signed_up"] == sorted([chair.id, presenter.id])


def test_a_session_of_another_day_is_refused_naming_its_day_and_nothing_recorded(client, rooms):
    tomorrow = rooms["tomorrow"]
    response = scan(client, rooms, session_id=tomorrow.id)
    assert response.status_code == 422
    body = response.get_json()
    assert body["result"] == "session_not_today"
    day = tomorrow.starts_at.astimezone(rooms["event"].tz)
    assert body["message"] == (
        f"“Closing plenary” is on {day:%A} {day.day} {day:%B} (09:00–10:00, Asia/Bangkok), "
        "not today: choose one of today's sessions."
    )
    assert body["registration"]["id"] == rooms["delegate"].id
    assert count(CheckIn) == 0
    log = _db.session.scalars(select(ScanLog)).one()
    assert (log.action, log.result) == ("refused", "session_not_today")


def test_the_day_is_the_scans_own_so_a_scan_synced_late_counts_for_its_day(app, client, rooms):
    app.config["SCAN_MAX_AGE_HOURS"] = 48  # this event takes scans synced up to two days late
    event = rooms["event"]
    yesterday = utcnow().astimezone(event.tz).date() - timedelta(days=1)
    opening = make_session(event, None, (9, 0), (10, 0), title="Opening plenary", day=yesterday)
    publish_agenda(event)
    # Scanned yesterday on a device that was offline, sent today: yesterday's session.
    synced = scan(
        client,
        rooms,
        session_id=opening.id,
        scanned_at=at(event, yesterday, 9, 5).isoformat(),
        client_ref=str(uuid.uuid4()),
    )
    assert synced.status_code == 201, synced.get_json()
    check = _db.session.scalars(select(CheckIn)).one()
    assert (check.day, check.session_id) == (yesterday, opening.id)
    # Scanned today into yesterday's session (a scanner left in yesterday's mode): refused.
    other = make_registration(event, make_category(event))
    late = scan(client, rooms, session_id=opening.id, token=badge_token(other))
    assert late.get_json()["result"] == "session_not_today"
    assert count(CheckIn) == 1


def test_a_break_takes_no_room_check_in(client, rooms):
    response = scan(client, rooms, session_id=rooms["break"].id)
    assert response.status_code == 422
    body = response.get_json()
    assert body["result"] == "unknown_session"
    assert body["message"] == (
        "Nobody is checked into a break (“Coffee break”): choose a session again."
    )
    assert count(CheckIn) == 0


def test_room_mode_offers_only_sessions_of_the_published_agenda(rooms):
    event = rooms["event"]
    today = utcnow().astimezone(event.tz).date()
    draft = make_session(event, None, (11, 0), (12, 0), title="Not announced yet", day=today)

    def titles():
        offline = offline_sessions(event)
        attendance = session_attendance(event, today)
        assert [s["title"] for s in attendance] == [s["title"] for s in offline]
        return [s["title"] for s in offline]

    assert titles() == ["Learning cities for all", "Son La: no one left behind"]
    publish_agenda(event)
    assert titles()[-1] == draft.title
    # Before the first publication there is nothing to offer.
    unpublished = make_event(start_date=event.start_date, end_date=event.end_date)
    make_session(unpublished, None, (9, 0), (10, 0), title="Draft plenary", day=today)
    assert offline_sessions(unpublished) == []


def test_a_cancelled_delegates_sign_up_is_not_counted_nor_listed(rooms):
    from conference.registration.places import change_status

    event, listed = rooms["event"], rooms["listed"]
    today = utcnow().astimezone(event.tz).date()
    staying = make_registration(event, make_category(event), email="staying@example.org")
    leaving = make_registration(event, make_category(event), email="leaving@example.org")
    sign_up(staying, listed)
    sign_up(leaving, listed)
    change_status(leaving, "cancel")
    _db.session.commit()

    [attendance] = [s for s in session_attendance(event, today) if s["id"] == listed.id]
    assert attendance["signed_up"] == 1
    [offline] = [s for s in offline_sessions(event) if s["id"] == listed.id]
    assert offline["signed_up"] == [staying.id]
