"""Bulk actions on the organisers' list name the action and the count before they run and
after, in the singular or the plural."""

import re

from conference.registration.models import Registration
from conference.registration.places import bulk_outcome, bulk_question
from tests.factories import delegate, make_category, make_event, make_user, organiser_of


def test_questions_and_outcomes_name_the_action_and_the_count():
    assert bulk_question("approve", 10) == "Approve 10 registrations?"
    assert bulk_question("approve", 1) == "Approve 1 registration?"
    assert bulk_question("cancel", 1250) == "Cancel 1,250 registrations?"
    assert bulk_question("promote", 2) == "Promote 2 registrations from the waiting list?"
    assert bulk_outcome("approve", 10) == "10 registrations approved"
    assert bulk_outcome("reject", 1) == "1 registration rejected"
    assert bulk_outcome("cancel", 3) == "3 registrations cancelled"
    assert bulk_outcome("promote", 1) == "1 registration promoted from the waiting list"
    assert bulk_outcome("approve", 0) == "No registration was approved"


def pending_people(event, count):
    press = make_category(event, "Press", requires_approval=True)
    return [delegate(event, press, family_name=f"Press{n}").id for n in range(count)]


def statuses(db, ids):
    db.session.expire_all()
    return [db.session.get(Registration, i).status for i in ids]


def test_the_list_asks_first_naming_the_action_and_the_count(client, db, login):
    event = make_event()
    ids = pending_people(event, 3)
    login(organiser_of(event))
    page = client.post(
        f"/events/{event.slug}/registrations/bulk", data={"action": "approve", "ids": ids[:2]}
    )
    assert page.status_code == 200
    assert '<h1 class="h3">Approve 2 registrations?</h1>' in page.text
    assert ">Approve 2 registrations</button>" in page.text
    assert "Press0" in page.text and "Press1" in page.text and "Press2" not in page.text
    assert statuses(db, ids) == ["pending_approval"] * 3  # nothing has changed yet
    # The confirmation carries the same registrations, and no script is needed for it.
    assert sorted(re.findall(r'name="ids" value="(\d+)"', page.text)) == sorted(map(str, ids[:2]))
    assert "<script>" not in page.text

    one = client.post(
        f"/events/{event.slug}/registrations/bulk", data={"action": "approve", "ids": ids[2:]}
    )
    assert "Approve 1 registration?" in one.text


def test_once_confirmed_it_runs_and_says_what_it_did(client, db, login):
    event = make_event()
    ids = pending_people(event, 3)
    login(organiser_of(event))
    response = client.post(
        f"/events/{event.slug}/registrations/bulk",
        data={"action": "approve", "ids": ids, "confirmed": "1"},
        follow_redirects=True,
    )
    assert "3 registrations approved; e-mails are on their way." in response.text
    assert statuses(db, ids) == ["confirmed"] * 3
    response = client.post(
        f"/events/{event.slug}/registrations/bulk",
        data={"action": "cancel", "ids": ids[:1], "confirmed": "1"},
        follow_redirects=True,
    )
    assert "1 registration cancelled; e-mails are on their way." in response.text


def test_those_the_action_does_not_apply_to_are_named_and_left_out(client, db, login):
    event = make_event()
    ids = pending_people(event, 2)
    confirmed = delegate(event, make_category(event, "Delegate"), family_name="Srisuk").id
    login(organiser_of(event))
    page = client.post(
        f"/events/{event.slug}/registrations/bulk",
        data={"action": "approve", "ids": [*ids, confirmed]},
    ).text
    assert "Approve 2 registrations?" in page
    assert (
        "1 of the 3 ticked stays as it is: only registrations pending approval can be approved"
        in page
    )
    assert str(confirmed) not in re.findall(r'name="ids" value="(\d+)"', page)

    nothing = client.post(
        f"/events/{event.slug}/registrations/bulk", data={"action": "approve", "ids": [confirmed]}
    ).text
    assert "Nothing to approve" in nothing and 'name="confirmed"' not in nothing


def test_bulk_actions_are_for_the_events_organisers(client, db, login):
    event = make_event()
    ids = pending_people(event, 2)
    login(make_user())
    for data in (
        {"action": "approve", "ids": ids},
        {"action": "approve", "ids": ids, "confirmed": "1"},
    ):
        assert client.post(f"/events/{event.slug}/registrations/bulk", data=data).status_code == 403
    assert statuses(db, ids) == ["pending_approval"] * 2
    other = make_event()
    client.post("/logout")
    login(organiser_of(other))
    page = client.post(
        f"/events/{other.slug}/registrations/bulk", data={"action": "approve", "ids": ids}
    ).text
    assert "Nothing to approve" in page  # another event's registrations are none of its own
    assert statuses(db, ids) == ["pending_approval"] * 2


def test_the_apply_button_leads_to_the_question_not_a_browser_dialog(client, db, login):
    event = make_event()
    pending_people(event, 1)
    login(organiser_of(event))
    page = client.get(f"/events/{event.slug}/registrations/").text
    form = re.search(r'<form method="post" action="[^"]*/registrations/bulk".*?</form>', page, re.S)
    assert "data-confirm" not in form.group(0)
