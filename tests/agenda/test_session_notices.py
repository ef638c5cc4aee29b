"""Delegates signed up for a session that moves or is cancelled are told when the agenda is
published, and their agenda marks it; switching between parallel sessions is one step."""

import re

import pytest
from sqlalchemy import func, select

from conference.agenda.models import AgendaNotice
from conference.agenda.notices import personal_notices
from conference.agenda.publishing import publish
from conference.agenda.sessions import delete_session, move_session
from conference.agenda.signups import agenda_choices, sign_up, switch_session
from conference.errors import ValidationError
from conference.mail.models import OutboxMessage
from conference.registration.links import manage_token
from conference.registration.places import change_status
from tests.factories import local_time, make_registration, signup_agenda, signups_of


def mails_to(db, address) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == address)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _delegate(a, email):
    return make_registration(a.event, a.category, email=email)


def test_delegates_signed_up_for_a_moved_session_are_told_on_publishing(db):
    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    lan = _delegate(a, "lan@sonla.example")
    other = _delegate(a, "other@sonla.example")  # chose nothing: not told
    sign_up(chien, a.later)
    sign_up(lan, a.later)
    change_status(lan, "cancel")  # no longer coming: not told
    db.session.commit()
    before = {r.email: len(mails_to(db, r.email)) for r in (chien, lan, other)}

    new_start = local_time(a.event, 1, 11).replace(tzinfo=None)
    move_session(a.event, a.later, a.orchid.id, new_start)
    db.session.commit()
    assert len(mails_to(db, chien.email)) == before[chien.email]  # not before publishing
    publish(a.event)
    db.session.commit()

    [mail] = mails_to(db, chien.email)[before[chien.email] :]
    assert mail.subject.startswith("A session you chose has moved: Parallel C: digital skills")
    assert re.search(r"Now: \w+ \d+ \w+ \d{4}, 11:00–12:30, Orchid Room", mail.body_text)
    assert re.search(r"Before: \w+ \d+ \w+ \d{4}, 15:30–17:00, Lotus Room", mail.body_text)
    assert f"/manage/{manage_token(chien)}/agenda" in mail.body_text
    assert len(mails_to(db, lan.email)) == before[lan.email]
    assert len(mails_to(db, other.email)) == before[other.email]

    moved, cancelled = personal_notices(chien)
    assert cancelled == [] and set(moved) == {a.later.id}
    assert (moved[a.later.id].was_room, moved[a.later.id].room) == ("Lotus Room", "Orchid Room")
    assert moved[a.later.id].was_starts.hour == 15 and moved[a.later.id].starts.hour == 11


def test_delegates_of_a_cancelled_session_are_told_once_it_is_published_without_it(db):
    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.later)
    db.session.commit()
    sent = len(mails_to(db, chien.email))
    later_id = a.later.id

    delete_session(a.event, a.later)
    db.session.commit()
    assert signups_of(chien) == []  # the sign-up went with the session
    assert len(mails_to(db, chien.email)) == sent  # told when the change is published
    publish(a.event)
    db.session.commit()

    [mail] = mails_to(db, chien.email)[sent:]
    assert mail.subject.startswith("A session you chose is cancelled: Parallel C")
    assert "15:30–17:00, Lotus Room), is cancelled" in mail.body_text
    moved, [notice] = personal_notices(chien)
    assert moved == {} and (notice.session_id, notice.title) == (later_id, a.later.title)


def test_a_session_never_published_leaves_nobody_to_tell(db):
    from tests.factories import make_session

    a = signup_agenda()
    draft = make_session(a.event, a.grand, (17, 30), (18, 30), title="Draft only")
    delete_session(a.event, draft)
    a.dinner.title = "Welcome dinner by the river"  # something to publish
    publish(a.event)
    db.session.commit()
    assert db.session.scalar(select(func.count(AgendaNotice.id))) == 0


def test_switching_between_parallel_sessions_is_one_step(db):
    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.inclusion)
    db.session.commit()
    climate = next(c for c in agenda_choices(chien) if c.id == a.climate.id)
    assert climate.blocked and climate.switch_from == a.inclusion.id

    switch_session(chien, a.inclusion, a.climate)
    db.session.commit()
    assert signups_of(chien) == ["Parallel B: climate resilience"]


def test_a_refused_switch_keeps_the_first_choice(db):
    a = signup_agenda(lotus_capacity=1)
    first = _delegate(a, "first@sonla.example")
    sign_up(first, a.inclusion)  # the Lotus Room's only place
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.climate)
    db.session.commit()
    inclusion = next(c for c in agenda_choices(chien) if c.id == a.inclusion.id)
    assert inclusion.switch_from is None  # full: nothing to switch to

    with pytest.raises(ValidationError, match="is full"):
        switch_session(chien, a.climate, a.inclusion)
    db.session.rollback()
    assert signups_of(chien) == ["Parallel B: climate resilience"]
    with pytest.raises(ValidationError, match="not signed up for “Parallel A"):
        switch_session(chien, a.inclusion, a.later)


# Pages ---------------------------------------------------------------------------------


def _agenda_url(a, registration, tail=""):
    return f"/events/{a.event.slug}/manage/{manage_token(registration)}/agenda{tail}"


def _card(html: str, session_id: int) -> str:
    start = html.index(f'id="session-{session_id}"')
    return html[start : html.index("</article>", start)]


def test_delegate_switches_in_one_step_and_reads_the_confirmation_in_the_card(client, db):
    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.inclusion)
    db.session.commit()
    page = client.get(_agenda_url(a, chien)).text
    card = _card(page, a.climate.id)
    assert "Switch to this session" in card
    assert f'name="from" value="{a.inclusion.id}"' in card

    answer = client.post(
        _agenda_url(a, chien, f"/{a.climate.id}/switch"), data={"from": a.inclusion.id}
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/agenda#session-{a.climate.id}")
    page = client.get(answer.headers["Location"]).text
    card = _card(page, a.climate.id)
    assert 'role="status"' in card and "instead of “Parallel A: no one left behind”" in card
    assert "Your choice" in card
    assert signups_of(chien) == ["Parallel B: climate resilience"]
    # Shown once: the next visit is quiet.
    assert 'role="status"' not in client.get(_agenda_url(a, chien)).text


def test_a_refused_switch_is_explained_in_the_card_and_changes_nothing(client, db):
    a = signup_agenda(lotus_capacity=1)
    sign_up(_delegate(a, "first@sonla.example"), a.inclusion)
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.climate)
    db.session.commit()
    answer = client.post(
        _agenda_url(a, chien, f"/{a.inclusion.id}/switch"),
        data={"from": a.climate.id},
        follow_redirects=True,
    )
    assert "is full" in _card(answer.text, a.inclusion.id)
    assert signups_of(chien) == ["Parallel B: climate resilience"]


def test_the_personal_agenda_marks_a_moved_session_and_lists_a_cancelled_one(client, db):
    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.inclusion)
    sign_up(chien, a.later)
    db.session.commit()
    move_session(a.event, a.inclusion, a.lotus.id, local_time(a.event, 0, 14).replace(tzinfo=None))
    delete_session(a.event, a.later)
    publish(a.event)
    db.session.commit()

    page = client.get(_agenda_url(a, chien)).text
    card = _card(page, a.inclusion.id)
    assert ">Moved</span>" in card and "it was" in card and "13:30–15:00, Lotus Room" in card
    assert "A session you chose is cancelled" in page
    assert "“Parallel C: digital skills”" in page and "15:30–17:00, Lotus Room: cancelled" in page


def test_marks_expire_once_the_session_has_taken_place(client, db):
    """A move is marked until the session ends at its new time, a cancellation until the
    time it was to end; the page no longer shows them afterwards."""
    from datetime import timedelta

    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.inclusion)
    sign_up(chien, a.later)
    db.session.commit()
    move_session(a.event, a.inclusion, a.lotus.id, local_time(a.event, 0, 11).replace(tzinfo=None))
    delete_session(a.event, a.later)
    publish(a.event)
    db.session.commit()
    moved_ends = local_time(a.event, 0, 12, 30)  # 11:00–12:30 now
    cancelled_ends = local_time(a.event, 0, 17)  # was 15:30–17:00

    second = timedelta(seconds=1)
    moved, cancelled = personal_notices(chien, now=moved_ends - second)
    assert set(moved) == {a.inclusion.id} and len(cancelled) == 1
    moved, cancelled = personal_notices(chien, now=moved_ends)
    assert moved == {} and len(cancelled) == 1
    assert personal_notices(chien, now=cancelled_ends) == ({}, [])


def test_a_session_moved_twice_is_marked_by_its_latest_move_only(db):
    """Moved to the next day, then back to an earlier hour of the first: once it has taken
    place, the first move's later time does not bring back a mark that is no longer true."""
    from datetime import timedelta

    a = signup_agenda()
    chien = _delegate(a, "chien@sonla.example")
    sign_up(chien, a.later)
    db.session.commit()
    move_session(a.event, a.later, a.lotus.id, local_time(a.event, 1, 15, 30).replace(tzinfo=None))
    publish(a.event)
    db.session.commit()
    move_session(a.event, a.later, a.lotus.id, local_time(a.event, 0, 17, 30).replace(tzinfo=None))
    publish(a.event)
    db.session.commit()
    moved, _ = personal_notices(chien, now=local_time(a.event, 0, 18))
    assert moved[a.later.id].starts.hour == 17 and moved[a.later.id].was_starts.day == (
        local_time(a.event, 1, 0).day
    )
    assert personal_notices(chien, now=local_time(a.event, 0, 19) + timedelta(minutes=1)) == (
        {},
        [],
    )
