"""A check-in into a room points at its agenda session, and the database keeps it so."""

from datetime import datetime

import pytest
from sqlalchemy.exc import IntegrityError

from conference.agenda.models import AgendaSession
from conference.checkin.models import CheckIn
from conference.dbtypes import utcnow
from tests.factories import make_category, make_event, make_registration


def test_a_session_with_check_ins_cannot_be_deleted_behind_the_editors_back(db):
    event = make_event()
    delegate = make_registration(event, make_category(event))
    day = event.start_date
    session = AgendaSession(
        event_id=event.id,
        kind="parallel",
        title="Son La: no one left behind",
        starts_at=datetime(day.year, day.month, day.day, 13, 30, tzinfo=event.tz),
        ends_at=datetime(day.year, day.month, day.day, 15, tzinfo=event.tz),
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(
        CheckIn(
            event_id=event.id,
            registration_id=delegate.id,
            scope=f"session:{session.id}",
            day=day,
            session_id=session.id,
            station="Lotus Room",
            scanned_at=utcnow(),
        )
    )
    db.session.commit()

    db.session.delete(session)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AgendaSession, session.id) is not None

    # Deleting the whole event still takes its sessions and check-ins with it.
    db.session.delete(event)
    db.session.commit()
    assert db.session.query(CheckIn).count() == 0
