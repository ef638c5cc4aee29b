"""The check-in service without HTTP: what a scan records and answers (check_in, with an app
context), and the time a scan counts at (bounded back-dating, no future, within the event's
days)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, Room
from conference.badges.services import badge_token
from conference.checkin.models import CheckIn, ScanLog
from conference.checkin.services import ScanRefused, check_in, checked_scan_time, recent_scans
from conference.errors import NotFound, ValidationError
from conference.localtime import today
from conference.registration.models import RegistrationStatus
from conference.registration.places import change_status
from tests.factories import make_category, make_event, make_registration

BANGKOK = ZoneInfo("Asia/Bangkok")
# 10:00 in Bangkok on the second day of a three-day event.
NOW = datetime(2024, 10, 30, 3, 0, tzinfo=UTC)
EVENT = {"tz": BANGKOK, "first_day": date(2024, 10, 29), "last_day": date(2024, 10, 31)}


def scan_time(claimed, now=NOW, max_age=timedelta(hours=12), **event):
    return checked_scan_time(claimed, now=now, max_age=max_age, **{**EVENT, **event})


def refusal(claimed, **kwargs):
    with pytest.raises(ScanRefused) as caught:
        scan_time(claimed, **kwargs)
    assert caught.value.status_code == 422
    return caught.value


def test_a_live_scan_counts_now():
    assert scan_time(None) == NOW


def test_an_offline_scan_a_few_hours_old_keeps_its_time():
    claimed = NOW - timedelta(hours=11, minutes=59)
    assert scan_time(claimed) == claimed


def test_a_scan_a_little_ahead_of_the_server_clock_is_accepted():
    assert scan_time(NOW + timedelta(minutes=4)) == NOW + timedelta(minutes=4)


def test_a_scan_in_the_future_is_refused():
    refused = refusal(NOW + timedelta(minutes=10))
    assert refused.code == "scan_in_future"
    assert "clock" in refused.message


def test_a_scan_older_than_the_limit_is_refused_even_during_the_event():
    refused = refusal(NOW - timedelta(hours=12, minutes=1))  # 21:59 on the first day
    assert refused.code == "scan_too_old"
    assert "12 hours" in refused.message


def test_the_limit_is_a_setting():
    assert refusal(NOW - timedelta(hours=2), max_age=timedelta(hours=1)).code == "scan_too_old"


def test_a_scan_six_days_before_the_event_is_refused():
    """The attack: a check-in dated before the event, sent during it."""
    refused = refusal(datetime(2024, 10, 23, 9, 0, tzinfo=BANGKOK))
    assert refused.code == "scan_too_old"


def test_a_scan_outside_the_events_days_is_refused_even_when_recent():
    # 06:00 in Bangkok on the first day; a minute earlier is the day before, event-local.
    first_morning = datetime(2024, 10, 29, 6, 0, tzinfo=BANGKOK)
    assert scan_time(first_morning, now=first_morning) == first_morning
    eve = datetime(2024, 10, 28, 23, 59, tzinfo=BANGKOK)
    refused = refusal(eve, now=first_morning)
    assert refused.code == "scan_outside_event"
    assert "29–31 October" in refused.message and "Asia/Bangkok" in refused.message


def test_a_live_scan_after_the_last_day_is_refused():
    after = datetime(2024, 11, 1, 0, 30, tzinfo=BANGKOK)
    assert refusal(None, now=after).code == "scan_outside_event"


def test_a_scan_time_without_a_zone_is_malformed():
    with pytest.raises(ValidationError) as caught:
        scan_time(datetime(2024, 10, 30, 9, 0))
    assert not isinstance(caught.value, ScanRefused)
    assert caught.value.status_code == 400


# check_in: the service the scanners' API calls ---------------------------------------


@pytest.fixture
def door(db):
    """An event happening today (event-local), a confirmed delegate and a session in a room
    this morning."""
    day = today(BANGKOK)
    event = make_event(start_date=day - timedelta(days=1), end_date=day + timedelta(days=1))
    delegate = make_registration(event, make_category(event, "Delegate"))
    room = Room(event_id=event.id, name="Room A", capacity=40, position=1)
    session = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Learning cities for all",
        room=room,
        starts_at=datetime.combine(day, time(9), BANGKOK),
        ends_at=datetime.combine(day, time(10, 30), BANGKOK),
    )
    db.session.add_all([room, session])
    db.session.commit()
    return event, delegate, session


def check_ins(registration):
    return select(func.count(CheckIn.id)).where(CheckIn.registration_id == registration.id)


def logged(db, event):
    rows = db.session.execute(
        select(ScanLog.action, ScanLog.result).where(ScanLog.event_id == event.id)
    )
    return [tuple(row) for row in rows]


def test_a_valid_badge_checks_its_holder_in_for_the_day(db, door):
    event, delegate, _ = door
    result = check_in(event, station="Door A", token=badge_token(delegate))
    db.session.commit()
    assert (result.result, result.message, result.status_code) == ("ok", "Checked in.", 201)
    assert result.person["id"] == delegate.id and result.station == "Door A"
    recorded = db.session.scalar(select(CheckIn).where(CheckIn.registration_id == delegate.id))
    assert recorded.scope == f"day:{today(BANGKOK).isoformat()}"
    assert recorded.scanned_at == result.checked_in_at
    assert logged(db, event) == [("checkin", "ok")]


def test_a_repeat_scan_says_when_and_where_and_records_no_second_check_in(db, door):
    event, delegate, _ = door
    token = badge_token(delegate)
    first = check_in(event, station="Door A", token=token)
    db.session.commit()
    again = check_in(event, station="Door B", token=token)
    db.session.commit()
    assert (again.result, again.status_code) == ("already_checked_in", 200)
    assert (again.station, again.checked_in_at) == ("Door A", first.checked_in_at)
    assert "Door A" in again.message
    assert db.session.scalar(check_ins(delegate)) == 1
    assert logged(db, event) == [("checkin", "ok"), ("duplicate", "already_checked_in")]


def test_a_cancelled_registrations_badge_is_refused(db, door):
    event, delegate, _ = door
    token = badge_token(delegate)
    change_status(delegate, "cancel")
    db.session.commit()
    assert delegate.status == RegistrationStatus.CANCELLED
    result = check_in(event, station="Door A", token=token)
    db.session.commit()
    assert (result.result, result.status_code) == ("revoked", 422)
    assert result.message == "This registration is cancelled."
    assert result.person["id"] == delegate.id  # the door sees whose badge it is
    assert db.session.scalar(check_ins(delegate)) == 0
    assert logged(db, event) == [("refused", "revoked")]


@pytest.mark.parametrize("token", ["garbage", "", "A" * 5000])
def test_a_bad_token_is_refused_as_invalid_and_logged(db, door, token):
    event, delegate, _ = door
    result = check_in(event, station="Door A", token=token)
    db.session.commit()
    assert (result.result, result.status_code, result.person) == ("invalid", 422, None)
    assert db.session.scalar(check_ins(delegate)) == 0
    assert logged(db, event) == [("refused", "invalid")]


def test_a_room_check_in_is_its_own_record_apart_from_the_door(db, door):
    event, delegate, session = door
    token = badge_token(delegate)
    in_room = check_in(event, station="Room A", token=token, session_id=session.id)
    at_door = check_in(event, station="Door A", token=token)
    again = check_in(event, station="Room A", token=token, session_id=session.id)
    db.session.commit()
    assert (in_room.result, at_door.result) == ("ok", "ok")
    assert again.result == "already_checked_in"
    scopes = db.session.scalars(
        select(CheckIn.scope).where(CheckIn.registration_id == delegate.id).order_by(CheckIn.id)
    ).all()
    assert scopes == [f"session:{session.id}", f"day:{today(BANGKOK).isoformat()}"]


def test_a_registration_found_by_name_that_does_not_exist_is_not_found(db, door):
    event, _, _ = door
    with pytest.raises(NotFound):
        check_in(event, station="Desk", registration_id=999_999)


def test_a_scan_must_name_a_badge_or_a_registration_not_both(db, door):
    event, delegate, _ = door
    with pytest.raises(ValidationError, match="either a badge token or a registration id"):
        check_in(event, station="Desk", token=badge_token(delegate), registration_id=delegate.id)


def test_the_organisers_log_lists_the_latest_scans_first(db, door):
    event, delegate, _ = door
    token = badge_token(delegate)
    check_in(event, station="Door A", token=token)
    check_in(event, station="Door B", token=token)
    db.session.commit()
    logs, check_ins = recent_scans(event)
    assert [log.station for log in logs] == ["Door B", "Door A"]
    assert [c.station for c in check_ins] == ["Door A"]
    assert recent_scans(event, limit=1)[0] == logs[:1]


def test_arrivals_are_counted_by_the_events_own_hours_even_half_an_hour_off_utc(db):
    # Yangon is UTC+6:30: 02:45 and 03:15 UTC are 09:15 and 09:45 there, one local hour.
    from conference.checkin.services import arrivals
    from conference.extensions import db as _db

    event = make_event(
        timezone="Asia/Yangon", start_date=date(2024, 10, 29), end_date=date(2024, 10, 30)
    )
    delegates, vips = make_category(event, "Delegate"), make_category(event, "VIP")
    people = [
        make_registration(event, delegates, email="a@example.org", country="MM"),
        make_registration(event, delegates, email="b@example.org", country="MM"),
        make_registration(event, vips, email="c@example.org", country="TH"),
        make_registration(event, vips, email="d@example.org", country="TH"),
    ]
    day = date(2024, 10, 29)
    for person, (hour, minute) in zip(people[:3], [(2, 45), (3, 15), (3, 35)], strict=True):
        _db.session.add(
            CheckIn(
                event_id=event.id,
                registration_id=person.id,
                scope="day",
                day=day,
                station="Door A",
                scanned_at=datetime(2024, 10, 29, hour, minute, tzinfo=UTC),
            )
        )
    _db.session.commit()
    counts = arrivals(event)
    assert counts["by_day"] == {"2024-10-29": 3}
    assert counts["by_hour"] == [
        {
            "day": "2024-10-29",
            "label": "Tue 29 Oct",
            "total": 3,
            "hours": [
                {"time": "09:00–10:00", "count": 2, "percent": 67},
                {"time": "10:00–11:00", "count": 1, "percent": 33},
            ],
        }
    ]
    assert counts["time_zone"] == "Asia/Yangon"
    assert counts["by_category"] == {"Delegate": 2, "VIP": 1}
    assert set(counts["by_country"].values()) == {2, 1}
    assert counts["arrived"] == 3 and counts["confirmed"] == 4
    assert [p["id"] for p in counts["not_arrived"]] == [people[3].id]


def test_an_arrivals_poll_costs_the_same_statements_for_2_or_40_people_expected(db):
    """The screen polls every few seconds: the people still expected come with their
    category and delegation in one statement, not one query each."""
    from sqlalchemy import event as sa_event

    from conference.checkin.services import arrivals
    from conference.extensions import db as _db
    from conference.registration.models import Delegation

    event = make_event()
    delegates = make_category(event, "Delegate")

    def statements_of_a_poll():
        _db.session.expire_all()  # as in a new request: nothing loaded yet
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa_event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            found = arrivals(event)
        finally:
            sa_event.remove(_db.engine, "before_cursor_execute", listener)
        return len(seen), found

    def add_people(first, count):
        for n in range(first, first + count):
            delegation = Delegation(event_id=event.id, name=f"Delegation {n}", country="VN")
            _db.session.add(delegation)
            _db.session.flush()
            make_registration(event, delegates, delegation_id=delegation.id)

    add_people(0, 2)
    few, found = statements_of_a_poll()
    assert len(found["not_arrived"]) == 2
    add_people(2, 38)
    many, found = statements_of_a_poll()
    assert len(found["not_arrived"]) == 40
    assert {p["delegation"] for p in found["not_arrived"]} == {f"Delegation {n}" for n in range(40)}
    assert many == few


def counted_from_every_row(event) -> dict:
    """The arrivals as the check-ins and registrations say now, every row read."""
    from collections import Counter

    from conference.formatting import country_name
    from conference.registration.models import Registration

    door = db_rows(
        select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.session_id.is_(None))
    )
    confirmed = db_rows(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    arrived = {c.registration_id for c in door}
    expected = [r for r in confirmed if r.id not in arrived]
    expected.sort(key=lambda r: (r.category.name != "VIP", r.family_name, r.id))
    return {
        "confirmed": len(confirmed),
        "arrived": len(arrived),
        "by_day": dict(Counter(c.day.isoformat() for c in door)),
        "by_category": dict(Counter(c.registration.category.name for c in door)),
        "by_country": dict(Counter(country_name(c.registration.country) for c in door)),
        "not_arrived": [r.id for r in expected],
    }


def db_rows(query):
    from conference.extensions import db as _db

    return list(_db.session.scalars(query))


def as_counted(found: dict) -> dict:
    keys = ("confirmed", "arrived", "by_day", "by_category", "by_country")
    return {**{k: found[k] for k in keys}, "not_arrived": [p["id"] for p in found["not_arrived"]]}


def test_arrivals_count_what_the_rows_say_after_undos_cancellations_and_moves(db, door):
    """The counts follow undone check-ins, cancellations, a person moved to another
    category, a corrected country, and a person who came yesterday too (one arrival)."""
    from conference.checkin.services import arrivals, undo_check_in
    from conference.registration.places import move_to_category
    from conference.registration.registering import update_registration
    from tests.factories import delegate, make_user, registration_data

    event, first, _ = door
    delegates = first.category
    vips = make_category(event, "VIP")
    people = [
        first,
        delegate(event, delegates, family_name="Jaidee", country="TH"),
        delegate(event, vips, family_name="Kim", country="KR"),
        delegate(event, delegates, family_name="Aung", country="MM"),
        delegate(event, vips, family_name="Sato", country="JP"),
        delegate(event, vips, family_name="Abe", country="JP"),
        delegate(event, delegates, family_name="Lim", country="SG"),
    ]
    for person in people[:4]:
        check_in(event, station="Door A", registration_id=person.id)
    yesterday = today(BANGKOK) - timedelta(days=1)
    db.session.add(  # as an offline scanner synced it
        CheckIn(
            event_id=event.id,
            registration_id=people[2].id,
            scope=f"day:{yesterday.isoformat()}",
            day=yesterday,
            station="Door B",
            scanned_at=datetime.combine(yesterday, time(9), BANGKOK),
        )
    )
    db.session.commit()
    assert as_counted(arrivals(event)) == counted_from_every_row(event)

    mistaken = db.session.scalar(select(CheckIn).where(CheckIn.registration_id == people[3].id))
    undo_check_in(event, mistaken.id, user=make_user())
    change_status(people[1], "cancel", notify_delegate=False)  # came, then cancelled
    change_status(people[4], "cancel", notify_delegate=False)  # expected, then cancelled
    move_to_category(people[0], vips.id)
    update_registration(
        people[2],
        registration_data(vips, family_name="Kim", email=people[2].email, country="SG"),
        by_organiser=True,
    )
    db.session.commit()
    counted = counted_from_every_row(event)
    assert as_counted(arrivals(event)) == counted
    assert counted["arrived"] == 3 and len(counted["by_day"]) == 2
    assert counted["by_category"] == {"VIP": 3, "Delegate": 1}
    assert counted["not_arrived"] == [people[5].id, people[3].id, people[6].id]
