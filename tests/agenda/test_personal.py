"""The personal agenda through the private link or an account, its calendar, and the
organisers' view of sign-ups."""

import csv
import io
import re

from icalendar import Calendar
from sqlalchemy import select

from conference.agenda.models import AgendaSignup
from conference.agenda.signups import sign_up
from conference.registration.links import manage_token
from tests.factories import (
    make_category,
    make_event,
    make_registration,
    make_user,
    signup_agenda,
    signups_of,
)


def page_of(registration) -> str:
    return f"/events/{registration.event.slug}/manage/{manage_token(registration)}/agenda"


def test_delegate_chooses_a_parallel_session_through_the_link(client, db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    response = client.get(page_of(delegate))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = response.text
    assert "Opening plenary" in page and "Parallel A: no one left behind" in page
    assert "Asia/Bangkok" in page
    assert "2 of 2 places left" in page
    assert "Your choice" not in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag
    assert " style=" not in page and not re.search(r"\son\w+=", page)

    response = client.post(f"{page_of(delegate)}/{a.inclusion.id}/signup")
    assert response.status_code == 302
    assert response.location.endswith(f"/agenda#session-{a.inclusion.id}")
    page = client.get(page_of(delegate)).text
    # The confirmation is in the session's card, where the page opens.
    assert "You are signed up for “Parallel A: no one left behind”" in card_of(page, a.inclusion.id)
    assert "Your choice" in page and "1 of 2 places left" in page
    # The other session at the same time offers to switch to it in one step.
    assert "You chose “Parallel A: no one left behind”." in page
    assert "To change, choose “Switch to this session” on another one." in page
    assert "Switch to this session" in card_of(page, a.climate.id)
    assert signups_of(delegate) == ["Parallel A: no one left behind"]


def test_a_refusal_is_flashed_with_the_reason_and_changes_nothing(client, db):
    a = signup_agenda(lotus_capacity=1)
    first, second = make_registration(a.event, a.category), make_registration(a.event, a.category)
    client.post(f"{page_of(first)}/{a.inclusion.id}/signup")
    response = client.post(f"{page_of(second)}/{a.inclusion.id}/signup", follow_redirects=True)
    assert "“Parallel A: no one left behind” is full: 1 of 1 places taken." in response.text
    assert "<strong>Full:</strong> 1 of 1 places taken" in response.text
    assert signups_of(second) == []

    client.post(f"{page_of(first)}/{a.inclusion.id}/leave")
    assert signups_of(first) == []
    client.post(f"{page_of(second)}/{a.inclusion.id}/signup")
    assert signups_of(second) == ["Parallel A: no one left behind"]


def card_of(page: str, session_id: int) -> str:
    """The HTML of one session's card on the personal agenda."""
    start = page.index(f'id="session-{session_id}"')
    return page[start : page.index("</article>", start)]


def test_a_refused_sign_up_is_explained_in_the_sessions_own_card(client, db):
    a = signup_agenda(lotus_capacity=1)
    first, second = make_registration(a.event, a.category), make_registration(a.event, a.category)
    client.post(f"{page_of(first)}/{a.inclusion.id}/signup")
    client.post(f"{page_of(second)}/{a.climate.id}/signup")
    # The second delegate's own choice clashes; the page they return to opens at the card.
    response = client.post(f"{page_of(second)}/{a.inclusion.id}/signup")
    assert response.location.endswith(f"/agenda#session-{a.inclusion.id}")
    page = client.get(response.location).text
    reason = "“Parallel A: no one left behind” clashes with “Parallel B: climate resilience”"
    card = card_of(page, a.inclusion.id)
    assert 'role="alert"' in card and reason in card
    assert page.count(reason) == 1  # in the card, not again at the top of the page
    # Said once: the next visit shows the page as it is.
    assert reason not in client.get(page_of(second)).text
    # Another delegate's page in the same browser never shows it.
    client.post(f"{page_of(second)}/{a.inclusion.id}/signup")
    assert reason not in client.get(page_of(first)).text


def test_a_session_id_too_large_for_the_database_is_not_found(client, db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    for action in ("signup", "leave"):
        assert client.post(f"{page_of(delegate)}/{10**20}/{action}").status_code == 404


def test_one_delegates_link_never_shows_or_changes_anothers_agenda(client, db):
    a = signup_agenda()
    mine, theirs = make_registration(a.event, a.category), make_registration(a.event, a.category)
    sign_up(theirs, a.inclusion)
    db.session.commit()
    page = client.get(page_of(mine)).text
    assert "Your choice" not in page and theirs.email not in page
    # My link cannot make me leave their session, nor sign them up for another.
    client.post(f"{page_of(mine)}/{a.inclusion.id}/leave")
    client.post(f"{page_of(mine)}/{a.later.id}/signup")
    assert signups_of(theirs) == ["Parallel A: no one left behind"]
    assert signups_of(mine) == ["Parallel C: digital skills"]
    calendar = Calendar.from_ical(client.get(f"{page_of(mine)}.ics").data)
    assert "Parallel A: no one left behind" not in [
        str(e["summary"]) for e in calendar.walk("VEVENT")
    ]


def test_a_wrong_or_foreign_link_is_not_found(client, db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    token = manage_token(delegate)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other = make_event()
    for url in (
        f"/events/{a.event.slug}/manage/{tampered}/agenda",
        f"/events/{a.event.slug}/manage/{tampered}/agenda.ics",
        f"/events/{other.slug}/manage/{token}/agenda",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/events/{a.event.slug}/manage/{tampered}/agenda/{a.inclusion.id}/signup"
        ).status_code
        == 404
    )
    # A session of another event is not found through this event's link.
    elsewhere = signup_agenda()
    assert client.post(f"{page_of(delegate)}/{elsewhere.inclusion.id}/signup").status_code == 404
    assert db.session.scalar(select(AgendaSignup.id)) is None


def test_signing_up_needs_the_csrf_token(make_app):
    from conference.extensions import db

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        a = signup_agenda()
        delegate = make_registration(a.event, a.category)
        url, session_id = page_of(delegate), a.inclusion.id
        assert client.post(f"{url}/{session_id}/signup").status_code == 400
        assert signups_of(delegate) == []
        page = client.get(url).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert (
            client.post(f"{url}/{session_id}/signup", data={"csrf_token": token}).status_code == 302
        )
        db.session.expire_all()
        assert signups_of(delegate) == ["Parallel A: no one left behind"]


def test_the_personal_calendar_has_exactly_the_personal_sessions(client, db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    sign_up(delegate, a.climate)
    db.session.commit()
    response = client.get(f"{page_of(delegate)}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private, no-store"
    calendar = Calendar.from_ical(response.data)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        "Opening plenary",
        "Parallel B: climate resilience",
        "Welcome dinner",
    ]
    assert str(calendar["x-wr-calname"]) == f"My agenda – {a.event.title}"
    climate = calendar.walk("VEVENT")[1]
    assert climate.decoded("dtstart") == a.climate.starts_at
    assert str(climate["location"]).startswith("Orchid Room")
    # Calendars get shared: the private link is nowhere in it, each event links its
    # public session page, and the version lets calendars take a moved session's time.
    token = page_of(delegate).split("/manage/")[1].split("/")[0]
    assert token not in response.text
    assert str(climate["url"]).endswith(f"/events/{a.event.slug}/sessions/{a.climate.id}")
    assert int(climate["sequence"]) == 1


def test_before_publication_the_page_says_so_and_there_is_no_calendar(client, db):
    event = make_event()
    delegate = make_registration(event, make_category(event))
    assert "not published yet" in client.get(page_of(delegate)).text
    assert client.get(f"{page_of(delegate)}.ics").status_code == 404


def test_an_unconfirmed_delegate_sees_why_they_cannot_choose(client, db):
    a = signup_agenda()
    waiting = make_registration(a.event, make_category(a.event, "Press", capacity=0))
    page = client.get(page_of(waiting)).text
    assert "once your registration is confirmed; it is waiting list now" in page
    assert f"/agenda/{a.inclusion.id}/signup" not in page
    response = client.post(f"{page_of(waiting)}/{a.inclusion.id}/signup", follow_redirects=True)
    assert "Only confirmed delegates choose sessions" in response.text
    assert signups_of(waiting) == []


def test_a_signed_in_account_reaches_its_own_agenda(client, db, login):
    a = signup_agenda()
    user = make_user()
    delegate = make_registration(a.event, a.category)
    delegate.user_id = user.id
    db.session.commit()
    url = f"/events/{a.event.slug}/my-agenda"
    assert "/login" in client.get(url).location
    login(make_user())  # an account without a registration for the event
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response.location.endswith(page_of(delegate))


def test_organisers_see_signups_against_capacity_and_download_the_lists(client, db, login):
    a = signup_agenda(lotus_capacity=1)
    names = (("Somchai", "Wong", "สมชาย วงศ์"), ("Linh", "Nguyen", "Nguyễn Linh"))
    people = [
        make_registration(a.event, a.category, given_name=g, family_name=f, native_name=n)
        for g, f, n in names
    ]
    sign_up(people[0], a.inclusion)
    db.session.commit()
    a.lotus.capacity = 2
    db.session.commit()
    sign_up(people[1], a.inclusion)
    db.session.commit()
    a.lotus.capacity = 1  # the room turned out smaller: one too many
    db.session.commit()
    url = f"/events/{a.event.slug}/agenda/signups"

    login(make_user())
    assert client.get(url).status_code == 403
    assert client.get(f"{url}.csv").status_code == 403
    client.post("/logout")
    login(a.event.roles[0].user)
    page = client.get(url).text
    [row] = re.findall(r'<tr class="table-danger">(.*?)</tr>', page, re.S)
    assert "Parallel A: no one left behind" in row and "over capacity" in row
    assert re.search(r">2</span>.*>1</td>", row, re.S)  # 2 signed up, 1 place
    assert "สมชาย วงศ์" in page and "Nguyễn Linh" in page and "Vietnam" in page

    response = client.get(f"{url}.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["session", "starts (Asia/Bangkok)", "room", "name"]
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [
        ("Parallel A: no one left behind", "Lotus Room", "Nguyễn Linh"),
        ("Parallel A: no one left behind", "Lotus Room", "สมชาย วงศ์"),
    ]
    assert rows[1][1].endswith("13:30")


def test_a_presenter_finds_their_session_in_their_agenda_without_signing_up(client, db):
    a = signup_agenda()
    page = client.get(page_of(a.speaker)).text
    assert "You present in “Parallel B: climate resilience”." in page
    assert "You present here" in page
    assert f"/agenda/{a.climate.id}/signup" not in page
    assert f"/agenda/{a.inclusion.id}/signup" not in page  # at the same time: not offered
