from datetime import date, datetime

import pytest

from conference.errors import NotFound, ValidationError
from conference.events.services import create_event, get_event, update_event
from conference.extensions import db as _db
from tests.factories import event_details, make_event, make_user


def test_creator_becomes_the_events_organiser(db):
    user = make_user()
    event = create_event(event_details(slug="glcc-2026"), user)
    assert [(r.user, r.role) for r in event.roles] == [(user, "organiser")]
    assert get_event("glcc-2026") == event


def test_unknown_slug_is_not_found(db):
    with pytest.raises(NotFound):
        get_event("no-such-event")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"slug": "a"}, "slug"),
        ({"slug": "trailing-"}, "slug"),
        ({"slug": "new"}, "slug"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Forum\r\nBcc: list@example.org"}, "title"),
        ({"title": "Forum\x00"}, "title"),
        ({"title": "Forum\u2028two lines"}, "title"),
        ({"country": "XX"}, "country"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"start_date": date(2024, 10, 30), "end_date": date(2024, 10, 29)}, "end_date"),
        ({"venue": "v" * 201}, "venue"),
        (
            {
                "registration_opens": datetime(2024, 9, 1, 9, 0),
                "registration_closes": datetime(2024, 8, 1, 9, 0),
            },
            "registration_closes",
        ),
    ],
)
def test_bad_event_details_are_refused_with_the_field_named(db, overrides, field):
    with pytest.raises(ValidationError) as caught:
        create_event(event_details(**overrides), make_user())
    assert caught.value.field == field
    _db.session.rollback()
    assert (
        _db.session.scalar(_db.select(_db.func.count()).select_from(_db.metadata.tables["event"]))
        == 0
    )


def test_duplicate_slug_is_refused(db):
    make_event(slug="asean3-2024")
    with pytest.raises(ValidationError, match="uses this address"):
        create_event(event_details(slug="asean3-2024"), make_user())


def test_registration_times_are_read_in_the_events_time_zone(db):
    event = create_event(
        event_details(registration_opens=datetime(2024, 9, 1, 9, 0), timezone="Asia/Bangkok"),
        make_user(),
    )
    _db.session.commit()
    _db.session.expire_all()
    # 09:00 in Bangkok (UTC+7) is 02:00 UTC.
    assert event.registration_opens_at.isoformat() == "2024-09-01T02:00:00+00:00"


@pytest.mark.parametrize("field", ["registration_opens", "registration_closes"])
def test_a_registration_time_skipped_by_the_clocks_going_forward_is_refused(db, field):
    # Berlin's clocks jump from 02:00 to 03:00 on 30 March 2025: 02:30 never happens there.
    skipped = datetime(2025, 3, 30, 2, 30)
    other = datetime(2025, 3, 1, 9, 0) if field == "registration_closes" else None
    times = {field: skipped, "registration_opens": other} if other else {field: skipped}
    details = event_details(timezone="Europe/Berlin", country="DE", **times)
    with pytest.raises(ValidationError) as caught:
        create_event(details, make_user())
    assert caught.value.field == field
    assert "does not exist in Europe/Berlin" in caught.value.message


def test_a_time_that_happens_twice_means_its_first_occurrence(db):
    # Berlin's clocks go back from 03:00 to 02:00 on 26 October 2025: 02:30 happens twice.
    event = make_event(
        timezone="Europe/Berlin", country="DE", registration_opens=datetime(2025, 10, 26, 2, 30)
    )
    _db.session.expire_all()
    assert event.registration_opens_at.isoformat() == "2025-10-26T00:30:00+00:00"  # CEST


def test_update_keeps_the_same_rules(db):
    event = make_event(slug="first-event")
    make_event(slug="second-event")
    with pytest.raises(ValidationError, match="uses this address"):
        update_event(event, event_details(slug="second-event"))
    _db.session.rollback()
    update_event(event, event_details(slug="first-event", title="Renamed"))
    assert event.title == "Renamed"


def test_registration_window(db):
    event = make_event(
        registration_opens=datetime(2024, 9, 1, 0, 0), registration_closes=datetime(2024, 10, 1)
    )
    from datetime import UTC

    assert not event.registration_is_open(datetime(2024, 8, 31, 12, tzinfo=UTC))
    assert event.registration_is_open(datetime(2024, 9, 15, tzinfo=UTC))
    assert not event.registration_is_open(datetime(2024, 10, 1, tzinfo=UTC))


def test_a_title_with_a_line_break_is_refused_with_the_reason(db):
    with pytest.raises(ValidationError) as caught:
        create_event(event_details(title="Learning Cities\r\nForum"), make_user())
    assert "line breaks" in caught.value.message
