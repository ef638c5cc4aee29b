"""Badge printing for more registrations than one statement may name (PostgreSQL allows
65,535 bound parameters; the badge CLI for 92,000 delegates once failed there)."""

from sqlalchemy import func, select

from conference.badges.selection import badge_selection
from conference.badges.services import mark_printed
from conference.registration.models import Registration
from tests.factories import bulk_registrations, make_category, make_event

ABOVE_THE_LIMIT = 70_000


def test_printing_is_counted_for_every_one_of_70000_badges(db):
    event = make_event()
    ids = bulk_registrations(event, make_category(event, "Delegate"), ABOVE_THE_LIMIT)
    mark_printed(ids)
    mark_printed(ids[:10])
    db.session.commit()
    counts = dict(
        db.session.execute(
            select(Registration.badge_printed_count, func.count())
            .where(Registration.event_id == event.id)
            .group_by(Registration.badge_printed_count)
        ).all()
    )
    assert counts == {1: ABOVE_THE_LIMIT - 10, 2: 10}


def test_a_selection_of_70000_ids_finds_this_events_registrations_only(db):
    event, other = make_event(), make_event()
    mine = bulk_registrations(event, make_category(event, "Delegate"), 50)
    theirs = bulk_registrations(other, make_category(other, "Delegate"), 50)
    asked = mine + theirs + list(range(10**6, 10**6 + ABOVE_THE_LIMIT))  # most do not exist
    chosen = badge_selection(event, ids=asked)
    assert sorted(r.id for r in chosen) == mine
    assert [r.family_name for r in chosen] == sorted(r.family_name for r in chosen)
