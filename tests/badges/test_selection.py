"""Which registrations get badges and in which order: the same for the page, the
background batch and the command line (family name, given name, id)."""

from conference.badges.selection import badge_selection, count_selection
from conference.registration.models import RegistrationStatus
from conference.registration.places import change_status
from conference.registration.search import Filters
from tests.factories import make_category, make_event, make_registration


def people(event, category, *names, **values):
    return [
        make_registration(event, category, given_name=given, family_name=family, **values)
        for given, family in names
    ]


def test_badges_come_out_by_family_name_then_given_name_then_id(db):
    event = make_event()
    delegates = make_category(event, "Delegate")
    first_nguyen, tanaka, an_nguyen, second_nguyen, kim = people(
        event,
        delegates,
        ("Van", "Nguyen"),
        ("Hiro", "Tanaka"),
        ("An", "Nguyen"),
        ("Van", "Nguyen"),
        ("Min-jun", "Kim"),
    )
    chosen = list(badge_selection(event))
    assert chosen == [kim, an_nguyen, first_nguyen, second_nguyen, tanaka]


def test_the_order_ignores_letter_case_on_every_database(db):
    event = make_event()
    delegates = make_category(event, "Delegate")
    upper, lower = people(event, delegates, ("Ana", "ZETA"), ("Ben", "alpha"))
    assert list(badge_selection(event)) == [lower, upper]


def test_without_ticked_rows_only_confirmed_registrations_of_the_event_are_chosen(db):
    event = make_event()
    delegates = make_category(event, "Delegate")
    confirmed, cancelled = people(event, delegates, ("Ana", "Lim"), ("Ben", "Lee"))
    change_status(cancelled, "cancel")
    pending = make_registration(event, make_category(event, "VIP", requires_approval=True))
    assert pending.status == RegistrationStatus.PENDING_APPROVAL
    other_event = make_event()
    make_registration(other_event, make_category(other_event, "Delegate"))
    assert list(badge_selection(event)) == [confirmed]


def test_the_lists_filters_narrow_the_selection(db):
    event = make_event()
    delegates, press = make_category(event, "Delegate"), make_category(event, "Press")
    (delegate,) = people(event, delegates, ("Ana", "Lim"))
    (journalist,) = people(event, press, ("Ben", "Lee"))
    assert list(badge_selection(event, filters=Filters(category_id=press.id))) == [journalist]
    # Whatever status the list was filtered on, badges are for confirmed delegates.
    filters = Filters(status=RegistrationStatus.CANCELLED, category_id=delegates.id)
    assert list(badge_selection(event, filters=filters)) == [delegate]


def test_ticked_rows_are_taken_as_ticked_but_only_from_this_event(db):
    event = make_event()
    delegates = make_category(event, "Delegate")
    ana, ben, chai = people(event, delegates, ("Ana", "Zhou"), ("Ben", "Lee"), ("Chai", "Ma"))
    change_status(chai, "cancel")  # still chosen: printing refuses it, with its reason
    other_event = make_event()
    stranger = make_registration(other_event, make_category(other_event, "Delegate"))
    chosen = list(badge_selection(event, ids=[ana.id, chai.id, stranger.id]))
    assert chosen == [chai, ana]
    assert list(badge_selection(event, ids=[])) == []


def test_the_page_counts_what_the_selection_would_print(db):
    event = make_event()
    delegates, press = make_category(event, "Delegate"), make_category(event, "Press")
    people(event, delegates, ("Ana", "Lim"), ("Ben", "Lee"))
    (cancelled,) = people(event, press, ("Chai", "Ma"))
    change_status(cancelled, "cancel")
    assert count_selection(event) == len(badge_selection(event)) == 2
    assert count_selection(event, filters=Filters(category_id=press.id)) == 0
