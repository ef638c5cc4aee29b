"""The participant list: confirmed delegates who consented, and nobody else; who sees it;
its search, pages and export."""

import csv
import io

import pytest

from conference.events.models import ParticipantList
from conference.registration.links import manage_token
from conference.registration.participants import (
    PER_PAGE,
    participants_csv,
    participants_page,
)
from conference.registration.places import change_status
from tests.factories import (
    bulk_registrations,
    delegate,
    make_category,
    make_event,
    make_registration,
    make_reviewer,
    make_user,
    organiser_of,
)


def names(event, **query) -> list[str]:
    return [p.name for p in participants_page(event, **query).items]


@pytest.fixture
def crowd(db):
    """An event with people in every state, consenting or not: only Kim and Lê may ever
    be listed."""
    event = make_event()
    delegates = make_category(event, "Delegate")
    press = make_category(event, "Press", requires_approval=True)
    observers = make_category(event, "Observer", capacity=0)
    listed = {
        "kim": delegate(
            event,
            delegates,
            given_name="Soohyun",
            family_name="Kim",
            native_name="김수현",
            country="KR",
            organisation="UNESCO Bangkok",
            email="soohyun.kim@secretword.example",
            list_consent=True,
        ),
        "le": delegate(
            event,
            delegates,
            given_name="Văn An",
            family_name="Lê",
            native_name="Lê Văn An",
            country="VN",
            organisation="Ho Chi Minh City Department of Education",
            list_consent=True,
        ),
    }
    hidden = {
        "no_consent": delegate(
            event, delegates, given_name="Somchai", family_name="Jaidee", country="TH"
        ),
        "pending": delegate(
            event, press, given_name="Misaki", family_name="Sato", country="JP", list_consent=True
        ),
        "waitlisted": delegate(
            event, observers, given_name="Wei", family_name="Zhang", list_consent=True
        ),
        "cancelled": delegate(
            event, delegates, given_name="Ei Ei", family_name="Khaing", list_consent=True
        ),
    }
    change_status(hidden["cancelled"], "cancel", notify_delegate=False)
    db.session.commit()
    assert hidden["pending"].status == "pending_approval"
    assert hidden["waitlisted"].status == "waitlisted"
    return event, listed, hidden


HIDDEN_NAMES = ("Jaidee", "Sato", "Zhang", "Khaing")


def test_only_confirmed_delegates_who_consented_are_listed(crowd):
    event, listed, hidden = crowd
    page = participants_page(event)
    assert page.total == 2
    assert [(p.name, p.native_name, p.organisation, p.country) for p in page.items] == [
        ("Kim Soohyun", "김수현", "UNESCO Bangkok", "South Korea"),
        ("Lê Văn An", "", "Ho Chi Minh City Department of Education", "Vietnam"),
    ]
    for person in hidden.values():  # searched for by name, nobody else appears either
        assert participants_page(event, q=person.family_name).total == 0


def test_the_export_holds_the_same_people_and_nothing_more(crowd):
    event, _, _ = crowd
    text = "".join(participants_csv(event))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["name", "name_in_own_script", "organisation", "country", "country_code"]
    assert [row[0] for row in rows[1:]] == ["Kim Soohyun", "Lê Văn An"]
    for name in HIDDEN_NAMES:
        assert name not in text
    assert "@" not in text  # no address, ever


def test_a_search_never_matches_an_e_mail_address(crowd):
    event, _, _ = crowd
    assert names(event, q="secretword") == []
    assert names(event, q="soohyun.kim@secretword.example") == []
    assert names(event, q="Soohyun") == ["Kim Soohyun"]
    assert names(event, q="unesco") == ["Kim Soohyun"]
    assert names(event, q="le van") == ["Lê Văn An"]  # diacritics aside
    assert names(event, q="김수현") == ["Kim Soohyun"]


def test_a_country_filters_the_list(crowd):
    event, _, _ = crowd
    assert names(event, country="VN") == ["Lê Văn An"]
    assert names(event, country="TH") == []  # Somchai did not consent


def test_the_list_is_in_family_name_order_with_one_name_people_by_their_name(db):
    event = make_event()
    category = make_category(event)
    for given, family, country in [
        ("Zaw Min Htut", "", "MM"),
        ("Thandar", "Win", "TH"),
        ("Xiaoming", "Wang", "CN"),
        ("Aung Kyaw Oo", "", "MM"),
        ("Budi", "Santoso", "ID"),
    ]:
        delegate(
            event,
            category,
            given_name=given,
            family_name=family,
            single_name=not family,
            native_name="",
            country=country,
            list_consent=True,
        )
    assert names(event) == [
        "Aung Kyaw Oo",
        "Budi Santoso",
        "Wang Xiaoming",  # family name first, as a Chinese name is written
        "Thandar Win",
        "Zaw Min Htut",
    ]


def test_a_large_list_comes_a_page_at_a_time(db):
    event = make_event()
    category = make_category(event)
    ids = bulk_registrations(event, category, 2 * PER_PAGE + 7)
    from conference.registration.models import Registration

    db.session.execute(
        Registration.__table__.update()
        .where(Registration.id.in_(ids[::2]))
        .values(list_consent=True)  # every other one consented
    )
    db.session.commit()
    consented = len(ids[::2])
    first, last = participants_page(event), participants_page(event, page=99)
    assert first.total == consented and first.pages == 2
    assert len(first.items) == PER_PAGE
    assert last.page == 2 and len(last.items) == consented - PER_PAGE
    every = [p.name for p in first.items + last.items]
    assert every == sorted(every, key=lambda name: name.split()[1])  # Bulk000000 ... by family
    assert all(int(name[len("Delegate") :].split()[0]) % 2 == 0 for name in every)


# Who sees it --------------------------------------------------------------------------


def set_list(db, event, value):
    event.participant_list = value
    db.session.commit()


def test_a_list_that_is_off_is_shown_to_nobody_but_organisers(client, db, crowd, login):
    event, listed, _ = crowd
    link = f"/events/{event.slug}/manage/{manage_token(listed['kim'])}/participants"
    assert client.get(f"/events/{event.slug}/participants").status_code == 404
    assert client.get(link).status_code == 404
    assert "Participant list" not in client.get(f"/events/{event.slug}/").text
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/participant-list")
    assert page.status_code == 200 and "Kim Soohyun" in page.text


def test_a_delegates_only_list_opens_through_a_confirmed_delegates_link(client, db, crowd):
    event, listed, hidden = crowd
    set_list(db, event, ParticipantList.DELEGATES)
    assert client.get(f"/events/{event.slug}/participants").status_code == 404

    own = client.get(f"/events/{event.slug}/manage/{manage_token(listed['le'])}")
    assert "Who is coming" in own.text and "You are on it" in own.text
    page = client.get(f"/events/{event.slug}/manage/{manage_token(listed['le'])}/participants")
    assert page.status_code == 200
    assert "Kim Soohyun" in page.text and "Lê Văn An" in page.text
    assert "no-store" in page.headers["Cache-Control"]
    for name in HIDDEN_NAMES:
        assert name not in page.text

    # Someone not listed sees the list too (and is told why they are not on it)...
    own = client.get(f"/events/{event.slug}/manage/{manage_token(hidden['no_consent'])}")
    assert "You are not on it" in own.text
    # ...but not a delegate whose registration is not confirmed.
    for key in ("pending", "waitlisted", "cancelled"):
        token = manage_token(hidden[key])
        assert "Who is coming" not in client.get(f"/events/{event.slug}/manage/{token}").text
        refused = client.get(f"/events/{event.slug}/manage/{token}/participants")
        assert refused.status_code == 404
        assert "for confirmed delegates" in refused.text
        assert "Kim Soohyun" not in refused.text


def test_a_public_list_is_open_to_everyone(client, db, crowd):
    event, _, _ = crowd
    set_list(db, event, ParticipantList.PUBLIC)
    assert f'href="/events/{event.slug}/participants"' in client.get(f"/events/{event.slug}/").text
    page = client.get(f"/events/{event.slug}/participants?q=kim")
    assert page.status_code == 200
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert "Kim Soohyun" in page.text and "Lê Văn An" not in page.text
    page = client.get(f"/events/{event.slug}/participants?country=Vietnam")
    assert "Lê Văn An" in page.text and "Kim Soohyun" not in page.text
    for name in HIDDEN_NAMES:
        assert name not in client.get(f"/events/{event.slug}/participants").text


def test_an_unknown_country_is_named_and_lists_nobody(client, db, crowd):
    event, _, _ = crowd
    set_list(db, event, ParticipantList.PUBLIC)
    page = client.get(f"/events/{event.slug}/participants?country=Atlantis")
    assert page.status_code == 422
    assert "No country is called “Atlantis”" in page.text
    assert "Kim Soohyun" not in page.text


def test_pages_out_of_range_or_not_numbers_show_a_page_that_exists(client, db, crowd):
    event, _, _ = crowd
    set_list(db, event, ParticipantList.PUBLIC)
    for page in ("0", "-3", "9999999999999999999999", "abc"):
        response = client.get(f"/events/{event.slug}/participants?page={page}")
        assert response.status_code == 200, page
        assert "Kim Soohyun" in response.text


# Organisers ---------------------------------------------------------------------------


def test_only_the_events_organisers_set_and_export_the_list(client, db, crowd, login):
    event, _, _ = crowd
    urls = (f"/events/{event.slug}/participant-list", f"/events/{event.slug}/participant-list.csv")
    for url in urls:
        assert client.get(url).status_code in (302, 401)  # to sign in
    login(make_reviewer(event))
    for url in urls:
        assert client.get(url).status_code == 403
    response = client.post(urls[0], data={"participant_list": "public"})
    assert response.status_code == 403
    db.session.refresh(event)
    assert event.participant_list == ParticipantList.OFF

    other = make_event(slug="other-event")
    client.post("/logout")
    login(organiser_of(other))
    assert client.get(urls[1]).status_code == 403


def test_an_organiser_opens_the_list_and_exports_it(client, db, crowd, login):
    event, _, _ = crowd
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/participant-list", data={"participant_list": "delegates"}
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.participant_list == ParticipantList.DELEGATES
    page = client.get(f"/events/{event.slug}/participant-list").text
    assert "2 of the 3 confirmed delegates agreed to be listed" in page
    assert 'aria-current="page" href="/events/' in page  # its tab is marked

    export = client.get(f"/events/{event.slug}/participant-list.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert f"{event.slug}-participants.csv" in export.headers["Content-Disposition"]
    assert export.text.count("\n") == 3  # the header and two people
    for name in HIDDEN_NAMES:
        assert name not in export.text


def test_a_setting_that_is_no_choice_is_refused_and_changes_nothing(client, db, crowd, login):
    event, _, _ = crowd
    login(organiser_of(event))
    for value in ("everyone", "", "OFF"):
        response = client.post(
            f"/events/{event.slug}/participant-list", data={"participant_list": value}
        )
        assert response.status_code == 422, value
        assert "Choose who sees the participant list" in response.text
    db.session.refresh(event)
    assert event.participant_list == ParticipantList.OFF


def test_the_export_defuses_spreadsheet_formulas(db):
    event = make_event()
    category = make_category(event)
    make_registration(event, category, organisation="=HYPERLINK(evil)", list_consent=True)
    rows = list(csv.reader(io.StringIO("".join(participants_csv(event)).removeprefix("\ufeff"))))
    assert rows[1][2] == "'=HYPERLINK(evil)"


def test_signed_in_strangers_see_no_delegates_only_list(client, db, crowd, login):
    event, _, _ = crowd
    set_list(db, event, ParticipantList.DELEGATES)
    login(make_user())
    assert client.get(f"/events/{event.slug}/participants").status_code == 404
    bad = client.get(f"/events/{event.slug}/manage/not-a-token/participants")
    assert bad.status_code == 404


def test_a_page_of_a_large_list_is_read_off_its_index_in_order(db):
    """On PostgreSQL a page of the list is read from ix_registration_participants in the
    list's order: no sort of every participant for each page. (Very deep pages of a small
    table the planner may still sort: 50 ms for 10,000.)"""
    import json

    from sqlalchemy import text

    from conference.registration.participants import participants_query

    if db.engine.dialect.name != "postgresql":
        pytest.skip("the index is PostgreSQL's")
    event = make_event()
    category = make_category(event)
    bulk_registrations(event, category, 3000)
    db.session.execute(text("UPDATE registration SET list_consent = true"))
    db.session.execute(text("ANALYZE registration"))
    query = participants_query(event).limit(PER_PAGE).offset(3 * PER_PAGE)
    sql = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = db.session.scalar(text(f"EXPLAIN (FORMAT JSON) {sql}"))
    plan = json.dumps(plan if isinstance(plan, list) else json.loads(plan))
    assert "ix_registration_participants" in plan
    assert '"Node Type": "Sort"' not in plan
    db.session.rollback()


def test_an_export_longer_than_a_chunk_has_everyone_once_in_order(db, monkeypatch):
    monkeypatch.setattr("conference.registration.participants.CHUNK", 7)
    event = make_event()
    category = make_category(event)
    for given, family in [("An", "Lê"), ("Binh", "Lê"), ("Zaw", "")] * 5 + [("Mai", "Anh")]:
        delegate(
            event,
            category,
            given_name=given,
            family_name=family,
            single_name=not family,
            native_name="",
            country="VN",
            list_consent=True,
        )
    rows = list(csv.reader(io.StringIO("".join(participants_csv(event)).removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Anh Mai"] + ["Lê An"] * 5 + ["Lê Binh"] * 5 + [
        "Zaw"
    ] * 5
