from datetime import date, timedelta

from sqlalchemy import func, select

from conference.auth.models import User
from conference.events.models import Event
from tests.factories import give_role, make_event, make_user


def event_form(**overrides):
    start = date.today() + timedelta(days=40)
    data = {
        "title": "Global Learning Cities Conference",
        "slug": "glcc-2026",
        "venue": "Convention Centre",
        "city": "Chengdu",
        "country": "CN",
        "timezone": "Asia/Shanghai",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=2)).isoformat(),
        "description": "Thousands of delegates.",
        "registration_opens": "",
        "registration_closes": "",
    }
    data.update(overrides)
    return data


def count_events(db):
    return db.session.scalar(select(func.count(Event.id)))


def test_event_list_and_public_page_need_no_sign_in(client, db):
    make_event(title="ASEAN+3 Regional Learning Cities Conference", slug="asean3-2024")
    listing = client.get("/")
    assert "ASEAN+3 Regional Learning Cities Conference" in listing.text
    page = client.get("/events/asean3-2024/")
    assert page.status_code == 200
    assert "Edit event details" not in page.text


def test_organiser_creates_an_event_and_sees_it_listed(client, db, login):
    organiser = make_user()
    make_event(organiser)
    login(organiser)
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/glcc-2026/")
    assert "Global Learning Cities Conference" in client.get("/").text
    event = db.session.scalar(select(Event).where(Event.slug == "glcc-2026"))
    assert [r.user_id for r in event.roles] == [organiser.id]


def test_end_before_start_is_refused_and_nothing_is_created(client, db, login):
    admin = make_user(is_admin=True)
    login(admin)
    response = client.post(
        "/events/new", data=event_form(start_date="2026-05-10", end_date="2026-05-09")
    )
    assert response.status_code == 422
    assert "cannot end before it starts" in response.text
    assert count_events(db) == 0


def test_overlong_title_and_bad_slug_are_explained(client, db, login):
    login(make_user(is_admin=True))
    response = client.post("/events/new", data=event_form(title="x" * 250, slug="Not A Slug"))
    assert response.status_code == 422
    assert "Field cannot be longer than 200 characters." in response.text
    assert "lower-case letters" in response.text
    assert count_events(db) == 0


def test_duplicate_slug_is_explained_beside_the_field(client, db, login):
    make_event(slug="glcc-2026")
    login(make_user(is_admin=True))
    response = client.post("/events/new", data=event_form())
    assert response.status_code == 422
    assert "Another event uses this address already." in response.text
    assert count_events(db) == 1


def test_user_without_organiser_role_cannot_create_or_edit(client, db, login):
    event = make_event()
    staff = make_user()
    give_role(event, staff, "checkin")
    login(staff)
    assert client.get("/events/new").status_code == 403
    response = client.post(f"/events/{event.slug}/edit", data=event_form(slug=event.slug))
    assert response.status_code == 403
    assert "organiser role" in response.text
    db.session.expire_all()
    assert db.session.get(Event, event.id).title != "Global Learning Cities Conference"


def test_anonymous_user_is_sent_to_sign_in(client, db):
    event = make_event()
    response = client.get(f"/events/{event.slug}/edit")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_organiser_edits_the_event(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    response = client.post(
        f"/events/{event.slug}/edit",
        data=event_form(
            slug=event.slug, title="Renamed forum", registration_opens="2026-01-05T09:00"
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Event, event.id)
    assert edited.title == "Renamed forum"
    assert edited.timezone == "Asia/Shanghai"
    assert edited.registration_opens_at.isoformat() == "2026-01-05T01:00:00+00:00"


def test_a_title_typed_with_control_characters_is_stored_as_one_clean_line(client, db, login):
    # The forms strip control characters (conference/forms.py) before the service, which
    # refuses any left (tests/events/test_services.py): no title ever holds a line break.
    organiser = make_user()
    event = make_event(organiser, title="Learning Cities Forum")
    login(organiser)
    response = client.post(
        f"/events/{event.slug}/edit",
        data=event_form(slug=event.slug, title="Learning Cities\r\nBcc: all@example.org"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "Learning Cities Bcc: all@example.org"
    login(make_user(is_admin=True))
    created = client.post("/events/new", data=event_form(title="Forum\x07"))
    assert created.status_code == 302
    assert db.session.scalar(select(Event).where(Event.title == "Forum")) is not None


def test_organiser_of_one_event_cannot_edit_another(client, db, login):
    mine = make_event()
    theirs = make_event()
    login(mine.roles[0].user)
    assert client.get(f"/events/{theirs.slug}/edit").status_code == 403


def test_adding_a_new_person_to_the_team_creates_an_account_and_invites_them(
    client, db, login, app
):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    response = client.post(
        f"/events/{event.slug}/team",
        data={"email": "Door.Staff@Example.org", "name": "Door staff", "role": "checkin"},
    )
    assert response.status_code == 302
    staff = db.session.scalar(select(User).where(User.email == "door.staff@example.org"))
    assert staff is not None and staff.password_hash is None
    from pathlib import Path

    mails = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(mails) == 1
    body = mails[0].read_text()
    assert "door.staff@example.org" in body and "/reset/" in body


def test_removing_the_last_organiser_is_refused(client, db, login):
    organiser = make_user()
    event = make_event(organiser)
    login(organiser)
    grant_id = event.roles[0].id
    response = client.post(f"/events/{event.slug}/team/{grant_id}/remove", follow_redirects=True)
    assert "at least one organiser" in response.text
    db.session.expire_all()
    assert len(db.session.get(Event, event.id).roles) == 1


def test_menu_lists_the_events_where_the_user_has_a_role(client, db, login):
    staff = make_user()
    event = make_event(title="ASEAN+3 Regional Learning Cities Conference")
    make_event(title="Someone else's forum")
    give_role(event, staff, "checkin")
    login(staff)
    menu = client.get("/").text.split('class="dropdown-menu"')[1].split("</ul>")[0]
    assert "ASEAN+3 Regional Learning Cities Conference" in menu
    assert "checkin" in menu
    assert "Someone else" not in menu


def test_deleting_an_event_removes_its_roles(db):
    from conference.auth.models import EventRole

    event = make_event()
    db.session.execute(db.delete(Event).where(Event.id == event.id))
    db.session.commit()
    assert db.session.scalar(select(func.count(EventRole.id))) == 0
