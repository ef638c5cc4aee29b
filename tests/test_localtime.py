"""Event-local time: the one module every page converts through."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from conference import localtime
from conference.errors import ValidationError

BANGKOK = ZoneInfo("Asia/Bangkok")
BERLIN = ZoneInfo("Europe/Berlin")


def test_wall_clock_and_back_are_inverse():
    local = datetime(2024, 11, 12, 9, 30)
    stored = localtime.to_utc(local, BANGKOK)
    assert stored == datetime(2024, 11, 12, 2, 30, tzinfo=UTC)
    assert localtime.wall_clock(stored, BANGKOK) == local
    assert localtime.to_local(stored, BANGKOK).hour == 9


def test_a_time_skipped_by_daylight_saving_is_refused_naming_the_zone():
    with pytest.raises(ValidationError) as refused:
        localtime.to_utc(datetime(2024, 3, 31, 2, 30), BERLIN, field="starts")
    assert "Europe/Berlin" in refused.value.message
    assert refused.value.field == "starts"


def test_a_time_that_happens_twice_means_the_first():
    stored = localtime.to_utc(datetime(2024, 10, 27, 2, 30), BERLIN)
    assert stored == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # still summer time


def test_none_passes_through_and_aware_times_are_only_converted():
    assert localtime.to_utc(None, BANGKOK) is None
    assert localtime.to_local(None, BANGKOK) is None
    assert localtime.wall_clock(None, BANGKOK) is None
    aware = datetime(2024, 11, 12, 9, 0, tzinfo=BANGKOK)
    assert localtime.to_utc(aware, BERLIN) == datetime(2024, 11, 12, 2, 0, tzinfo=UTC)


def test_day_bounds_and_today_follow_the_zone():
    start, end = localtime.day_bounds(date(2024, 3, 31), BERLIN)
    assert (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() == 23 * 3600
    late_utc = datetime(2024, 11, 12, 20, 0, tzinfo=UTC)
    assert localtime.today(BANGKOK, late_utc) == date(2024, 11, 13)
