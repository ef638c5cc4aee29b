"""The blocks a presenter cannot make and the rooms that cannot be used (marked by the
organisers, or by presenters on their paper's page), similar tracks, and talks kept where
they are: the pages, their permissions, and what the instance makes of them."""

import re

import pytest
from sqlalchemy import func, select

from conference.agenda.availability import (
    mark_presenter_available,
    mark_presenter_unavailable,
    mark_room_unavailable,
    mark_similar,
    own_blocks,
    similar_pairs,
    unmark_similar,
)
from conference.agenda.blocks import group_windows, parallel_blocks
from conference.agenda.instances import build_instance
from conference.agenda.models import PresenterUnavailability, RoomUnavailability, Talk
from conference.agenda.sessions import move_session
from conference.errors import ValidationError
from conference.registration.links import manage_token
from tests.factories import make_call, organiser_of
from tests.factories.agenda import local_time
from tests.factories.scheduling import scheduling_event


@pytest.fixture
def s(db):
    return scheduling_event()


def marked(db, model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# Blocks ----------------------------------------------------------------------------------


def test_overlapping_windows_make_one_block_named_after_its_day_and_start(s):
    first, tz = s.event.start_date, s.event.tz
    windows = [
        (local_time(s.event, 0, 13, 30), local_time(s.event, 0, 15)),
        (local_time(s.event, 0, 14), local_time(s.event, 0, 15, 15)),  # overlaps the first
        (local_time(s.event, 1, 9), local_time(s.event, 1, 10, 30)),
    ]
    blocks = group_windows(windows, tz, first)
    assert [(b.id, b.start, b.end, b.minutes) for b in blocks] == [
        ("d1-1330", "13:30", "15:15", 105),
        ("d2-0900", "09:00", "10:30", 90),
    ]


def test_a_marked_block_follows_the_block_when_its_sessions_move_a_little(s, db):
    for session in (s.a, s.b, s.d):
        move_session(
            s.event, session, session.room_id, local_time(s.event, 0, 13, 45).replace(tzinfo=None)
        )
    db.session.commit()
    first, second = parallel_blocks(s.event)
    assert first.id == "d1-1345"
    mark_presenter_unavailable(s.event, s.p1, first, "Arrives at 14:00")
    db.session.commit()
    people = {p["id"]: p for p in build_instance(s.event)["people"]}
    assert people[f"person-{s.p1.id}"]["unavailable"] == ["d1-1345"]
    assert own_blocks(s.p1, [first, second]) == {"d1-1345": "Arrives at 14:00"}


# The services ----------------------------------------------------------------------------


def test_marking_again_changes_the_reason_and_unmarking_forgets_it(s, db):
    first = s.blocks[0]
    mark_presenter_unavailable(s.event, s.p1, first, "Arrives late")
    mark_presenter_unavailable(s.event, s.p1, first, "  Arrives   at 14:30 ")
    db.session.commit()
    assert own_blocks(s.p1, s.blocks) == {first.id: "Arrives at 14:30"}
    assert mark_presenter_available(s.event, s.p1, first) is True
    assert mark_presenter_available(s.event, s.p1, first) is False
    assert own_blocks(s.p1, s.blocks) == {}


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_reason_is_needed_and_kept_short(s, db, reason):
    with pytest.raises(ValidationError, match="reason|why"):
        mark_presenter_unavailable(s.event, s.p1, s.blocks[0], reason)
    with pytest.raises(ValidationError):
        mark_room_unavailable(s.event, s.lotus, s.blocks[0], reason)


def test_another_events_people_rooms_and_tracks_are_refused(s, db):
    other = scheduling_event()
    with pytest.raises(ValidationError, match="delegate of this event"):
        mark_presenter_unavailable(s.event, other.p1, s.blocks[0], "Away")
    with pytest.raises(ValidationError, match="room of this event"):
        mark_room_unavailable(s.event, other.lotus, s.blocks[0], "Away")
    with pytest.raises(ValidationError, match="two tracks of this event"):
        mark_similar(s.event, s.skills, other.skills)
    with pytest.raises(ValidationError, match="two different tracks"):
        mark_similar(s.event, s.skills, s.skills)


def test_similar_tracks_are_one_pair_whichever_way_round(s, db):
    assert mark_similar(s.event, s.climate, s.inclusion) is False  # marked the other way
    assert mark_similar(s.event, s.skills, s.climate) is True
    db.session.commit()
    assert [(a.name, b.name) for a, b in similar_pairs(s.event)] == [
        ("Climate", "Inclusion"),
        ("Climate", "Skills"),
    ]
    assert unmark_similar(s.event, s.inclusion, s.climate) is True
    assert unmark_similar(s.event, s.inclusion, s.climate) is False


# The organisers' pages -------------------------------------------------------------------


def test_organisers_mark_a_presenter_and_a_room_unavailable(client, s, db, login):
    login(organiser_of(s.event))
    url = f"/events/{s.event.slug}/agenda/edit/availability"
    page = client.get(url).text
    assert s.blocks[0].label in page and s.blocks[1].label in page
    assert "Kim Soohyun" in page and "Leaves at 15:00" in page
    first = s.blocks[0]
    response = client.post(
        f"{url}/presenters",
        data={"registration_id": s.p4.id, "block": first.id, "reason": "Another duty"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{url}/rooms", data={"room_id": s.lotus.id, "block": first.id, "reason": "Film crew"}
    )
    assert response.status_code == 302
    doc = build_instance(s.event, place=None)
    people = {p["id"]: p for p in doc["people"]}
    rooms = {r["id"]: r for r in doc["rooms"]}
    assert people[f"person-{s.p4.id}"]["unavailable"] == [first.id]
    assert rooms[f"room-{s.lotus.id}"]["unavailable"] == [first.id]
    page = client.get(url).text
    assert "Another duty" in page and "Film crew" in page
    row = db.session.scalar(
        select(RoomUnavailability).where(RoomUnavailability.room_id == s.lotus.id)
    )
    row_id = row.id
    assert client.post(f"{url}/rooms/{row_id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(RoomUnavailability, row_id) is None


def test_a_refused_mark_says_why_and_keeps_nothing(client, s, db, login):
    login(organiser_of(s.event))
    url = f"/events/{s.event.slug}/agenda/edit/availability"
    other = scheduling_event()
    before = marked(db, PresenterUnavailability)
    response = client.post(
        f"{url}/presenters", data={"registration_id": s.p4.id, "block": "d9-0700", "reason": "x"}
    )
    assert response.status_code == 422
    assert "not on the agenda any more" in response.text
    response = client.post(
        f"{url}/presenters",
        data={"registration_id": s.p4.id, "block": s.blocks[0].id, "reason": ""},
    )
    assert response.status_code == 422
    response = client.post(
        f"{url}/presenters",
        data={"registration_id": other.p4.id, "block": s.blocks[0].id, "reason": "Away"},
    )
    assert response.status_code == 422 and "delegate of this event" in response.text
    assert marked(db, PresenterUnavailability) == before


def test_only_the_events_organisers_mark_availability(client, s, db, login):
    other = scheduling_event()
    login(organiser_of(other.event))
    url = f"/events/{s.event.slug}/agenda/edit/availability"
    assert client.get(url).status_code == 403
    before = marked(db, PresenterUnavailability)
    data = {"registration_id": s.p4.id, "block": s.blocks[0].id, "reason": "Away"}
    assert client.post(f"{url}/presenters", data=data).status_code == 403
    row = db.session.scalar(select(PresenterUnavailability))
    # A row of this event, through the other event's address: not found there.
    assert (
        client.post(
            f"/events/{other.event.slug}/agenda/edit/availability/presenters/{row.id}/remove"
        ).status_code
        == 404
    )
    assert marked(db, PresenterUnavailability) == before


def test_organisers_mark_similar_tracks_on_the_tracks_page(client, s, db, login):
    login(organiser_of(s.event))
    url = f"/events/{s.event.slug}/agenda/edit/tracks"
    assert "Climate" in client.get(url).text
    response = client.post(
        f"{url}/similar", data={"track_id": s.skills.id, "other_track_id": s.inclusion.id}
    )
    assert response.status_code == 302
    page = client.get(url).text
    listed = re.search(r'<ul class="list-group mb-3" id="similar-tracks">(.*?)</ul>', page, re.S)
    assert listed.group(1).count("Not similar") == 2
    client.post(
        f"{url}/similar",
        data={"track_id": s.inclusion.id, "other_track_id": s.climate.id, "remove": "1"},
    )
    assert [(a.name, b.name) for a, b in similar_pairs(s.event)] == [("Inclusion", "Skills")]
    response = client.post(
        f"{url}/similar",
        data={"track_id": s.skills.id, "other_track_id": s.skills.id},
        follow_redirects=True,
    )
    assert "Choose two different tracks." in response.text


def test_a_talk_is_kept_where_it_is_from_its_form(client, s, db, login):
    login(organiser_of(s.event))
    url = f"/events/{s.event.slug}/agenda/edit/talks/{s.suwon.id}"
    assert 'name="fixed"' in client.get(url).text
    response = client.post(
        url,
        data={
            "title": "Suwon",
            "duration_minutes": "30",
            "session_id": str(s.b.id),
            "presenter_ids": [str(s.p2.id)],
            "fixed": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Talk, s.suwon.id).fixed
    talks = {t["id"]: t for t in build_instance(s.event)["talks"]}
    assert talks[f"talk-{s.suwon.id}"]["fixed"] == {
        "block": s.blocks[0].id,
        "room": f"room-{s.orchid.id}",
    }


# Presenters, on their paper's page -------------------------------------------------------


def paper_url(registration, paper, rest=""):
    return (
        f"/events/{registration.event.slug}/manage/{manage_token(registration)}"
        f"/papers/{paper.id}{rest}"
    )


def paper_of(db, talk):
    from conference.papers.models import Paper

    return db.session.scalar(select(Paper).where(Paper.talk_id == talk.id))


def test_a_presenter_marks_the_blocks_they_cannot_make_on_their_paper(client, s, db):
    make_call(s.event)
    paper = paper_of(db, s.son_la)  # submitted and presented by p1
    page = client.get(paper_url(s.p1, paper)).text
    assert "When you can present" in page
    assert page.count("I cannot make it") == 2
    first = s.blocks[0]
    response = client.post(
        paper_url(s.p1, paper, "/blocks"),
        data={"block": first.id, "reason": "Flight lands at 14:00"},
    )
    assert response.status_code == 302
    assert response.location.endswith("#blocks")
    assert own_blocks(s.p1, s.blocks) == {first.id: "Flight lands at 14:00"}
    page = client.get(paper_url(s.p1, paper)).text
    assert "You cannot make it" in page and "Flight lands at 14:00" in page
    client.post(paper_url(s.p1, paper, "/blocks"), data={"block": first.id, "available": "1"})
    assert own_blocks(s.p1, s.blocks) == {}


def test_a_presenter_must_say_why(client, s, db):
    make_call(s.event)
    paper = paper_of(db, s.son_la)
    response = client.post(paper_url(s.p1, paper, "/blocks"), data={"block": s.blocks[0].id})
    assert response.status_code == 422
    assert "Say why" in response.text
    assert own_blocks(s.p1, s.blocks) == {}
    response = client.post(
        paper_url(s.p1, paper, "/blocks"), data={"block": "d7-0800", "reason": "Away"}
    )
    assert response.status_code == 422
    assert "not on the agenda any more" in response.text
    assert own_blocks(s.p1, s.blocks) == {}


def test_an_author_who_does_not_present_marks_nothing(client, s, db):
    make_call(s.event)
    paper = paper_of(db, s.suwon)  # submitted by p1, presented by p2
    page = client.get(paper_url(s.p1, paper)).text
    assert "When you can present" not in page
    before = marked(db, PresenterUnavailability)
    response = client.post(
        paper_url(s.p1, paper, "/blocks"), data={"block": s.blocks[0].id, "reason": "Busy"}
    )
    assert response.status_code == 302
    assert marked(db, PresenterUnavailability) == before
    # Someone else's paper is not found at all through this link.
    assert client.get(paper_url(s.ana, paper)).status_code == 404
