"""The organisers' agenda editor through HTTP: the grid, JSON moves, forms, permissions."""

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from conference.agenda import talks
from conference.agenda.models import AgendaSession, Room, Talk
from conference.agenda.publishing import latest_publication
from conference.agenda.sessions import SessionDetails, save_session
from tests.factories import (
    PASSWORD,
    accepted_paper,
    give_role,
    make_category,
    make_event,
    make_registration,
    organiser_of,
    session_form,
)


def setup_agenda(db, event):
    """Two rooms, a plenary in the first, a parallel session with a talk in the second."""
    ballroom = Room(event_id=event.id, name="Grand Ballroom", capacity=600, position=0)
    lotus = Room(event_id=event.id, name="Lotus Room", capacity=80, position=1)
    db.session.add_all([ballroom, lotus])
    db.session.flush()
    day = event.start_date

    def at(hour, minute=0):
        return datetime(day.year, day.month, day.day, hour, minute)

    plenary = save_session(
        event,
        None,
        SessionDetails("plenary", "Opening plenary", at(9), at(10, 30), room_id=ballroom.id),
    )
    parallel = save_session(
        event,
        None,
        SessionDetails("parallel", "Parallel session A", at(13, 30), at(15), room_id=lotus.id),
    )
    talk = Talk(
        event_id=event.id,
        session=parallel,
        title="Son La: no one left behind",
        duration_minutes=25,
        starts_at=parallel.starts_at,
    )
    waiting = Talk(event_id=event.id, title="Yala: learning in parks", duration_minutes=20)
    db.session.add_all([talk, waiting])
    db.session.commit()
    return ballroom, lotus, plenary, parallel, talk, waiting


def move_url(event, session):
    return f"/events/{event.slug}/agenda/sessions/{session.id}/move"


def test_the_grid_shows_rooms_sessions_unplaced_talks_and_sign_ups(client, db, login):
    event = make_event()
    ballroom, lotus, plenary, parallel, talk, waiting = setup_agenda(db, event)
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/agenda/edit?day={event.start_date.isoformat()}")
    assert page.status_code == 200
    html = page.text
    assert "Grand Ballroom" in html and "Lotus Room" in html
    assert f'data-session-id="{parallel.id}"' in html
    assert re.search(rf'data-room-id="{lotus.id}"\s+data-starts="[0-9-]+T13:30"', html)
    assert "0/80 signed up" in html  # sign-ups against the room's capacity
    assert f'data-talk-id="{waiting.id}"' in html and "Yala: learning in parks" in html
    assert "Times in Asia/Bangkok (UTC+07:00)" in html
    assert "No conflicts" in html and 'id="publish-button"' in html
    assert " style=" not in html and not re.search(r"<script(?![^>]*src=)", html)


def test_every_row_of_the_grid_is_headed_by_its_time(client, db, login):
    """A screen reader names a cell by its row's header: the rows between the half hours
    (every five minutes) carry their time too, for it alone."""
    event = make_event()
    setup_agenda(db, event)
    login(organiser_of(event))
    html = client.get(f"/events/{event.slug}/agenda/edit").text
    headers = re.findall(r'<th scope="row" class="time-col">(.*?)</th>', html)
    assert len(headers) == 12 * 10  # 08:00 to 18:00, every five minutes
    assert headers[0] == "<span>08:00</span>"
    assert headers[1] == '<span class="visually-hidden">08:05</span>'
    assert headers[6] == "<span>08:30</span>"
    assert headers[-1] == '<span class="visually-hidden">17:55</span>'


def test_the_agenda_tab_leads_organisers_to_the_editor(client, db, login):
    event = make_event()
    login(organiser_of(event))
    html = client.get(f"/events/{event.slug}/registrations/").text
    assert f'href="/events/{event.slug}/agenda/edit"' in html


@pytest.mark.parametrize("who", ["delegate", "other_organiser", "checkin_staff"])
def test_only_the_events_organisers_may_edit_its_agenda(client, db, login, who):
    from tests.factories import make_user

    event = make_event()
    _, lotus, plenary, *_ = setup_agenda(db, event)
    user = make_user()
    if who == "other_organiser":
        make_event(user)
    elif who == "checkin_staff":
        give_role(event, user, "checkin")
    else:
        make_registration(event, make_category(event), email=user.email)
    login(user)
    before = plenary.starts_at
    assert client.get(f"/events/{event.slug}/agenda/edit").status_code == 403
    assert client.get(f"/events/{event.slug}/agenda/edit/sessions/{plenary.id}").status_code == 403
    response = client.post(
        move_url(event, plenary),
        json={"room_id": lotus.id, "starts": f"{event.start_date}T16:00"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.get_json()["status"] == 403
    db.session.expire_all()
    assert plenary.starts_at == before and plenary.room_id != lotus.id


def test_signing_in_is_needed(client, db):
    event = make_event()
    response = client.get(f"/events/{event.slug}/agenda/edit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_drag_moves_the_session_and_reports_the_conflict_it_makes(client, db, login):
    event = make_event()
    ballroom, lotus, plenary, parallel, talk, _ = setup_agenda(db, event)
    login(organiser_of(event))
    response = client.post(
        move_url(event, parallel),
        json={"room_id": ballroom.id, "starts": f"{event.start_date}T10:00"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True and body["hard"] == 1
    assert body["session"]["starts"].endswith("T10:00") and body["session"]["ends"].endswith(
        "T11:30"
    )
    [conflict] = body["conflicts"]
    assert conflict["kind"] == "room_double_booked"
    # In the event's time (Bangkok), not UTC.
    assert re.search(r"\d+ \w{3} 09:00–10:30\) and .*\d+ \w{3} 10:00–11:30\)", conflict["message"])
    assert sorted(conflict["sessions"]) == sorted([plenary.id, parallel.id])
    db.session.expire_all()
    assert parallel.room_id == ballroom.id
    assert talk.starts_at == parallel.starts_at  # the talk came along

    html = client.get(f"/events/{event.slug}/agenda/edit").text
    assert "Grand Ballroom is booked twice" in html
    assert re.search(r'id="publish-button"[^>]*disabled', html)
    assert "Publishing is blocked" in html
    assert f'href="/events/{event.slug}/agenda/edit/sessions/{parallel.id}"' in html

    # Moving it away again clears the conflict.
    response = client.post(
        move_url(event, parallel), json={"room_id": lotus.id, "starts": f"{event.start_date}T11:00"}
    )
    assert response.get_json()["conflicts"] == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"room_id": "other", "starts": "{day}T10:00"}, "room of this event"),
        ({"room_id": "lotus", "starts": "{day}T10:03"}, "5-minute step"),
        ({"room_id": "lotus", "starts": "2000-01-01T10:00"}, "not a day of the event"),
        ({"room_id": "lotus", "starts": "tomorrow"}, "YYYY-MM-DDTHH:MM"),
        ({"room_id": "lotus"}, "YYYY-MM-DDTHH:MM"),
        ({"room_id": "x", "starts": "{day}T10:00"}, "must be a whole number"),
        # Ids the database cannot hold, and values once silently cut to an id (true -> 1).
        ({"room_id": 10**20, "starts": "{day}T10:00"}, "must be a whole number"),
        ({"room_id": True, "starts": "{day}T10:00"}, "must be a whole number"),
        ({"room_id": 1.7, "starts": "{day}T10:00"}, "must be a whole number"),
        ({"room_id": -1, "starts": "{day}T10:00"}, "must be a whole number"),
    ],
)
def test_a_drag_to_an_invalid_slot_gets_422_and_changes_nothing(
    client, db, login, payload, message
):
    event = make_event()
    other = make_event()
    foreign = Room(event_id=other.id, name="Elsewhere")
    db.session.add(foreign)
    _, lotus, _, parallel, _, _ = setup_agenda(db, event)
    login(organiser_of(event))
    before = (parallel.room_id, parallel.starts_at)
    body = dict(payload)
    body["room_id"] = {"other": foreign.id, "lotus": lotus.id}.get(body["room_id"], body["room_id"])
    if "starts" in body:
        body["starts"] = body["starts"].format(day=event.start_date)
    response = client.post(move_url(event, parallel), json=body)
    assert response.status_code == 422
    assert message in response.get_json()["error"]
    db.session.expire_all()
    assert (parallel.room_id, parallel.starts_at) == before


def test_another_events_session_cannot_be_moved_through_this_event(client, db, login):
    event = make_event()
    other = make_event(organiser_of(event))
    *_, theirs, _, _ = setup_agenda(db, other)
    login(organiser_of(event))
    response = client.post(
        move_url(event, theirs),
        json={"room_id": None, "starts": f"{event.start_date}T10:00"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 404


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_json_moves_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from conference.extensions import db

        event = make_event()
        email = organiser_of(event).email
        _, lotus, _, parallel, _, _ = setup_agenda(db, event)
        slug, day, session_id, lotus_id = event.slug, event.start_date, parallel.id, lotus.id
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    url = f"/events/{slug}/agenda/sessions/{session_id}/move"
    body = {"room_id": lotus_id, "starts": f"{day}T16:00"}

    refused = client.post(url, json=body, headers={"Accept": "application/json"})
    assert refused.status_code == 400
    assert "expired or was sent from elsewhere" in refused.get_json()["message"]
    forged = client.post(url, json=body, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    with app.app_context():
        assert f"{db.session.get(AgendaSession, session_id).starts_at:%H:%M}" == "06:30"  # UTC

    token = csrf_token(client.get(f"/events/{slug}/agenda/edit").text)
    accepted = client.post(url, json=body, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.get_json()["ok"] is True
    with app.app_context():
        assert f"{db.session.get(AgendaSession, session_id).starts_at:%H:%M}" == "09:00"


def test_organiser_creates_a_session_with_a_chair_from_the_form(client, db, login):
    event = make_event()
    _, lotus, *_ = setup_agenda(db, event)
    chair = make_registration(event, make_category(event, "VIP"), given_name="Somchai")
    login(organiser_of(event))
    form_page = client.get(f"/events/{event.slug}/agenda/edit/sessions/new")
    assert (
        "Somchai" in form_page.text and "Room check-in only for those signed up" in form_page.text
    )
    response = client.post(
        f"/events/{event.slug}/agenda/edit/sessions/new",
        data={**session_form(event, lotus), "chair_ids": [str(chair.id)], "signed_up_only": "y"},
    )
    assert response.status_code == 302
    created = db.session.scalar(
        select(AgendaSession).where(AgendaSession.title.like("Parallel session B%"))
    )
    assert created.room_id == lotus.id and [c.id for c in created.chairs] == [chair.id]
    assert created.signed_up_only is True
    assert f"{event.local(created.starts_at):%H:%M}" == "15:30"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends": "15:00"}, "must end after it starts"),
        ({"room_id": "foreign"}, "Choose a room of this event"),
        ({"chair_ids": "stranger"}, "Chairs must be registered for this event"),
        ({"title": ""}, "This field is required"),
        # Ids no select offers, too large for the database or no whole number: a clear
        # message, never a server error or a silently different choice.
        ({"room_id": str(10**20)}, "Choose a room from the list."),
        ({"room_id": "1.5"}, "Choose a room from the list."),
        ({"track_id": str(2**31)}, "Choose a track from the list."),
        ({"chair_ids": str(10**20)}, "Choose the chairs from the list."),
        # Days no select offers.
        ({"day": "0001-01-01"}, "is not a day of the event"),
        ({"day": "9999-12-31"}, "31 Dec 9999 is not a day of the event"),
    ],
)
def test_a_bad_session_form_is_explained_and_changes_nothing(client, db, login, overrides, message):
    event = make_event()
    other = make_event()
    foreign = Room(event_id=other.id, name="Elsewhere")
    db.session.add(foreign)
    db.session.commit()
    stranger = make_registration(other, make_category(other))
    login(organiser_of(event))
    data = session_form(event)
    for key, value in overrides.items():
        data[key] = {"foreign": str(foreign.id), "stranger": str(stranger.id)}.get(value, value)
    response = client.post(f"/events/{event.slug}/agenda/edit/sessions/new", data=data)
    assert response.status_code == 422
    assert message in response.text and "is-invalid" in response.text
    assert db.session.scalar(select(func.count(AgendaSession.id))) == 0


def test_talks_are_placed_reordered_and_taken_out_through_forms(client, db, login):
    event = make_event()
    _, _, _, parallel, talk, waiting = setup_agenda(db, event)
    login(organiser_of(event))
    base = f"/events/{event.slug}/agenda/edit"

    response = client.post(
        f"{base}/place", data={"talk_id": str(waiting.id), "session_id": str(parallel.id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (waiting.session_id, waiting.position) == (parallel.id, 1)
    assert f"{event.local(waiting.starts_at):%H:%M}" == "13:55"

    page = client.get(f"{base}/sessions/{parallel.id}").text
    page = page[page.index("Talks, in running order") :]
    assert page.index("Son La: no one left behind") < page.index("Yala: learning in parks")
    client.post(f"{base}/talks/{waiting.id}/reorder", data={"position": "0"})
    db.session.expire_all()
    assert [t.title for t in parallel.talks] == [waiting.title, talk.title]
    assert f"{event.local(talk.starts_at):%H:%M}" == "13:50"

    client.post(
        f"{base}/place",
        data={"talk_id": str(waiting.id), "session_id": "", "next": f"{base}/sessions/1"},
    )
    db.session.expire_all()
    assert waiting.session_id is None and talk.position == 0
    assert f"{event.local(talk.starts_at):%H:%M}" == "13:30"


def test_a_talk_is_placed_by_a_json_drag_and_a_foreign_session_is_refused(client, db, login):
    event = make_event()
    other = make_event(organiser_of(event))
    *_, theirs, _, _ = setup_agenda(db, other)
    _, _, plenary, _, _, waiting = setup_agenda(db, event)
    login(organiser_of(event))
    url = f"/events/{event.slug}/agenda/edit/place"
    refused = client.post(url, json={"talk_id": waiting.id, "session_id": theirs.id})
    assert refused.status_code == 422
    assert refused.get_json()["error"] == "Choose a session of this event."
    placed = client.post(url, json={"talk_id": waiting.id, "session_id": plenary.id})
    assert placed.status_code == 200 and placed.get_json()["ok"] is True
    db.session.expire_all()
    assert waiting.session_id == plenary.id


def test_a_presenter_from_another_event_is_refused_on_the_talk_form(client, db, login):
    event = make_event()
    other = make_event()
    ours = make_registration(event, make_category(event, "Speaker"), given_name="Trung")
    stranger = make_registration(other, make_category(other, "Speaker"))
    login(organiser_of(event))
    url = f"/events/{event.slug}/agenda/edit/talks/new"
    data = {"title": "Son La", "duration_minutes": "20", "session_id": "", "abstract": ""}
    response = client.post(url, data={**data, "presenter_ids": [str(ours.id), str(stranger.id)]})
    assert response.status_code == 422
    assert "Presenters must be registered for this event." in response.text
    assert db.session.scalar(select(func.count(Talk.id))) == 0

    response = client.post(url, data={**data, "presenter_ids": [str(ours.id)]})
    assert response.status_code == 302
    talk = db.session.scalar(select(Talk))
    assert [p.id for p in talk.presenters] == [ours.id]


def test_overlapping_talks_are_refused_on_the_talk_form(client, db, login):
    event = make_event()
    _, _, _, parallel, talk, waiting = setup_agenda(db, event)
    talks.place_talk(event, waiting, parallel.id)
    db.session.commit()
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/agenda/edit/talks/{waiting.id}",
        data={
            "title": waiting.title,
            "duration_minutes": "20",
            "session_id": str(parallel.id),
            "starts": "13:40",
        },
    )
    assert response.status_code == 422
    assert "That overlaps “Son La: no one left behind” (13:30–13:55)" in response.text
    db.session.expire_all()
    assert f"{event.local(waiting.starts_at):%H:%M}" == "13:55"


def test_a_room_in_use_is_not_deleted_and_the_organiser_is_told_why(client, db, login):
    event = make_event()
    _, lotus, *_ = setup_agenda(db, event)
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/agenda/edit/rooms/{lotus.id}/delete", follow_redirects=True
    )
    assert "“Lotus Room” still holds 1 session(s)" in response.text
    assert db.session.get(Room, lotus.id) is not None

    response = client.post(
        f"/events/{event.slug}/agenda/edit/rooms",
        data={"name": "Orchid Room", "capacity": "80", "notes": "", "position": "2"},
        follow_redirects=True,
    )
    assert "The room “Orchid Room” is saved." in response.text
    response = client.post(
        f"/events/{event.slug}/agenda/edit/rooms",
        data={"name": "orchid room", "capacity": "", "notes": "", "position": ""},
    )
    assert response.status_code == 422 and "already a room called" in response.text


def test_tracks_are_created_with_a_colour(client, db, login):
    event = make_event()
    login(organiser_of(event))
    url = f"/events/{event.slug}/agenda/edit/tracks"
    bad = client.post(url, data={"name": "Inclusion", "colour": "purple"})
    assert bad.status_code == 422 and "Use #rrggbb." in bad.text
    client.post(url, data={"name": "Inclusion", "colour": "#7b2d8b"})
    html = client.get(url).text
    assert 'data-colour="#7b2d8b"' in html and " style=" not in html


def test_publishing_from_the_editor_shows_the_version_and_its_changelog(client, db, login):
    event = make_event()
    speaker = make_registration(event, make_category(event, "Speaker"))
    ballroom, lotus, plenary, parallel, talk, _ = setup_agenda(db, event)
    talk.presenters.append(speaker)
    db.session.commit()
    login(organiser_of(event))
    response = client.post(f"/events/{event.slug}/agenda/publish")
    assert response.headers["Location"].endswith(f"/events/{event.slug}/agenda/edit")
    html = client.get(f"/events/{event.slug}/agenda/edit").text
    assert re.search(r'id="publish-button"[^>]*disabled', html)
    assert "Nothing to publish: change the draft first." in html
    client.post(
        move_url(event, parallel), json={"room_id": lotus.id, "starts": f"{event.start_date}T16:00"}
    )
    html = client.get(f"/events/{event.slug}/agenda/edit").text
    assert "The draft has changed since." in html
    assert not re.search(r'id="publish-button"[^>]*disabled', html)
    html = client.post(f"/events/{event.slug}/agenda/publish", follow_redirects=True).text
    assert "Version 2 of the agenda is published" in html
    assert "Changes in version 2 (1)" in html
    assert "moved from" in html and "16:00, Lotus Room." in html
    assert latest_publication(event).version == 2


def test_session_and_talk_pages_have_no_inline_style_or_script(client, db, login):
    event = make_event()
    _, _, _, parallel, talk, _ = setup_agenda(db, event)
    login(organiser_of(event))
    base = f"/events/{event.slug}/agenda/edit"
    for url in (
        f"{base}/sessions/{parallel.id}",
        f"{base}/sessions/new",
        f"{base}/talks/{talk.id}",
        f"{base}/talks/new",
        f"{base}/rooms",
        f"{base}/tracks",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert " style=" not in response.text, url
        assert not re.search(r"<script(?![^>]*src=)", response.text), url
        assert not re.search(r"\son\w+=", response.text), url


def test_the_grid_counts_sign_ups_only_for_sessions_that_take_them(client, db, login):
    event = make_event()
    setup_agenda(db, event)
    login(organiser_of(event))
    html = client.get(f"/events/{event.slug}/agenda/edit").text
    assert "0/80 signed up" in html  # the parallel session in the Lotus Room
    assert "0/600 signed up" not in html  # the opening plenary is for everybody
    assert html.count("signed up</span>") == 1


def test_the_grid_marks_a_session_with_more_sign_ups_than_places(client, db, login):
    from conference.agenda.models import AgendaSignup

    event = make_event()
    _, _, _, parallel, _, _ = setup_agenda(db, event)
    category = make_category(event)
    parallel.capacity = 1
    for _ in range(2):
        delegate = make_registration(event, category)
        db.session.add(AgendaSignup(registration_id=delegate.id, session_id=parallel.id))
    db.session.commit()
    login(organiser_of(event))
    html = client.get(f"/events/{event.slug}/agenda/edit").text
    assert 'class="signups over-capacity"' in html and "2/1 signed up" in html


@pytest.mark.parametrize(
    "path",
    [
        "sessions/{huge}",
        "talks/{huge}",
        "rooms/{huge}",
        "tracks/{huge}",
        "sessions/{int_max_plus_one}",
    ],
)
def test_ids_too_large_for_the_database_are_not_found(client, db, login, path):
    event = make_event()
    login(organiser_of(event))
    url = f"/events/{event.slug}/agenda/edit/" + path.format(huge=10**20, int_max_plus_one=2**31)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/delete").status_code == 404


def test_moving_or_reordering_with_a_huge_id_in_the_path_is_not_found(client, db, login):
    event = make_event()
    login(organiser_of(event))
    base = f"/events/{event.slug}/agenda"
    moved = client.post(
        f"{base}/sessions/{10**20}/move", json={"room_id": None, "starts": "2030-01-01T10:00"}
    )
    assert moved.status_code == 404
    reordered = client.post(f"{base}/edit/talks/{10**20}/reorder", json={"position": 0})
    assert reordered.status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"talk_id": 10**20, "session_id": "parallel"}, "The talk must be a whole number"),
        ({"talk_id": True, "session_id": "parallel"}, "The talk must be a whole number"),
        ({"talk_id": "waiting", "session_id": 10**20}, "The session must be a whole number"),
        ({"talk_id": "waiting", "session_id": 1.7}, "The session must be a whole number"),
        ({"talk_id": "waiting", "session_id": False}, "The session must be a whole number"),
    ],
)
def test_a_drag_of_a_talk_with_a_bad_id_is_refused_and_changes_nothing(
    client, db, login, body, message
):
    event = make_event()
    _, _, _, parallel, _, waiting = setup_agenda(db, event)
    login(organiser_of(event))
    names = {"parallel": parallel.id, "waiting": waiting.id}
    body = {key: names.get(value, value) for key, value in body.items()}
    response = client.post(f"/events/{event.slug}/agenda/edit/place", json=body)
    assert response.status_code == 422
    assert message in response.get_json()["error"]
    db.session.expire_all()
    assert waiting.session_id is None


@pytest.mark.parametrize("position", [10**20 * -1, True, 1.5, "first", None])
def test_a_talk_reordered_to_no_place_is_refused(client, db, login, position):
    event = make_event()
    _, _, _, parallel, talk, _ = setup_agenda(db, event)
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/agenda/edit/talks/{talk.id}/reorder", json={"position": position}
    )
    assert response.status_code == 422
    assert "Say where the talk goes" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("presenter_ids", str(10**20), "Choose the presenters from the list."),
        ("presenter_ids", "-4", "Choose the presenters from the list."),
        ("session_id", str(10**20), "Choose a session from the list."),
        ("session_id", "2.5", "Choose a session from the list."),
    ],
)
def test_a_talk_form_with_an_impossible_id_is_explained_and_changes_nothing(
    client, db, login, field, value, message
):
    event = make_event()
    login(organiser_of(event))
    data = {"title": "Son La", "duration_minutes": "20", "session_id": "", "abstract": ""}
    response = client.post(
        f"/events/{event.slug}/agenda/edit/talks/new", data={**data, field: value}
    )
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count(Talk.id))) == 0


def test_a_form_asking_to_go_back_elsewhere_stays_on_this_site(client, db, login):
    event = make_event()
    _, _, _, parallel, talk, _ = setup_agenda(db, event)
    login(organiser_of(event))
    for target in ("/\\evil.example/", "https://evil.example/", "//evil.example/"):
        response = client.post(
            f"/events/{event.slug}/agenda/edit/place",
            data={"talk_id": str(talk.id), "session_id": "", "next": target},
        )
        assert response.status_code == 302
        assert "evil.example" not in response.headers["Location"], target


def queries_for_page(db, client, url) -> int:
    """SQL statements run to render a page, from an empty identity map."""
    from sqlalchemy import event as sa_event

    db.session.remove()  # the test's objects must not spare the request its queries
    counted = []

    def count(*args):
        counted.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return len(counted)


def test_the_session_page_needs_as_many_queries_for_many_talks_as_for_one(client, db, login):
    event = make_event()
    category = make_category(event, "Speaker")
    _, lotus, _, parallel, talk, _ = setup_agenda(db, event)
    presenter = make_registration(event, category)
    talk.presenters.append(presenter)
    day = event.start_date
    busy = save_session(
        event,
        None,
        SessionDetails(
            "parallel",
            "Parallel session B",
            datetime(day.year, day.month, day.day, 15, 30),
            datetime(day.year, day.month, day.day, 17),
            room_id=lotus.id,
            chair_ids=(make_registration(event, category).id,),
        ),
    )
    for n in range(6):
        talks.save_talk(
            event,
            None,
            talks.TalkDetails(
                title=f"Talk {n}",
                duration_minutes=10,
                presenter_ids=(
                    make_registration(event, category).id,
                    make_registration(event, category).id,
                ),
                session_id=busy.id,
            ),
        )
    db.session.commit()
    login(organiser_of(event))
    base = f"/events/{event.slug}/agenda/edit/sessions"
    one, many = parallel.id, busy.id
    assert queries_for_page(db, client, f"{base}/{one}") == queries_for_page(
        db, client, f"{base}/{many}"
    )


def test_deleting_the_talk_of_an_accepted_paper_is_refused_with_the_reason(client, db, login):

    event = make_event()
    _, _, _, parallel, talk, _ = setup_agenda(db, event)
    accepted_paper(event, talk, title="Son La: no one left behind")
    login(organiser_of(event))
    response = client.post(f"/events/{event.slug}/agenda/edit/talks/{talk.id}/delete")
    assert response.headers["Location"].endswith(f"/agenda/edit/talks/{talk.id}")
    page = client.get(response.headers["Location"]).text
    assert "This talk is the accepted paper “Son La: no one left behind”" in page
    db.session.expire_all()
    assert db.session.get(Talk, talk.id).session_id == parallel.id
