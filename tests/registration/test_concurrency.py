"""Never oversold: a rush of simultaneous registrations on PostgreSQL."""

import threading

import pytest
from sqlalchemy import select

from conference.extensions import db as _db
from conference.registration.models import Category, Registration
from conference.registration.places import change_status
from conference.registration.registering import register
from tests.factories import make_category, make_event, registration_data


def test_fifty_simultaneous_registrations_for_ten_places(make_app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises writes anyway)")
    # Mail is delivered by a separate run here: 50 deliveries at once would only compete
    # with the registrations for connections.
    app = make_app(MAIL_DELIVER_AFTER_COMMIT=False)
    with app.app_context():
        event = make_event()
        category = make_category(event, "Observer", capacity=10)
        event_id, category_id = event.id, category.id

    start = threading.Barrier(50)
    errors = []

    def sign_up(n):
        with app.app_context():
            try:
                from conference.events.models import Event

                data = registration_data(None, email=f"rush{n}@example.org")
                data.category_id = category_id
                start.wait()
                register(_db.session.get(Event, event_id), data)
                _db.session.commit()
            except Exception as exc:  # every failure is a test failure, reported below
                errors.append(repr(exc))
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with app.app_context():
        rows = _db.session.scalars(select(Registration).order_by(Registration.id)).all()
        statuses = [r.status for r in rows]
        assert statuses.count("confirmed") == 10
        assert statuses.count("waitlisted") == 40
        assert _db.session.get(Category, category_id).places_taken == 10
        # The waiting list is served in the order people joined it.
        waiting = sorted(
            (r for r in rows if r.status == "waitlisted"), key=lambda r: (r.waitlisted_at, r.id)
        )
        confirmed = [r for r in rows if r.status == "confirmed"]
        for leaving in confirmed[:3]:
            change_status(leaving, "cancel")
        _db.session.commit()
        promoted = [r.id for r in rows if r.status == "confirmed" and r not in confirmed]
        assert sorted(promoted) == sorted(r.id for r in waiting[:3])
        assert _db.session.get(Category, category_id).places_taken == 10
