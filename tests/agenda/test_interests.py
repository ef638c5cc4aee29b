"""Delegates mark the talks they want to hear (through their link, their account, or their
personal agenda); organisers see the demand per talk and import interests from CSV."""

import io
import re

import pytest
from sqlalchemy import func, select

from conference.agenda.interests import (
    InterestImportRefused,
    demand,
    import_interests,
    interests_of,
    offered_talks,
    set_interest,
)
from conference.agenda.models import TalkInterest
from conference.agenda.publishing import publish
from conference.errors import ValidationError
from conference.registration.links import manage_token
from conference.registration.places import change_status
from tests.factories import make_user, organiser_of
from tests.factories.people import make_organiser
from tests.factories.scheduling import scheduling_event


@pytest.fixture
def s(db):
    return scheduling_event()


def interests_url(registration, rest="") -> str:
    return f"/events/{registration.event.slug}/manage/{manage_token(registration)}/interests{rest}"


def count_interests(db) -> int:
    return db.session.scalar(select(func.count(TalkInterest.id)))


# The delegate's page ----------------------------------------------------------------------


def test_accepted_papers_are_offered_by_track_with_their_abstracts(client, s):
    delegate = s.cai
    response = client.get(interests_url(delegate))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.text
    headings = re.findall(r'<h2 id="track-\d+"[^>]*>(?:<span[^>]*></span> )?([^<]+)</h2>', page)
    assert headings == ["Climate", "Inclusion", "Skills"]
    assert "What Son La learnt." in page  # the abstract
    assert "Rejected" not in page and "Keynote talk" not in page and "Loose" not in page
    # Cai wants Suwon and Skills already: two of them are marked.
    assert '<strong id="interest-count">2</strong>' in page
    assert page.count('aria-pressed="true"') == 2
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag
    assert " style=" not in page and not re.search(r"\son\w+=", page)


def test_a_delegate_marks_and_unmarks_a_talk_and_sending_twice_changes_nothing(client, s, db):
    url = interests_url(s.ana, f"/{s.yeonsu.id}")
    response = client.post(url, data={"interested": "yes"})
    assert response.status_code == 302
    assert response.location.endswith(f"/interests#talk-{s.yeonsu.id}")
    client.post(url, data={"interested": "yes"})
    assert interests_of(s.ana) == {s.son_la.id, s.suwon.id, s.loose.id, s.yeonsu.id}
    page = client.get(interests_url(s.ana)).text
    assert "“Yeonsu” is among the talks you want to hear." in page
    client.post(url, data={"interested": "no"})
    client.post(url, data={"interested": "no"})
    assert s.yeonsu.id not in interests_of(s.ana)
    assert client.post(url, data={"interested": "maybe"}).status_code == 302
    assert s.yeonsu.id not in interests_of(s.ana)


def test_only_talks_of_the_programme_of_this_event_can_be_marked(client, s, db):
    other = scheduling_event()
    before = count_interests(db)
    for talk_id in (other.son_la.id, s.keynote_talk.id, s.loose.id, 10**12):
        response = client.post(interests_url(s.ana, f"/{talk_id}"), data={"interested": "yes"})
        assert response.status_code == 404
    assert count_interests(db) == before


def test_a_cancelled_registration_cannot_mark_talks(client, s, db):
    change_status(s.ben, "cancel", notify_delegate=False)
    db.session.commit()
    page = client.get(interests_url(s.ben)).text
    assert "Your registration is cancelled: there is nothing to choose." in page
    assert "I want to hear this" not in page
    response = client.post(interests_url(s.ben, f"/{s.suwon.id}"), data={"interested": "yes"})
    assert response.status_code == 302
    assert s.suwon.id not in interests_of(s.ben)
    with pytest.raises(ValidationError, match="cancelled"):
        set_interest(s.ben, s.suwon, True)


def test_a_pending_delegate_marks_talks_that_count_once_confirmed(client, s, db):
    page = client.get(interests_url(s.pending)).text
    assert "Your choices count once your registration is confirmed" in page
    son_la = next(d for d in demand(s.event) if d.talk.id == s.son_la.id)
    assert (son_la.confirmed, son_la.others) == (2, 1)


def test_marking_needs_the_csrf_token(make_app):
    from conference.extensions import db

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        s = scheduling_event()
        url = interests_url(s.ana)
        talk_id = s.yeonsu.id
        assert client.post(f"{url}/{talk_id}", data={"interested": "yes"}).status_code == 400
        assert talk_id not in interests_of(s.ana)
        page = client.get(url).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(f"{url}/{talk_id}", data={"interested": "yes", "csrf_token": token})
        assert response.status_code == 302
        db.session.expire_all()
        assert talk_id in interests_of(s.ana)


def test_a_signed_in_account_reaches_its_own_interests(client, s, db, login):
    user = make_user()
    s.ana.user_id = user.id
    db.session.commit()
    url = f"/events/{s.event.slug}/my-interests"
    assert "/login" in client.get(url).location
    login(make_user())
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(user)
    assert client.get(url).location.endswith(interests_url(s.ana))


def test_the_published_agenda_offers_each_talk_to_mark(client, s, db):
    s.a.chairs = [s.chair]
    publish(s.event)
    db.session.commit()
    agenda = f"/events/{s.event.slug}/manage/{manage_token(s.cai)}/agenda"
    page = client.get(agenda).text
    assert f'id="talk-{s.son_la.id}"' in page
    assert page.count('aria-pressed="true"') == 2  # Suwon, and Skills
    response = client.post(
        interests_url(s.cai, f"/{s.son_la.id}"), data={"interested": "yes", "next": agenda}
    )
    assert response.location.endswith(f"/agenda#talk-{s.son_la.id}")
    assert s.son_la.id in interests_of(s.cai)


def test_before_publication_the_agenda_page_points_to_the_interests(client, s):
    page = client.get(f"/events/{s.event.slug}/manage/{manage_token(s.cai)}/agenda").text
    assert "mark the talks you want to hear" in page
    assert interests_url(s.cai) in page


def test_talks_are_grouped_by_the_papers_track_or_their_sessions(s):
    groups = {g.name: [t.title for t in g.talks] for g in offered_talks(s.event)}
    assert groups == {
        "Climate": ["Panel", "Suwon"],
        "Inclusion": ["Later", "Son La", "Yeonsu"],
        "Skills": ["Skills"],
    }


# The organisers' side ---------------------------------------------------------------------


def test_organisers_see_the_demand_per_talk(client, s, db, login):
    login(organiser_of(s.event))
    response = client.get(f"/events/{s.event.slug}/agenda/edit/interests")
    assert response.status_code == 200
    rows = re.findall(
        r'<tr id="demand-(\d+)">.*?<td class="text-end fw-semibold">(\d+)</td>', response.text, re.S
    )
    counts = {int(talk): int(n) for talk, n in rows}
    assert counts == {
        s.son_la.id: 2,  # ana and ben; the delegate pending approval counts apart
        s.suwon.id: 2,
        s.yeonsu.id: 1,
        s.later.id: 1,
        s.skills_talk.id: 1,
        s.panel.id: 0,
    }
    shown = [int(n) for _, n in rows]
    assert shown == sorted(shown, reverse=True)  # most wanted first
    assert '<strong id="draft-conflicts">1</strong>' in response.text
    grid = client.get(f"/events/{s.event.slug}/agenda/edit").text
    assert '<strong class="fs-5" id="attendee-conflicts">1</strong>' in grid


def test_only_the_events_organisers_see_the_demand(client, s, db, login):
    other = scheduling_event()
    login(organiser_of(other.event))
    assert client.get(f"/events/{s.event.slug}/agenda/edit/interests").status_code == 403
    response = client.post(
        f"/events/{s.event.slug}/agenda/edit/interests/import",
        data={"file": (io.BytesIO(b"email,paper\n"), "i.csv")},
    )
    assert response.status_code == 403


def csv_upload(client, event, text: str):
    return client.post(
        f"/events/{event.slug}/agenda/edit/interests/import",
        data={"file": (io.BytesIO(text.encode()), "interests.csv")},
        content_type="multipart/form-data",
    )


def test_a_csv_file_of_interests_is_imported_whole(client, s, db, login):
    login(make_organiser(s.event))
    before = count_interests(db)
    from conference.papers.models import Paper

    yeonsu = db.session.scalar(select(Paper).where(Paper.talk_id == s.yeonsu.id))
    text = (
        "E-mail;Paper\n"
        f"{s.ana.email.upper()};{yeonsu.id}\n"
        f"{s.ana.email};  son   la \n"  # marked already; a title in other case and spaces
        f"{s.cai.email};Later\n"
        f"{s.cai.email};Later\n"  # twice in the file
        ";\n"
    )
    response = csv_upload(client, s.event, text)
    assert response.status_code == 302, response.text
    assert count_interests(db) == before + 2
    page = client.get(response.location).text
    assert "4 row(s) read: 2 new interest(s) for 2 delegate(s); 2 were marked already." in page
    assert s.yeonsu.id in interests_of(s.ana) and s.later.id in interests_of(s.cai)


def test_a_file_with_bad_rows_is_refused_whole_with_every_problem(client, s, db, login):
    login(organiser_of(s.event))
    before = count_interests(db)
    text = (
        "email,paper,comment\n"
        f"{s.ben.email},Suwon,fine on its own\n"
        "nobody@example.org,Suwon,\n"
        f"{s.ben.email},Rejected,\n"
        f"{s.ben.email},999999,\n"
        f"{s.ben.email},,\n"
        f"{s.ben.email},A paper nobody wrote,\n"
    )
    response = csv_upload(client, s.event, text)
    assert response.status_code == 422
    problems = re.findall(r"<li>Line (\d+): ([^<]+)</li>", response.text)
    assert problems == [
        ("3", "No registration for nobody@example.org."),
        ("4", "“Rejected” is not accepted."),
        ("5", "No paper 999999 in this event."),
        ("6", "No paper."),
        ("7", "No paper called “A paper nobody wrote”."),
    ]
    assert "Nothing was imported: 5 rows have problems." in response.text
    assert count_interests(db) == before
    assert s.suwon.id not in interests_of(s.ben)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"name,talk\nx,y\n", "must name the columns"),
        (b"email,paper\n", "no interests"),
        ("email,paper\nkim@example.kr,Sơn La\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused(s, db, content, message):
    with pytest.raises(ValidationError, match=message):
        import_interests(s.event, content)


def test_import_problems_are_listed_by_line(s, db):
    with pytest.raises(InterestImportRefused) as refused:
        import_interests(s.event, f"email,paper\n{s.ben.email},Suwon\nx@y.org,Nope\n".encode())
    assert [(p.line, p.message) for p in refused.value.problems] == [
        (3, "No registration for x@y.org; no paper called “Nope”.")
    ]


def test_importing_through_the_page_needs_an_organiser_login(client, s):
    response = csv_upload(client, s.event, "email,paper\n")
    assert response.status_code == 302 and "/login" in response.location
