"""The editor's script in Chromium: a change the server refuses is explained on the page,
with the reason the server gave, never in a dialog box."""

from datetime import date, datetime, timedelta

from playwright.sync_api import expect

from conference.agenda.models import AgendaSession, Room, Talk
from conference.agenda.sessions import SessionDetails, save_session
from conference.extensions import db
from tests.factories import PASSWORD, make_event, make_user


def build(app):
    """One room, a session with two talks, and a second session."""
    with app.app_context():
        organiser = make_user("organiser@example.org")
        start = date.today() + timedelta(days=20)
        event = make_event(organiser, slug="asean3", start_date=start, end_date=start)
        lotus = Room(event_id=event.id, name="Lotus Room", capacity=80)
        db.session.add(lotus)
        db.session.flush()

        def at(hour, minute=0):
            return datetime(start.year, start.month, start.day, hour, minute)

        a = save_session(
            event,
            None,
            SessionDetails("parallel", "Parallel A", at(13, 30), at(15), room_id=lotus.id),
        )
        b = save_session(
            event,
            None,
            SessionDetails("parallel", "Parallel B", at(15, 30), at(17), room_id=lotus.id),
        )
        first = Talk(event_id=event.id, session=a, title="Son La", duration_minutes=20)
        second = Talk(event_id=event.id, session=a, title="Yala", duration_minutes=20, position=1)
        first.starts_at, second.starts_at = a.starts_at, a.starts_at + timedelta(minutes=20)
        db.session.add_all([first, second])
        db.session.commit()
        ids = {"day": start.isoformat(), "a": a.id, "b": b.id, "room": lotus.id}
        ids.update(first=first.id, second=second.id)
        db.session.remove()
        return ids


def delete(app, model, row_id):
    """Someone else deletes it, in another tab, while the page is open."""
    with app.app_context():
        db.session.delete(db.session.get(model, row_id))
        db.session.commit()
        db.session.remove()


def sign_in(page, live_server):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


def test_a_refused_drag_on_the_grid_shows_the_servers_reason(live_server, page):
    ids = build(live_server.app)
    dialogs = sign_in(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 1400})
    page.goto(f"{live_server.url}/events/asean3/agenda/edit?day={ids['day']}")
    delete(live_server.app, AgendaSession, ids["b"])
    page.drag_and_drop(
        f'.session-block[data-session-id="{ids["b"]}"]',
        f'td.slot[data-room-id="{ids["room"]}"][data-starts="{ids["day"]}T09:00"]',
    )
    # The JSON error's detail ("message"), not its title ("Not found").
    expect(page.get_by_role("alert")).to_have_text("There is no such session in this event.")
    assert dialogs == []


def test_a_refused_reorder_of_talks_is_explained_beside_them(live_server, page):
    ids = build(live_server.app)
    dialogs = sign_in(page, live_server)
    page.goto(f"{live_server.url}/events/asean3/agenda/edit/sessions/{ids['a']}")
    delete(live_server.app, Talk, ids["second"])
    page.drag_and_drop(
        f'.talk-row[data-talk-id="{ids["second"]}"]', f'.talk-row[data-talk-id="{ids["first"]}"]'
    )
    expect(page.get_by_role("alert")).to_have_text("There is no such talk in this event.")
    assert dialogs == []
