"""The time a scan counts at: bounded back-dating, no future, within the event's days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conference.checkin.services import ScanRefused, checked_scan_time
from conference.errors import ValidationError

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
