"""The organisers' dashboard: registrations by status and category over time, what waits
for them, today's arrivals and the latest activity, counted by the database; and where
each account lands after signing in."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import update

from conference.agenda.models import AgendaSession, Room
from conference.checkin.models import CheckIn
from conference.events.dashboard import event_dashboard
from conference.events.models import Event
from conference.localtime import today
from conference.registration.models import Registration
from conference.registration.places import change_status
from conference.registration.validation import PassportData
from conference.registration.visa import approve_letter
from tests.conftest import log_in
from tests.factories import (
    PASSWORD,
    bulk_registrations,
    delegate,
    give_role,
    make_category,
    make_event,
    make_organiser,
    make_user,
    organiser_of,
)

BANGKOK = ZoneInfo("Asia/Bangkok")


def _made_at(db, registration, moment: datetime) -> None:
    db.session.execute(
        update(Registration).where(Registration.id == registration.id).values(created_at=moment)
    )
    db.session.commit()


@pytest.fixture
def running(db):
    """An event happening today (Bangkok): registrations made over three local days, of
    several statuses and two categories, visa requests, check-ins today and yesterday."""
    day = today(BANGKOK)
    event = make_event(start_date=day - timedelta(days=1), end_date=day + timedelta(days=1))
    event.visa_letter_text = "We invite {name}."
    delegates = make_category(event, "Delegate", badge_colour="#1f77b4")
    vips = make_category(event, "VIP", requires_approval=True, badge_colour="#d62728")
    born = datetime(1980, 5, 17).date()
    passport = PassportData("SOKHA CHAN", "N01234567", "KH", born, day + timedelta(days=900))
    people = {
        "a": delegate(event, delegates, given_name="Anan", country="TH"),
        "b": delegate(event, delegates, given_name="Bopha", visa_requested=True, passport=passport),
        "c": delegate(event, delegates, given_name="Chen"),
        "d": delegate(event, vips, given_name="Dara"),  # pending approval
        "e": delegate(event, vips, given_name="Eiko", visa_requested=True, passport=passport),
    }
    approve_letter(people["b"], organiser_of(event))
    change_status(people["c"], "cancel", notify_delegate=False)
    db.session.commit()
    # Made on three event-local days: 23:30 UTC is the next morning in Bangkok.
    two_days_ago = day - timedelta(days=2)
    local = datetime.combine(two_days_ago, time(9), BANGKOK)
    _made_at(db, people["a"], local)
    _made_at(db, people["b"], local + timedelta(hours=5))
    _made_at(db, people["c"], datetime.combine(two_days_ago, time(23, 30), UTC))  # next day
    _made_at(db, people["d"], datetime.combine(day, time(8), BANGKOK))
    _made_at(db, people["e"], datetime.combine(day, time(9), BANGKOK))
    room = Room(event_id=event.id, name="Room A", capacity=40, position=1)
    session = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Learning cities for all",
        room=room,
        starts_at=datetime.combine(day, time(9), BANGKOK),
        ends_at=datetime.combine(day, time(10), BANGKOK),
    )
    db.session.add_all([room, session])
    db.session.flush()
    now = datetime.now(UTC)

    def arrived(person, on, session_id=None):
        scope = f"session:{session_id}" if session_id else f"day:{on.isoformat()}"
        db.session.add(
            CheckIn(
                event_id=event.id,
                registration_id=person.id,
                scope=scope,
                day=on,
                session_id=session_id,
                station="Door A",
                scanned_at=now,
            )
        )

    arrived(people["a"], day)
    arrived(people["b"], day)
    arrived(people["a"], day - timedelta(days=1))  # yesterday: not today's
    arrived(people["a"], day, session.id)  # a room: not an arrival at the door
    db.session.commit()
    return event, people, day


def test_the_figures_are_counted_right(db, running):
    event, people, day = running
    board = event_dashboard(event)
    assert board.total == 5
    assert board.by_status == {
        "confirmed": 2,
        "pending_approval": 2,
        "waitlisted": 0,
        "rejected": 0,
        "cancelled": 1,
    }
    rows = {row.name: (row.counts, row.total) for row in board.rows}
    assert rows["Delegate"][1] == 3 and rows["Delegate"][0]["cancelled"] == 1
    assert rows["VIP"] == ({**dict.fromkeys(board.by_status, 0), "pending_approval": 2}, 2)
    assert board.visa == {"requested": 1, "approved": 1, "refused": 0}
    assert board.waiting == 1
    assert board.arrivals_today == 2 and board.arrivals_day == day


def test_registrations_are_charted_by_their_event_local_day(db, running):
    event, people, day = running
    board = event_dashboard(event)
    assert not board.weekly
    assert [p.start for p in board.periods] == [day - timedelta(days=n) for n in (2, 1, 0)]
    assert [p.made for p in board.periods] == [2, 1, 2]  # Chen's 23:30 UTC is the next day
    assert [p.running for p in board.periods] == [2, 3, 5]
    last = board.periods[-1].total
    assert (last["confirmed"], last["pending_approval"], last["cancelled"]) == (2, 2, 1)
    delegates = people["a"].category_id
    assert board.periods[0].total[f"c{delegates}"] == 2
    assert [layer.label for layer in board.status_chart.layers] == [
        "Confirmed",
        "Pending approval",
        "Cancelled",
    ]
    assert [layer.colour for layer in board.category_chart.layers] == ["#1f77b4", "#d62728"]
    assert board.summary.startswith("5 registrations from ")
    assert "2 confirmed, 2 pending approval, 1 cancelled." in board.summary


def test_a_long_registration_period_is_charted_week_by_week(db):
    event = make_event()
    category = make_category(event, "Delegate")
    early, late = delegate(event, category), delegate(event, category)
    _made_at(db, early, datetime(2026, 1, 7, 3, tzinfo=UTC))  # a Wednesday
    _made_at(db, late, datetime(2026, 5, 1, 3, tzinfo=UTC))
    board = event_dashboard(event, now=datetime(2026, 5, 2, tzinfo=UTC))
    assert board.weekly
    assert board.periods[0].start.isoformat() == "2026-01-05"  # its Monday
    assert board.periods[0].label == "Week of 5 Jan"
    assert board.periods[-1].running == 2 and sum(p.made for p in board.periods) == 2


def test_the_page_shows_the_figures_the_chart_and_its_table(client, db, login, running):
    event, people, day = running
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/dashboard")
    assert page.status_code == 200
    text = page.text
    assert '<span class="display-6" data-figure="total">5</span>' in text
    assert 'data-figure="pending_approval">2<' in text and 'data-figure="visa_waiting">1<' in text
    assert 'data-figure="arrivals_today">2<' in text
    assert f'href="/events/{event.slug}/registrations/?status=pending_approval"' in text
    assert f'href="/events/{event.slug}/visa-requests"' in text
    assert text.count('<svg class="chart"') == 2 and 'role="img"' in text
    assert '<title id="chart-status-title">Registrations to date, by status</title>' in text
    assert '<desc id="chart-status-desc">5 registrations from' in text
    assert "<caption" in text and "<script>" not in text  # a table says it too; no inline script
    # The latest activity: newest first, each naming its registration.
    feed = text[text.index('id="latest-heading"') :]
    assert feed.index("Cancelled: confirmed → cancelled") < feed.index("Visa letter approved")
    assert f"/events/{event.slug}/registrations/{people['c'].id}" in feed
    # The dashboard is the first tab.
    tabs = text[text.index("nav-tabs") :]
    assert tabs.index("Dashboard") < tabs.index("Registrations")


def test_an_event_without_registrations_says_so(client, db, login):
    event = make_event()
    login(organiser_of(event))
    text = client.get(f"/events/{event.slug}/dashboard").text
    assert "No registrations yet." in text and 'data-figure="total">0<' in text
    assert "Nothing has happened yet" in text


def test_only_the_event_s_organisers_see_its_dashboard(client, db, login):
    event = make_event()
    other = make_event()
    url = f"/events/{event.slug}/dashboard"
    assert client.get(url).status_code == 302
    staff = make_user()
    give_role(event, staff, "checkin")
    login(staff)
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(organiser_of(other))
    assert client.get(url).status_code == 403


def test_its_cost_does_not_grow_with_the_registrations(db):
    """The same statements at 3 registrations and at 3,000, and no registration loaded
    beyond the dozen of the latest activity."""
    small, large = make_event(), make_event()
    for event, count in ((small, 3), (large, 3000)):
        bulk_registrations(event, make_category(event, "Delegate"), count)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    results = {}
    for event_id in (small.id, large.id):
        db.session.expunge_all()
        event = db.session.get(Event, event_id)
        event.tz  # noqa: B018 (loaded before the count starts)
        statements.clear()
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            board = event_dashboard(event)
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        loaded = sum(isinstance(o, Registration) for o in db.session.identity_map.values())
        results[event_id] = (len(statements), loaded, board.total)
    assert results[small.id][0] == results[large.id][0]
    assert results[large.id][1] <= 12 and results[large.id][2] == 3000


# Where each account lands after signing in -------------------------------------------------


def _landing(client, user, **query):
    response = client.post(
        "/login", query_string=query, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response.headers["Location"]


def test_the_organiser_of_one_event_lands_on_its_dashboard(client, db):
    event = make_event()
    assert _landing(client, organiser_of(event)) == f"/events/{event.slug}/dashboard"


def test_the_page_asked_for_comes_first(client, db):
    event = make_event()
    assert _landing(client, organiser_of(event), next="/account") == "/account"


def test_an_organiser_of_several_events_lands_on_the_list_linking_each_dashboard(client, db):
    olivia = make_user(name="Olivia")
    first, second = make_event(olivia), make_event(olivia)
    someone_else_s = make_event()
    assert _landing(client, olivia) == "/"
    text = client.get("/").text
    assert f'href="/events/{first.slug}/dashboard"' in text
    assert f'href="/events/{second.slug}/dashboard"' in text
    assert f'href="/events/{someone_else_s.slug}/dashboard"' not in text


def test_door_staff_land_on_the_scanner(client, db):
    event = make_event()
    staff = make_user()
    give_role(event, staff, "checkin")
    assert _landing(client, staff) == f"/events/{event.slug}/checkin"


def test_staff_who_also_review_and_everyone_else_land_on_the_events_list(app, db):
    event = make_event()
    both, reviewer, nobody = make_user(), make_user(), make_user()
    give_role(event, both, "checkin")
    give_role(event, both, "reviewer")
    give_role(event, reviewer, "reviewer")
    for user in (both, reviewer, nobody, make_user(is_admin=True)):
        assert _landing(app.test_client(), user) == "/"


def test_a_second_organiser_lands_on_the_dashboard_too(app, db):
    event = make_event()
    olivia = make_organiser(event)
    client = app.test_client()
    assert log_in(client, olivia.email, PASSWORD).headers["Location"] == (
        f"/events/{event.slug}/dashboard"
    )
    # Signed in already, the sign-in page sends them there too.
    assert client.get("/login").headers["Location"] == f"/events/{event.slug}/dashboard"
