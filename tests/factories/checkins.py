"""Check-ins as the scanners record them, on any day of an event (past ones included)."""

from datetime import datetime, time, timedelta

from conference.checkin.models import CheckIn
from conference.extensions import db


def check_in_on(registration, day_offset: int = 0, session=None, station="Door A"):
    """``registration`` checked in at the door on the event's first (0), second (1)… day, or
    into ``session`` (on the day it starts), at 08:30 event time or the session's start."""
    event = registration.event
    if session is not None:
        scanned_at = session.starts_at
        day = event.local(scanned_at).date()
        scope = f"session:{session.id}"
    else:
        day = event.start_date + timedelta(days=day_offset)
        scanned_at = datetime.combine(day, time(8, 30), event.tz)
        scope = f"day:{day.isoformat()}"
    record = CheckIn(
        event_id=event.id,
        registration_id=registration.id,
        scope=scope,
        day=day,
        session_id=session.id if session is not None else None,
        station=station,
        scanned_at=scanned_at,
    )
    db.session.add(record)
    db.session.commit()
    return record
