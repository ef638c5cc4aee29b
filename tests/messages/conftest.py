"""An event to write to: delegates of several categories, statuses and countries, a
delegation with a member who has no address, sign-ups, an arrival, consents."""

from types import SimpleNamespace

import pytest

from conference.agenda.models import AgendaSignup
from conference.checkin.models import CheckIn
from conference.dbtypes import utcnow
from tests.factories import (
    delegate,
    make_category,
    make_event,
    make_head,
    make_member,
    make_session,
)


def build_forum(db):
    """An event with delegates of two categories and four countries, a delegation whose
    member has no address, a pending registration, sign-ups, arrivals and consents."""
    event = make_event()
    event.reply_to = "team@forum.example"
    delegates = make_category(event, "Delegate")
    speakers = make_category(event, "Speaker")
    vetted = make_category(event, "Observer", requires_approval=True)
    f = SimpleNamespace(event=event, delegates=delegates, speakers=speakers)
    f.khai = delegate(
        event,
        delegates,
        title="Ms",
        given_name="Thị Minh Khai",
        family_name="Nguyễn",
        native_name="Nguyễn Thị Minh Khai",
        name_order="family_first",
        email="khai@hanoi.example",
        country="VN",
        list_consent=True,
    )
    f.somchai = delegate(
        event,
        speakers,
        title="Dr",
        given_name="Somchai",
        family_name="Jaidee",
        native_name="สมชาย ใจดี",
        name_order="given_first",
        email="somchai@bangkok.example",
        country="TH",
    )
    f.pending = delegate(
        event, vetted, given_name="Wang", email="wang@nanjing.example", country="CN"
    )
    f.head = make_head(event, delegates, email="sokha@pp.example", list_consent=True)
    f.member = make_member(f.head, given_name="Dara", family_name="Keo")
    f.session = make_session(event, title="Parallel A: no one left behind")
    f.other_session = make_session(event, title="Parallel B: climate")
    db.session.add_all(
        [
            AgendaSignup(registration_id=f.khai.id, session_id=f.session.id),
            AgendaSignup(registration_id=f.somchai.id, session_id=f.other_session.id),
            CheckIn(
                event_id=event.id,
                registration_id=f.somchai.id,
                scope=f"day:{event.start_date.isoformat()}",
                day=event.start_date,
                station="Main door",
                scanned_at=utcnow(),
            ),
        ]
    )
    db.session.commit()
    return f


@pytest.fixture
def forum(db):
    return build_forum(db)
