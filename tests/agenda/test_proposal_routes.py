"""Proposals of parallel sessions through HTTP: the editor's count and buttons, the form and
its refusals (a clear message, never a 500, nothing started), the progress JSON, accepting
and discarding, per-event organiser permission and CSRF."""

import re

import pytest
from sqlalchemy import select

from conference.agenda.instances import draft_attendee_conflicts
from conference.agenda.models import ProposalStatus, ScheduleProposal
from conference.agenda.proposals import ProposalOptions, start_proposal
from conference.agenda.publishing import snapshot
from conference.agenda.talks import place_talk
from conference.extensions import db as _db
from tests.factories import PASSWORD, give_role, make_event, make_user, organiser_of
from tests.factories.proposals import event_from_instance


@pytest.fixture
def xs(db):
    return event_from_instance("XS", seed=0)


def ready_proposal(s) -> int:
    proposal = start_proposal(s.event, organiser_of(s.event), ProposalOptions(time_limit=1))
    _db.session.commit()
    return proposal.id


def stored(proposal_id) -> ScheduleProposal:
    _db.session.expire_all()
    return _db.session.get(ScheduleProposal, proposal_id)


def form_data(s, **changes) -> dict:
    data = {
        "block_ids": [b.id for b in s.blocks.values()],
        "room_ids": [str(r.id) for r in s.rooms.values()],
        "talk_ids": [str(t.id) for t in s.talks.values()],
        "time_limit": "1",
        "previous": "none",
        "weight_attendee_conflict": "1",
        "weight_capacity_overflow": "1",
        "weight_track_rooms": "10",
        "weight_similar_parallel": "5",
        "weight_moved": "20",
    }
    data.update(changes)
    return data


def test_editor_shows_the_conflict_count_and_the_propose_button(client, xs, login):
    login(organiser_of(xs.event))
    page = client.get(f"/events/{xs.event.slug}/agenda/edit")
    count = re.search(r'id="attendee-conflicts">(\d+)<', page.text).group(1)
    assert int(count) == draft_attendee_conflicts(xs.event) > 0
    assert f'href="/events/{xs.event.slug}/agenda/propose"' in page.text


def test_the_form_is_prefilled_with_the_blocks_rooms_and_talks(client, xs, login):
    login(organiser_of(xs.event))
    page = client.get(f"/events/{xs.event.slug}/agenda/propose")
    assert page.status_code == 200
    for block in xs.blocks.values():
        assert re.search(rf'value="{block.id}" id="block-{block.id}" checked', page.text)
        assert block.label in page.text
    for talk in xs.talks.values():
        assert f'value="{talk.id}" id="talk-{talk.id}" checked' in page.text
    assert "Each time a delegate wants talks in two rooms of the same block" in page.text


def test_posting_the_form_starts_a_proposal_and_its_page_shows_it(client, xs, login):
    login(organiser_of(xs.event))
    before = snapshot(xs.event)
    response = client.post(f"/events/{xs.event.slug}/agenda/propose", data=form_data(xs))
    assert response.status_code == 302
    proposal = _db.session.scalar(select(ScheduleProposal))
    assert response.headers["Location"].endswith(f"/agenda/proposals/{proposal.id}")

    state = client.get(f"/events/{xs.event.slug}/agenda/proposals/{proposal.id}.json").get_json()
    assert state["status"] == "ready"
    assert state["objective"] == stored(proposal.id).solution["stats"]["objective"]
    assert set(state["terms"]) == {
        "attendee_conflict",
        "capacity_overflow",
        "track_rooms",
        "similar_parallel",
        "moved",
    }
    page = client.get(f"/events/{xs.event.slug}/agenda/proposals/{proposal.id}")
    summary = stored(proposal.id).summary
    figure = re.search(r'id="figure-conflicts">(.*?)</p>', page.text, re.S).group(1)
    numbers = [int(n) for n in re.findall(r">(\d+)<", figure)]
    assert numbers == [
        summary["before"]["attendee_conflicts"],
        summary["after"]["attendee_conflicts"],
    ]
    assert "Accept into the draft" in page.text
    first_block = next(iter(xs.blocks.values()))
    assert first_block.label in page.text  # event time, not the block's id
    assert snapshot(xs.event) == before  # nothing in the draft until accepted


def test_accepting_from_the_page_lowers_the_editors_count(client, xs, login):
    login(organiser_of(xs.event))
    proposal_id = ready_proposal(xs)
    before = draft_attendee_conflicts(xs.event)
    response = client.post(
        f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}/accept", follow_redirects=True
    )
    assert "The proposal is in the draft" in response.text
    count = int(re.search(r'id="attendee-conflicts">(\d+)<', response.text).group(1))
    assert count == stored(proposal_id).summary["after"]["attendee_conflicts"] < before
    assert "Nothing is published until you publish" in response.text


def test_accepting_after_a_change_says_what_changed_and_changes_nothing(client, xs, login):
    login(organiser_of(xs.event))
    proposal_id = ready_proposal(xs)
    talk = next(iter(xs.talks.values()))
    place_talk(xs.event, talk, None)  # taken out of its session in the editor meanwhile
    _db.session.commit()
    before = snapshot(xs.event)
    page = client.get(f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}")
    assert "The agenda changed since this proposal was made" in page.text

    response = client.post(
        f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}/accept", follow_redirects=True
    )
    assert response.status_code == 200
    assert "it was not accepted and nothing was changed" in response.text
    assert f"“{talk.title}” was moved in the editor since the export" in response.text
    assert snapshot(xs.event) == before
    assert stored(proposal_id).status == ProposalStatus.READY


def test_discarding_from_the_page(client, xs, login):
    login(organiser_of(xs.event))
    proposal_id = ready_proposal(xs)
    response = client.post(
        f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}/discard", follow_redirects=True
    )
    assert "The proposal is discarded" in response.text
    assert stored(proposal_id).status == ProposalStatus.DISCARDED
    again = client.post(
        f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}/accept", follow_redirects=True
    )
    assert "This proposal was discarded." in again.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"time_limit": "soon"}, "Not a valid integer value."),
        ({"time_limit": "0"}, "Between 1 and 600 seconds."),
        ({"weight_moved": "-3"}, "A weight is a whole number from 0 to 1000."),
        ({"weight_track_rooms": ""}, "Give a weight"),
        ({"talk_ids": ["ten"]}, "Choose the talks from the list."),
        ({"room_ids": ["1e9"]}, "Choose the rooms from the list."),
        ({"talk_ids": []}, "Choose at least one talk to place."),
        ({"block_ids": []}, "Choose at least one block."),
        ({"block_ids": ["d7-2300"]}, "not on the agenda any more"),
        ({"talk_ids": ["999999"]}, "neither in the parallel sessions"),
        ({"room_ids": ["999999"]}, "Choose rooms of this event."),
        ({"previous": "yesterday"}, "Not a valid choice"),
        ({"previous": "published"}, "not published yet"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_starts(
    client, xs, login, changes, message
):
    login(organiser_of(xs.event))
    response = client.post(f"/events/{xs.event.slug}/agenda/propose", data=form_data(xs, **changes))
    assert response.status_code == 422
    assert message in response.text.replace("&#34;", '"')
    assert _db.session.scalar(select(ScheduleProposal.id)) is None


def test_an_event_without_parallel_sessions_is_told_what_to_do_first(client, db, login):
    event = make_event()
    login(organiser_of(event))
    response = client.get(f"/events/{event.slug}/agenda/propose", follow_redirects=True)
    assert response.status_code == 200
    assert "The agenda has no parallel sessions yet" in response.text


def test_a_proposal_of_another_event_is_not_found(client, xs, login):
    proposal_id = ready_proposal(xs)
    other = make_event()
    login(organiser_of(other))
    for url in ("", ".json"):
        assert (
            client.get(f"/events/{other.slug}/agenda/proposals/{proposal_id}{url}").status_code
            == 404
        )
    assert (
        client.post(f"/events/{other.slug}/agenda/proposals/{proposal_id}/accept").status_code
        == 404
    )
    assert stored(proposal_id).status == ProposalStatus.READY


@pytest.mark.parametrize("role", ["reviewer", "checkin", None])
def test_only_the_events_organisers_may_propose_or_decide(client, xs, login, role):
    proposal_id = ready_proposal(xs)
    someone = make_user("someone@example.org")
    if role:
        give_role(xs.event, someone, role)
    other = make_event(someone)  # an organiser, but of another event
    assert other.id != xs.event.id
    login(someone)
    base = f"/events/{xs.event.slug}/agenda"
    for url in ("/propose", f"/proposals/{proposal_id}", f"/proposals/{proposal_id}.json"):
        assert client.get(base + url).status_code == 403
    assert client.post(base + "/propose", data=form_data(xs)).status_code == 403
    for action in ("cancel", "accept", "discard"):
        assert client.post(f"{base}/proposals/{proposal_id}/{action}").status_code == 403
    assert stored(proposal_id).status == ProposalStatus.READY
    assert _db.session.scalar(select(_db.func.count(ScheduleProposal.id))) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, xs):
    proposal_id = ready_proposal(xs)
    response = client.get(f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert (
        client.post(f"/events/{xs.event.slug}/agenda/proposals/{proposal_id}/accept").status_code
        == 302
    )
    assert stored(proposal_id).status == ProposalStatus.READY


def test_posts_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        s = event_from_instance("XS", seed=0)
        email, slug = organiser_of(s.event).email, s.event.slug
        proposal_id = ready_proposal(s)
        before = snapshot(s.event)
        data = form_data(s)
        login = client.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text).group(1)
        client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})

        for action in ("accept", "discard", "cancel"):
            assert (
                client.post(f"/events/{slug}/agenda/proposals/{proposal_id}/{action}").status_code
                == 400
            )
        assert client.post(f"/events/{slug}/agenda/propose", data=data).status_code == 400
        assert stored(proposal_id).status == ProposalStatus.READY
        assert _db.session.scalar(select(_db.func.count(ScheduleProposal.id))) == 1
        assert snapshot(s.event) == before

        page = client.get(f"/events/{slug}/agenda/proposals/{proposal_id}").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        accepted = client.post(
            f"/events/{slug}/agenda/proposals/{proposal_id}/accept", data={"csrf_token": token}
        )
        assert accepted.status_code == 302
        assert stored(proposal_id).status == ProposalStatus.ACCEPTED
        _db.session.remove()
