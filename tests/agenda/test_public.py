"""The public agenda pages, read through the client: always the published version."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar
from sqlalchemy import event as sa_event

from conference.agenda.models import AgendaSession
from conference.agenda.publishing import publish
from tests.factories import (
    local_time,
    make_event,
    published_programme,
)


def session_titles(html: str) -> set[str]:
    return set(re.findall(r'class="agenda-title"[^>]*>([^<]+)<', html))


def test_nothing_is_shown_before_the_first_publication(client, db):
    event = make_event()
    db.session.add(
        AgendaSession(
            event_id=event.id,
            kind="plenary",
            title="Draft plenary",
            starts_at=local_time(event, 0, 9),
            ends_at=local_time(event, 0, 10),
        )
    )
    db.session.commit()
    session_id = db.session.scalar(db.select(AgendaSession.id))
    for url in [
        f"/events/{event.slug}/agenda",
        f"/events/{event.slug}/sessions/{session_id}",
        f"/events/{event.slug}/sessions/{session_id}.ics",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "The agenda of this event is not published yet." in response.text
        assert "Draft plenary" not in response.text


def test_the_agenda_shows_the_published_version_not_the_draft(client, db):
    event = make_event()
    agenda = published_programme(event)
    agenda["opening"].title = "Renamed in the draft"
    db.session.add(
        AgendaSession(
            event_id=event.id,
            kind="cultural",
            title="Added to the draft",
            starts_at=local_time(event, 0, 19),
            ends_at=local_time(event, 0, 21),
        )
    )
    db.session.commit()

    response = client.get(f"/events/{event.slug}/agenda?day={event.start_date.isoformat()}")
    assert response.status_code == 200
    assert session_titles(response.text) == {
        "Opening plenary",
        "Parallel session 1",
        "Parallel session 2",
    }
    assert "Renamed in the draft" not in response.text
    assert "Added to the draft" not in response.text
    draft_only = db.session.scalar(
        db.select(AgendaSession.id).where(AgendaSession.title == "Added to the draft")
    )
    assert client.get(f"/events/{event.slug}/sessions/{draft_only}").status_code == 404


def test_a_new_publication_is_shown_at_once(client, db):
    event = make_event()
    agenda = published_programme(event)
    page = f"/events/{event.slug}/sessions/{agenda['opening'].id}"
    assert "Opening plenary" in client.get(page).text  # version 1, now parsed and kept
    agenda["opening"].title = "Opening plenary, renamed"
    db.session.commit()
    publish(event)
    db.session.commit()
    html = client.get(f"/events/{event.slug}/agenda").text
    assert "Opening plenary, renamed" in session_titles(html)
    assert "Version 2, published" in html
    assert "Opening plenary, renamed" in client.get(page).text


def test_the_grid_puts_parallel_rooms_side_by_side_with_times_in_the_events_zone(client, db):
    event = make_event(timezone="Asia/Bangkok")
    published_programme(event)
    html = client.get(f"/events/{event.slug}/agenda?day={event.start_date.isoformat()}").text
    headers = re.findall(r'<th scope="col" class="agenda-room">([^<]+)</th>', html)
    assert headers == ["Room 1", "Room 2"]
    assert re.search(r'<td class="agenda-cell kind-plenary shared"[^>]* colspan="2"', html)
    assert "All times are Asia/Bangkok time (UTC+07:00)." in html
    assert "09:00–10:30 · Plenary · Grand Ballroom" in html
    assert "11:00–11:40 · Parallel session" in html
    assert 'lang="vi"' in html and "Hà Trung Chiến 0" in html  # names in their scripts
    # The phone list has every session too, in time order.
    phone = html[html.index('class="agenda-list') :]
    assert phone.index("Opening plenary") < phone.index("Parallel session 1")
    assert phone.index("Parallel session 1") < phone.index("Parallel session 2")


def test_days_are_chosen_by_the_query_string_and_a_bad_day_is_explained(client, db):
    event = make_event()
    published_programme(event)
    second = (event.start_date + timedelta(days=1)).isoformat()
    html = client.get(f"/events/{event.slug}/agenda?day={second}").text
    assert session_titles(html) == {"Keynote on day two"}
    assert f'aria-current="page" href="/events/{event.slug}/agenda?day={second}"' in html

    response = client.get(f"/events/{event.slug}/agenda?day=yesterday")
    assert response.status_code == 200
    assert "“yesterday” is not a date (YYYY-MM-DD); showing" in response.text
    # The event is a month away: the first day is shown.
    assert "Opening plenary" in session_titles(response.text)


def test_filters_by_track_and_room_work_on_the_server(client, db):
    event = make_event()
    agenda = published_programme(event, parallel_sessions=3)
    day = event.start_date.isoformat()
    html = client.get(f"/events/{event.slug}/agenda?day={day}&track=Inclusion").text
    assert session_titles(html) == {"Parallel session 1", "Parallel session 3"}
    # Day links keep the filter.
    assert (
        "track=Inclusion"
        in re.search(r'<ul class="nav nav-pills agenda-days.*?</ul>', html, re.S)[0]
    )

    room_id = agenda["parallel"][1].room_id
    html = client.get(f"/events/{event.slug}/agenda?day={day}&room={room_id}").text
    assert session_titles(html) == {"Parallel session 2"}
    assert f'<option value="{room_id}" selected>Room 2</option>' in html

    html = client.get(f"/events/{event.slug}/agenda?day={day}&room=abc&track=Nope").text
    assert "There is no such room in this agenda; showing every room." in html
    assert "There is no track “Nope” in this agenda; showing every track." in html
    assert len(session_titles(html)) == 4


def test_the_session_page_has_its_talks_chairs_and_a_calendar(client, db):
    event = make_event(timezone="Asia/Bangkok")
    agenda = published_programme(event, talks_per_session=3)
    block = agenda["parallel"][0]
    html = client.get(f"/events/{event.slug}/sessions/{block.id}").text
    day = event.start_date
    assert "Parallel session 1" in html and "Parallel session</span>" in html
    assert f'{day:%A} {day.day} {day:%B %Y}, <span class="text-nowrap">11:00–12:00</span>' in html
    assert "(Asia/Bangkok, UTC+07:00)" in html
    assert "Room 1" in html and "40 places" in html and "Inclusion" in html
    titles = re.findall(r'href="/events/[^/]+/talks/\d+">([^<]+)</a>', html)
    assert titles == ["Talk 1 of session 1", "Talk 2 of session 1", "Talk 3 of session 1"]
    assert "11:20–11:40 (Asia/Bangkok)" in html
    # A Vietnamese name in its own order and spelling, once.
    assert "Mr Hà Trung Chiến 0" in html and "(Hà Trung Chiến 0)" not in html
    assert f'href="/events/{event.slug}/sessions/{block.id}.ics"' in html

    opening = client.get(f"/events/{event.slug}/sessions/{agenda['opening'].id}").text
    assert '<p class="text-prewrap">Welcome by UNESCO Bangkok.</p>' in opening
    assert "Dr Pranee Srisuk" in opening and 'lang="th">ปราณี ศรีสุข' in opening
    assert "UNESCAP, Thailand" in opening


def test_the_talk_page_escapes_the_abstract_and_links_its_session(client, db):
    event = make_event()
    agenda = published_programme(event)
    item = agenda["parallel"][0].talks[1]
    html = client.get(f"/events/{event.slug}/talks/{item.id}").text
    assert '<h1 class="h2 mb-2">Talk 2 of session 1</h1>' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert html.count('class="text-prewrap"') == 2  # two paragraphs
    assert f'href="/events/{event.slug}/sessions/{agenda["parallel"][0].id}"' in html
    assert "11:20–11:40" in html and "Room 1" in html
    assert "Mr Hà Trung Chiến 0" in html


def test_a_session_calendar_holds_that_session_only(client, db):
    event = make_event()
    agenda = published_programme(event)
    block = agenda["parallel"][1]
    response = client.get(f"/events/{event.slug}/sessions/{block.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    [item] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(item["summary"]) == "Parallel session 2"
    assert item.decoded("dtstart") == local_time(event, 0, 11)
    assert str(item["location"]).startswith("Room 2")
    assert "Talk 1 of session 2" in str(item["description"])
    assert str(item["url"]).endswith(f"/events/{event.slug}/sessions/{block.id}")


def test_ids_of_another_event_or_unknown_ids_are_not_found(client, db):
    event, other = make_event(), make_event()
    published_programme(event)
    theirs = published_programme(other)
    foreign_session = theirs["parallel"][0]
    foreign_talk = foreign_session.talks[0]
    for url in [
        f"/events/{event.slug}/sessions/{foreign_session.id}",
        f"/events/{event.slug}/sessions/{foreign_session.id}.ics",
        f"/events/{event.slug}/talks/{foreign_talk.id}",
        f"/events/{event.slug}/sessions/99999",
        f"/events/{event.slug}/talks/99999",
        "/events/no-such-event/agenda",
    ]:
        assert client.get(url).status_code == 404, url
    assert "no such talk" in client.get(f"/events/{event.slug}/talks/99999").text


def test_the_schedule_links_for_conference_apps_lead_to_these_pages(client, db):
    event = make_event()
    published_programme(event)
    schedule = client.get(f"/events/{event.slug}/schedule.json").get_json()
    items = [
        item
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for item in room
    ]
    assert {urlsplit(i["url"]).path.split("/")[3] for i in items} == {"sessions", "talks"}
    for item in items:
        response = client.get(urlsplit(item["url"]).path)
        assert response.status_code == 200, item["url"]
        assert item["title"] in response.text


def test_the_agenda_needs_as_many_queries_for_many_talks_as_for_few(make_app):
    def queries_for(parallel_sessions, talks_per_session):
        app = make_app()
        client = app.test_client()
        with app.app_context():
            from conference.extensions import db

            event = make_event()
            published_programme(event, parallel_sessions, talks_per_session)
            engine, slug = db.engine, event.slug
            session_id = db.session.scalar(
                db.select(AgendaSession.id).where(AgendaSession.event_id == event.id).limit(1)
            )
        counted = []

        def count(*args):
            counted.append(1)

        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/events/{slug}/agenda").status_code == 200
            agenda_queries = len(counted)
            assert client.get(f"/events/{slug}/sessions/{session_id}").status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        return agenda_queries, len(counted) - agenda_queries

    small = queries_for(parallel_sessions=1, talks_per_session=1)
    large = queries_for(parallel_sessions=12, talks_per_session=6)
    assert small == large
    assert small[0] <= 3


def test_the_pages_have_no_inline_script_or_style(client, db):
    event = make_event()
    agenda = published_programme(event)
    item = agenda["parallel"][0].talks[0]
    for url in [
        f"/events/{event.slug}/agenda",
        f"/events/{event.slug}/sessions/{agenda['parallel'][0].id}",
        f"/events/{event.slug}/talks/{item.id}",
    ]:
        html = client.get(url).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"inline script on {url}"
        assert not re.search(r"\son\w+=", html), f"inline handler on {url}"
        assert " style=" not in html, f"inline style on {url}"


def test_the_agenda_links_its_exports_and_the_printed_programme(client, db):
    event = make_event()
    published_programme(event)
    html = client.get(f"/events/{event.slug}/agenda").text
    for href in ("agenda.ics", "programme.pdf"):
        assert f'href="/events/{event.slug}/{href}"' in html

    response = client.get(f"/events/{event.slug}/programme.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert f"{event.slug}-programme-v1.pdf" in response.headers["Content-Disposition"]


def test_the_printed_programme_waits_for_the_first_publication(client, db):
    event = make_event()
    assert client.get(f"/events/{event.slug}/programme.pdf").status_code == 404


def test_the_schedule_feeds_are_offered_to_apps_not_as_buttons(client, db):
    """schedule.xml and schedule.json are for conference apps: their full addresses, to
    copy, in a quiet section at the foot of the page; no button or link to them."""
    event = make_event()
    published_programme(event)
    html = client.get(f"/events/{event.slug}/agenda").text
    assert not re.search(r'<a [^>]*href="[^"]*schedule\.(xml|json)"', html)
    section = re.search(r'<section class="app-feeds.*?</section>', html, re.S).group(0)
    assert "For conference apps" in section
    for fmt in ("xml", "json"):
        url = f"http://conference.test/events/{event.slug}/schedule.{fmt}"
        assert f'<input id="feed-{fmt}" class="form-control" value="{url}" readonly>' in section
        assert f'data-copy="#feed-{fmt}"' in section
        assert client.get(urlsplit(url).path).status_code == 200
    assert html.index("app-feeds") > html.index("agenda-list")  # after the sessions
