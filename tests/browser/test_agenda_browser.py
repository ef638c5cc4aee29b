"""The agenda in Chromium: an organiser drags sessions on the grid, sees a conflict appear
and disappear, publishes; a delegate signs up for a parallel session."""

import re
from datetime import date, datetime, timedelta

from playwright.sync_api import expect

from conference.agenda.models import Room, Talk
from conference.agenda.sessions import SessionDetails, save_session
from conference.extensions import db
from conference.registration.links import manage_token
from tests.factories import PASSWORD, make_category, make_event, make_registration, make_user


def build_small_agenda(app):
    """Two rooms, two parallel sessions: Hà Trung Chiến presents in A and chairs B."""
    with app.app_context():
        organiser = make_user("organiser@example.org")
        start = date.today() + timedelta(days=20)
        event = make_event(organiser, slug="asean3", start_date=start, end_date=start)
        category = make_category(event, "Delegate")
        speaker = make_registration(event, category, email="chien@sonla.example")
        delegate = make_registration(
            event,
            category,
            given_name="Somchai",
            family_name="Jaidee",
            native_name="สมชาย ใจดี",
            country="TH",
            email="somchai@bangkok.example",
            organisation="Bangkok Metropolitan Administration",
        )
        lotus = Room(event_id=event.id, name="Lotus Room", capacity=80, position=0)
        orchid = Room(event_id=event.id, name="Orchid Room", capacity=40, position=1)
        db.session.add_all([lotus, orchid])
        db.session.flush()

        def at(hour, minute=0):
            return datetime(start.year, start.month, start.day, hour, minute)

        a = save_session(
            event,
            None,
            SessionDetails(
                "parallel", "Parallel A: no one left behind", at(13, 30), at(15), room_id=lotus.id
            ),
        )
        b = save_session(
            event,
            None,
            SessionDetails(
                "parallel",
                "Parallel B: climate resilience",
                at(15, 30),
                at(17),
                room_id=orchid.id,
                chair_ids=(speaker.id,),
            ),
        )
        talk = Talk(
            event_id=event.id,
            session=a,
            title="Son La: building a learning city where no one is left behind",
            starts_at=a.starts_at + timedelta(minutes=5),
            duration_minutes=25,
        )
        talk.presenters.append(speaker)
        db.session.add(talk)
        db.session.commit()
        ids = {
            "day": start.isoformat(),
            "a": a.id,
            "b": b.id,
            "orchid": orchid.id,
            "token": manage_token(delegate),
        }
        db.session.remove()
        return ids


def drag(page, source, target):
    with page.expect_navigation():
        page.drag_and_drop(source, target)


def test_organiser_builds_the_agenda_by_dragging_publishes_and_a_delegate_signs_up(
    live_server, page
):
    ids = build_small_agenda(live_server.app)
    day = ids["day"]

    page.goto(live_server.url + "/login")
    page.get_by_label("E-mail").fill("organiser@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole day in view
    page.goto(f"{live_server.url}/events/asean3/agenda/edit?day={day}")

    conflicts = page.locator("#conflicts li.conflict")
    publish = page.locator("#publish-button")
    expect(conflicts).to_have_count(0)
    expect(publish).to_be_enabled()

    # Session B dragged to 13:30 in its room: its chair now presents in A at the same time.
    block_b = f'.session-block[data-session-id="{ids["b"]}"]'
    drag(page, block_b, f'td.slot[data-room-id="{ids["orchid"]}"][data-starts="{day}T13:30"]')
    expect(page.locator(block_b)).to_have_attribute("data-starts", f"{day}T13:30")
    person = page.locator('#conflicts li.conflict[data-conflict-kind="person_overlap"]')
    expect(person).to_have_count(1)
    # Named once, family name first: the native name only adds the diacritics.
    expect(person).to_contain_text("Hà Trung Chiến is in two places")
    expect(publish).to_be_disabled()

    # Dragged back to 15:30: the conflict is gone and publishing is open again.
    drag(page, block_b, f'td.slot[data-room-id="{ids["orchid"]}"][data-starts="{day}T15:30"]')
    expect(page.locator(block_b)).to_have_attribute("data-starts", f"{day}T15:30")
    expect(conflicts).to_have_count(0)
    expect(publish).to_be_enabled()
    publish.click()
    expect(page.get_by_text(re.compile(r"Version 1 of the agenda is published"))).to_be_visible()

    # The public sees the published agenda.
    page.goto(f"{live_server.url}/events/asean3/agenda?day={day}")
    expect(page.get_by_text("Parallel A: no one left behind").first).to_be_visible()
    expect(page.get_by_text("Parallel B: climate resilience").first).to_be_visible()

    # A delegate chooses a parallel session through their private link.
    page.goto(f"{live_server.url}/events/asean3/manage/{ids['token']}/agenda")
    choice = page.locator(f"#session-{ids['b']}")
    choice.get_by_role("button", name="Sign up").click()
    expect(page.locator(f"#session-{ids['b']}").get_by_text("Your choice")).to_be_visible()
    expect(page.locator(f"#session-{ids['b']}")).to_contain_text("39 of 40 places left")
