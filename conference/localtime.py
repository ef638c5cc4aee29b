"""Event-local time, in one place.

Times are stored in UTC; organisers type and read them on the event's wall clock. Every
conversion between the two goes through here, so the rules are the same on every page:

- a wall-clock time that does not exist (the hour skipped when clocks go forward) is
  refused with a message naming the zone;
- a wall-clock time that happens twice (when clocks go back) means its first occurrence;
- ``None`` passes through, for optional times.

No Flask and no database: plain values in, plain values out.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from conference.errors import ValidationError


def to_utc(local: datetime | None, tz: ZoneInfo, *, field: str | None = None) -> datetime | None:
    """A wall-clock time in ``tz`` (naive) as an aware UTC time; an aware time is only
    converted. Refuses a time that does not exist in ``tz``."""
    if local is None:
        return None
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise ValidationError(
            f"{local:%d %b %Y %H:%M} does not exist in {tz.key} (the clocks jump "
            "forward then): choose another time.",
            field=field,
        )
    return aware.astimezone(UTC)


def to_local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A stored (aware) time on ``tz``'s clock, still aware."""
    return moment.astimezone(tz) if moment is not None else None


def wall_clock(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A stored time as the naive wall-clock time a form field shows."""
    return moment.astimezone(tz).replace(tzinfo=None) if moment is not None else None


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """One day in ``tz`` as aware times: local midnight to the next local midnight."""
    return datetime.combine(day, time.min, tz), datetime.combine(
        day + timedelta(days=1), time.min, tz
    )


def today(tz: ZoneInfo, now: datetime | None = None) -> date:
    """The date it is now (or at ``now``) in ``tz``."""
    return (now or datetime.now(UTC)).astimezone(tz).date()
