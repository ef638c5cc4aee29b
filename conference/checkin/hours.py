"""Arrivals by hour as organisers read them: each day's hours as times in the event's zone
("09:00–10:00") with their share of that day's arrivals. Pure: no Flask, no database."""

from collections.abc import Mapping
from datetime import date


def percentages(counts: list[int]) -> list[int]:
    """Whole percentages of the total that add up to exactly 100 (largest remainders get
    the points rounding leaves over); all 0 for no counts."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    exact = [100 * c / total for c in counts]
    shares = [int(x) for x in exact]
    left = 100 - sum(shares)
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += 1
    return shares


def hour_label(hour: int) -> str:
    """The hour from ``hour`` o'clock to the next: "09:00–10:00", "23:00–00:00"."""
    return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


def day_label(day: date) -> str:
    """ "Tue 29 Oct"."""
    return f"{day:%a} {day.day} {day:%b}"


def arrival_hours(counts: Mapping[tuple[date, int], int]) -> list[dict]:
    """Arrivals by (day, local hour) as the page lists them: per day in order, its total
    and its hours in order, each with its count and its percentage of the day."""
    days: dict[date, dict[int, int]] = {}
    for (day, hour), count in sorted(counts.items()):
        days.setdefault(day, {})[hour] = count
    listed = []
    for day, hours in days.items():
        shares = percentages(list(hours.values()))
        listed.append(
            {
                "day": day.isoformat(),
                "label": day_label(day),
                "total": sum(hours.values()),
                "hours": [
                    {"time": hour_label(hour), "count": count, "percent": share}
                    for (hour, count), share in zip(hours.items(), shares, strict=True)
                ],
            }
        )
    return listed
