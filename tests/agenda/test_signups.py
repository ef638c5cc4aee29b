"""Personal agendas: sign-ups for parallel sessions, refused with the reason when they cannot be."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from conference.agenda.models import AgendaSession, AgendaSignup, Room
from conference.agenda.publishing import publish
from conference.agenda.signups import (
    by_day,
    can_choose_sessions,
    cancel_signup,
    personal_agenda,
    sign_up,
    signup_counts,
    takes_signups,
)
from conference.errors import ValidationError
from conference.extensions import db as _db
from conference.registration.places import change_status
from tests.factories import (
    make_category,
    make_event,
    make_registration,
    make_session,
    signup_agenda,
    signups_of,
)


def test_parallel_sessions_take_signups_and_plenaries_are_for_everybody(db):
    a = signup_agenda()
    assert takes_signups(a.inclusion) and not takes_signups(a.opening)
    assert not takes_signups(a.dinner)  # only the room's capacity: everybody is welcome
    a.dinner.capacity = 120  # places limited by the organiser: now delegates sign up
    assert takes_signups(a.dinner)
    a.opening.signed_up_only = True
    assert takes_signups(a.opening)


def test_a_choice_joins_the_sessions_for_everybody_in_time_order(db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    sign_up(delegate, a.later)
    db.session.commit()
    agenda = personal_agenda(delegate)
    assert [c.title for c in agenda] == [
        "Opening plenary",
        "Parallel C: digital skills",
        "Welcome dinner",
    ]
    assert agenda[0].starts.tzinfo.key == "Asia/Bangkok"


def test_presenters_have_their_own_session_in_their_agenda_and_it_clashes(db):
    a = signup_agenda()
    mine = [c.title for c in personal_agenda(a.speaker) if c.role == "presenter"]
    assert mine == ["Parallel B: climate resilience"]
    with pytest.raises(ValidationError, match="where you present"):
        sign_up(a.speaker, a.inclusion)
    with pytest.raises(ValidationError, match="You present in “Parallel B.*in your agenda already"):
        sign_up(a.speaker, a.climate)  # no place taken: presenters are there anyway
    assert signups_of(a.speaker) == []


@pytest.mark.parametrize("status", ["pending_approval", "waitlisted", "cancelled"])
def test_only_confirmed_delegates_sign_up(db, status):
    a = signup_agenda()
    if status == "pending_approval":
        category = make_category(a.event, "Observer", requires_approval=True)
    elif status == "waitlisted":
        category = make_category(a.event, "Press", capacity=0)
    else:
        category = a.category
    delegate = make_registration(a.event, category)
    if status == "cancelled":
        change_status(delegate, "cancel")
        db.session.commit()
    assert delegate.status == status
    assert not can_choose_sessions(delegate)
    with pytest.raises(ValidationError, match="Only confirmed delegates choose sessions"):
        sign_up(delegate, a.inclusion)
    assert signups_of(delegate) == []


def test_a_confirmed_delegate_can_choose_and_the_page_offers_it(client, db):
    from conference.registration.links import manage_token

    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    assert can_choose_sessions(delegate)
    page = client.get(f"/events/{a.event.slug}/manage/{manage_token(delegate)}/agenda")
    assert "You can choose sessions once your registration is confirmed" not in page.text
    change_status(delegate, "cancel")
    db.session.commit()
    assert not can_choose_sessions(delegate)
    page = client.get(f"/events/{a.event.slug}/manage/{manage_token(delegate)}/agenda")
    assert "You can choose sessions once your registration is confirmed" in page.text


def test_a_session_of_another_event_is_refused(db):
    a = signup_agenda()
    other = signup_agenda()
    delegate = make_registration(a.event, a.category)
    with pytest.raises(ValidationError, match="not part of this event"):
        sign_up(delegate, other.inclusion)
    assert signups_of(delegate) == []


def test_sessions_not_open_for_signup_are_refused(db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    with pytest.raises(ValidationError, match="does not take sign-ups: everybody is welcome"):
        sign_up(delegate, a.opening)
    second_day = a.event.start_date + timedelta(days=1)
    draft = make_session(a.event, a.orchid, (9, 0), (10, 0), title="Draft only", day=second_day)
    db.session.commit()
    with pytest.raises(ValidationError, match="“Draft only” is not in the published agenda"):
        sign_up(delegate, draft)
    assert signups_of(delegate) == []


def test_a_clashing_choice_is_refused_with_the_reason(db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    sign_up(delegate, a.inclusion)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        sign_up(delegate, a.climate)
    assert refused.value.message == (
        "“Parallel B: climate resilience” clashes with “Parallel A: no one left behind”, "
        f"{a.event.start_date.day} {a.event.start_date:%b} 13:30–15:00 (Asia/Bangkok) "
        "in Lotus Room."
    )
    db.session.rollback()
    assert signups_of(delegate) == ["Parallel A: no one left behind"]


def test_a_full_session_is_refused_and_leaving_frees_the_place(db):
    a = signup_agenda(lotus_capacity=1)
    first, second = make_registration(a.event, a.category), make_registration(a.event, a.category)
    sign_up(first, a.inclusion)
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        sign_up(second, a.inclusion)
    assert refused.value.message == "“Parallel A: no one left behind” is full: 1 of 1 places taken."
    db.session.rollback()
    assert signups_of(second) == []

    assert cancel_signup(first, a.inclusion) is True
    db.session.commit()
    assert cancel_signup(first, a.inclusion) is False
    sign_up(second, a.inclusion)
    db.session.commit()
    assert signups_of(second) == ["Parallel A: no one left behind"]


def test_raising_the_capacity_in_the_draft_frees_places_at_once(db):
    a = signup_agenda(lotus_capacity=0)
    delegate = make_registration(a.event, a.category)
    with pytest.raises(ValidationError, match="is full: 0 of 0"):
        sign_up(delegate, a.inclusion)
    db.session.rollback()
    a.inclusion.capacity = 30
    db.session.commit()
    sign_up(delegate, a.inclusion)
    db.session.commit()
    [choice] = [c for c in personal_agenda(delegate) if c.id == a.inclusion.id]
    assert (choice.capacity, choice.taken, choice.places_left) == (30, 1, 29)


def test_signing_up_twice_changes_nothing(db):
    a = signup_agenda()
    delegate = make_registration(a.event, a.category)
    first = sign_up(delegate, a.inclusion)
    db.session.commit()
    assert sign_up(delegate, a.inclusion).id == first.id
    db.session.commit()
    assert db.session.scalar(select(func.count(AgendaSignup.id))) == 1


def test_a_cancelled_registration_gives_its_places_back(db):
    a = signup_agenda(lotus_capacity=1)
    leaving, waiting = (
        make_registration(a.event, a.category),
        make_registration(a.event, a.category),
    )
    sign_up(leaving, a.inclusion)
    db.session.commit()
    change_status(leaving, "cancel")
    db.session.commit()
    sign_up(waiting, a.inclusion)
    db.session.commit()
    [entry] = [e for e in signup_counts(a.event) if e.session.id == a.inclusion.id]
    assert [p.id for p in entry.people] == [waiting.id]
    assert not entry.over_capacity


def test_places_taken_are_counted_once_for_the_editor_and_for_delegates(db):
    from conference.agenda.draft import load_agenda, taken_by_session

    a = signup_agenda(lotus_capacity=5)
    staying, leaving, other = (make_registration(a.event, a.category) for _ in range(3))
    for person, session in ((staying, a.inclusion), (leaving, a.inclusion), (other, a.climate)):
        sign_up(person, session)
    db.session.commit()
    change_status(leaving, "cancel")
    db.session.commit()
    # Confirmed registrations only; a cancelled one's choice takes no place.
    assert taken_by_session(a.event.id) == {a.inclusion.id: 1, a.climate.id: 1}
    assert taken_by_session(a.event.id, [a.inclusion.id]) == {a.inclusion.id: 1}
    assert taken_by_session(a.event.id, []) == {}
    signups = {s.id: s.signups for s in load_agenda(a.event).sessions}
    assert signups[a.inclusion.id] == 1 and signups[a.climate.id] == 1
    # Another event's count never includes these.
    assert taken_by_session(make_event().id) == {}


def test_organisers_see_signups_against_capacity_with_names(db):
    a = signup_agenda(lotus_capacity=2)
    people = [
        make_registration(a.event, a.category, given_name=name, family_name=family)
        for name, family in (("Somchai", "Wong"), ("Linh", "Nguyen"))
    ]
    for person in people:
        sign_up(person, a.inclusion)
    db.session.commit()
    a.lotus.capacity = 1  # the room turned out smaller
    db.session.commit()
    counts = {e.session.title: e for e in signup_counts(a.event)}
    assert list(counts) == [
        "Parallel A: no one left behind",
        "Parallel B: climate resilience",
        "Parallel C: digital skills",
    ]
    inclusion = counts["Parallel A: no one left behind"]
    assert (inclusion.taken, inclusion.capacity, inclusion.over_capacity) == (2, 1, True)
    assert [p.family_name for p in inclusion.people] == ["Nguyen", "Wong"]
    assert counts["Parallel B: climate resilience"].capacity is None


def test_the_page_groups_sessions_by_day_and_starting_time(db):
    from conference.agenda.signups import agenda_choices

    a = signup_agenda()
    jasmine = Room(event_id=a.event.id, name="Jasmine Room", position=3)
    make_session(a.event, jasmine, (14, 0), (16, 0), title="Study visit")
    db.session.commit()
    publish(a.event)
    delegate = make_registration(a.event, a.category)
    sign_up(delegate, a.climate)
    db.session.commit()
    [day] = by_day(agenda_choices(delegate))
    assert [[c.title for c in slot.sessions] for slot in day.slots] == [
        ["Opening plenary"],
        ["Parallel A: no one left behind", "Parallel B: climate resilience"],
        ["Study visit"],
        ["Parallel C: digital skills"],
        ["Welcome dinner"],
    ]
    parallel, visit = day.slots[1], day.slots[2]
    assert parallel.chosen.title == "Parallel B: climate resilience"
    assert day.slots[0].choosable == []
    # Refused with the full reason; on the page, the slot says "You chose B" just once...
    assert "clashes with “Parallel B" in parallel.sessions[0].blocked
    assert parallel.sessions[0].hint == ""
    # ...and a session overlapping from another slot names the choice it clashes with.
    assert visit.sessions[0].hint == (
        "At the same time as your choice, “Parallel B: climate resilience”."
    )


def test_twenty_simultaneous_signups_for_five_places(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers with row locks (SQLite serialises)")
    app = make_app(MAIL_DELIVER_AFTER_COMMIT=False)
    with app.app_context():
        a = signup_agenda(lotus_capacity=5)
        ids = [make_registration(a.event, a.category).id for _ in range(20)]
        session_id = a.inclusion.id
    start = threading.Barrier(20, timeout=60)
    refusals, errors = [], []

    def attempt(registration_id):
        from conference.registration.models import Registration

        with app.app_context():
            try:
                # Before any query: 20 threads waiting with a connection each would drain
                # the pool (5 + 10 overflow) and never all reach the barrier.
                start.wait()
                registration = _db.session.get(Registration, registration_id)
                sign_up(registration, _db.session.get(AgendaSession, session_id))
                _db.session.commit()
            except ValidationError as exc:
                refusals.append(exc.message)
                _db.session.rollback()
            except Exception as exc:  # every other failure is a test failure, reported below
                errors.append(repr(exc))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(refusals) == 15
    assert set(refusals) == {"“Parallel A: no one left behind” is full: 5 of 5 places taken."}
    with app.app_context():
        taken = _db.session.scalar(
            select(func.count(AgendaSignup.id)).where(AgendaSignup.session_id == session_id)
        )
        assert taken == 5
