"""An event's dashboard for its organisers: registrations by status and category over
time, what waits for them (approvals, visa letters), today's arrivals, the latest activity.

Everything is counted by the database with GROUP BY: one pass over an index of the
event's registrations (``ix_registration_event_created``: day, status and category) gives
every figure of the chart, the table and the cards, so the page costs the same kind of
query at 100 registrations or 100,000, and no registration is loaded.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Date, cast, func, select

from conference.charts import StackedChart, stacked_area
from conference.checkin.models import CheckIn
from conference.extensions import db
from conference.localtime import today
from conference.registration.history import latest_activity
from conference.registration.models import STATUS_LABELS, Category, Registration
from conference.registration.visa import visa_request_counts

# The statuses in the order the chart stacks them (those holding a place at the bottom).
STATUS_COLOURS = {
    "confirmed": "#198754",
    "pending_approval": "#b7791f",
    "waitlisted": "#6f42c1",
    "rejected": "#adb5bd",
    "cancelled": "#6c757d",
}
DAILY_UP_TO = 62  # days; a longer registration period is charted week by week


@dataclass
class Period:
    """A day or a week of the chart: its label and, per series, the registrations made in
    it and up to its end."""

    start: date
    label: str
    new: dict = field(default_factory=dict)  # series key -> registrations made in it
    total: dict = field(default_factory=dict)  # series key -> up to its end
    made: int = 0  # registrations made in it
    running: int = 0  # registrations made up to its end


@dataclass
class CategoryRow:
    """A line of the status × category table."""

    id: int | None
    name: str
    colour: str
    counts: dict  # status -> count
    total: int


@dataclass
class Dashboard:
    total: int
    by_status: dict  # status -> count, every status
    rows: list[CategoryRow]
    weekly: bool
    periods: list[Period]
    status_chart: StackedChart
    category_chart: StackedChart
    status_series: list[tuple[str, str, str]]  # (key, label, colour) in stacking order
    category_series: list[tuple[str, str, str]]
    visa: dict  # visa request state -> count
    visa_need_approval: bool
    arrivals_today: int
    arrivals_day: date
    during_event: bool
    latest: list = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None

    @property
    def summary(self) -> str:
        """The charts in one sentence, for those who cannot see them."""
        if not self.total:
            return "No registrations yet."
        parts = ", ".join(
            f"{n:,} {STATUS_LABELS[s].lower()}" for s, n in self.by_status.items() if n
        )
        first, last = self.first_day, self.last_day
        return (
            f"{self.total:,} registrations from {first.day} {first:%b %Y} to "
            f"{last.day} {last:%b %Y}: {parts}."
        )

    @property
    def waiting(self) -> int:
        """Visa letters waiting for the organisers' decision."""
        return self.visa.get("requested", 0) if self.visa_need_approval else 0


def _local_day(column, event):
    """The event-local day of a stored (naive UTC) time, worked out by the database.

    PostgreSQL converts with the event's time zone itself; SQLite, which knows no zones,
    adds the zone's offset at the event's start (an event whose zone changes its clocks
    while registration is open may see a registration made within an hour of midnight
    counted on the next or the previous day there)."""
    if db.session.get_bind().dialect.name == "postgresql":
        utc = func.timezone("UTC", column)
        return cast(func.timezone(event.timezone, utc), Date)
    start = datetime.combine(event.start_date, datetime.min.time(), event.tz)
    minutes = int(start.utcoffset().total_seconds() // 60)
    return func.date(column, f"{minutes:+d} minutes")


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def counts_by_day(event) -> list[tuple[date, str, int, int]]:
    """(event-local day, status, category id, registrations): one GROUP BY."""
    made = (
        select(
            _local_day(Registration.created_at, event).label("day"),
            Registration.status.label("status"),
            Registration.category_id.label("category_id"),
        )
        .where(Registration.event_id == event.id)
        .subquery()
    )
    rows = db.session.execute(
        select(made.c.day, made.c.status, made.c.category_id, func.count()).group_by(
            made.c.day, made.c.status, made.c.category_id
        )
    )
    return [(_as_date(day), status, category_id, n) for day, status, category_id, n in rows]


def _periods(first: date, last: date) -> tuple[bool, list[Period]]:
    weekly = (last - first).days + 1 > DAILY_UP_TO
    if weekly:
        start = first - timedelta(days=first.weekday())  # the Monday of its week
        step = timedelta(days=7)
    else:
        start, step = first, timedelta(days=1)
    periods = []
    while start <= last:
        label = f"{start.day} {start:%b}"
        periods.append(Period(start, f"Week of {label}" if weekly else label))
        start += step
    return weekly, periods


def arrivals_today(event, day: date) -> int:
    """People checked in at the door on this event-local day (the (event, day) index)."""
    return db.session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.event_id == event.id, CheckIn.day == day, CheckIn.session_id.is_(None))
    )


def event_dashboard(event, now: datetime | None = None) -> Dashboard:
    """Every figure of the event's dashboard."""
    now = now or datetime.now(UTC)
    day_today = today(event.tz, now)
    categories = list(
        db.session.execute(
            select(Category.id, Category.name, Category.badge_colour)
            .where(Category.event_id == event.id)
            .order_by(Category.position, Category.id)
        )
    )
    rows = counts_by_day(event)
    by_status = dict.fromkeys(STATUS_LABELS, 0)
    by_category: dict = {}
    for _, status, category_id, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        cell = by_category.setdefault(category_id, dict.fromkeys(STATUS_LABELS, 0))
        cell[status] = cell.get(status, 0) + n
    table = [
        CategoryRow(cid, name, colour, by_category.get(cid, dict.fromkeys(STATUS_LABELS, 0)), 0)
        for cid, name, colour in categories
    ]
    for row in table:
        row.total = sum(row.counts.values())

    status_series = [(s, STATUS_LABELS[s], c) for s, c in STATUS_COLOURS.items()]
    category_series = [(f"c{cid}", name, colour) for cid, name, colour in categories]
    weekly, periods = False, []
    first = last = None
    if rows:
        first = min(day for day, *_ in rows)
        last = max(day for day, *_ in rows)
        if first <= day_today <= event.end_date:
            last = max(last, day_today)  # registration goes on: the chart runs to today
        weekly, periods = _periods(first, last)
        index = {p.start: i for i, p in enumerate(periods)}
        for day, status, category_id, n in rows:
            start = day - timedelta(days=day.weekday()) if weekly else day
            period = periods[index[start]]
            period.made += n
            for key in (status, f"c{category_id}"):
                period.new[key] = period.new.get(key, 0) + n
        running: dict = {}
        made = 0
        for period in periods:
            for key, n in period.new.items():
                running[key] = running.get(key, 0) + n
            period.total = dict(running)
            made += period.made
            period.running = made
    labels = [p.label.removeprefix("Week of ") for p in periods]

    def chart(series):
        return stacked_area(
            labels,
            [
                (label, colour, [p.total.get(key, 0) for p in periods])
                for key, label, colour in series
            ],
        )

    return Dashboard(
        total=sum(by_status.values()),
        by_status=by_status,
        rows=table,
        weekly=weekly,
        periods=periods,
        status_chart=chart(status_series),
        category_chart=chart(category_series),
        status_series=status_series,
        category_series=category_series,
        visa=visa_request_counts(event),
        visa_need_approval=bool(event.visa_letters_need_approval),
        arrivals_today=arrivals_today(event, day_today),
        arrivals_day=day_today,
        during_event=event.start_date <= day_today <= event.end_date,
        latest=latest_activity(event),
        first_day=first,
        last_day=last,
    )
