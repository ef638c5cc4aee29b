"""The draft agenda as the conflict checks see it, and the places taken in its sessions.

The checks themselves are in conflicts.py (no database); this module loads what they need
in a fixed number of queries, whatever the size of the agenda.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.agenda.conflicts import Agenda, Conflict, SessionSlot, TalkSlot, find_conflicts
from conference.agenda.models import (
    AgendaSession,
    AgendaSignup,
    Talk,
    session_chair,
    talk_presenter,
)
from conference.extensions import db
from conference.localtime import day_bounds, to_local
from conference.names import full_name, name_and_native
from conference.registration.models import Registration, RegistrationStatus

# Registrations that take no part any more: not offered as chairs or presenters, not told.
WITHDRAWN = frozenset({RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED})


def event_window(event) -> tuple[datetime, datetime]:
    """The event's first and last day as aware times: midnight to midnight, local."""
    return day_bounds(event.start_date, event.tz)[0], day_bounds(event.end_date, event.tz)[1]


def person_name(given: str, family: str, native: str | None, order: str) -> str:
    """A name as conflict messages show it: Latin in the person's order, then the native
    script when it is not the same name."""
    name, beside = name_and_native(full_name(given, family, order), native or "")
    return f"{name} ({beside})" if beside else name


def taken_by_session(event_id: int, session_ids=None) -> dict[int, int]:
    """Places taken per session of the event (all of them, or those of ``session_ids``):
    sign-ups of confirmed registrations only. Sessions nobody chose are left out."""
    query = (
        select(AgendaSignup.session_id, func.count(AgendaSignup.id))
        .join(Registration, Registration.id == AgendaSignup.registration_id)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(AgendaSignup.session_id)
    )
    if session_ids is not None:
        query = query.where(AgendaSignup.session_id.in_(list(session_ids)))
    return dict(db.session.execute(query).all())


def _ids_by(pairs) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for key, value in pairs:
        found[key].append(value)
    return found


def load_agenda(event) -> Agenda:
    """The event's agenda as plain data, in a fixed number of queries (not one per talk)."""
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.room))
    ).all()
    signups = taken_by_session(event.id)
    chairs = _ids_by(
        db.session.execute(
            select(session_chair.c.session_id, session_chair.c.registration_id)
            .join(AgendaSession, AgendaSession.id == session_chair.c.session_id)
            .where(AgendaSession.event_id == event.id)
        )
    )
    talks = db.session.scalars(select(Talk).where(Talk.event_id == event.id)).all()
    presenters = _ids_by(
        db.session.execute(
            select(talk_presenter.c.talk_id, talk_presenter.c.registration_id)
            .join(Talk, Talk.id == talk_presenter.c.talk_id)
            .where(Talk.event_id == event.id)
        )
    )
    people_ids = {p for ids in (*chairs.values(), *presenters.values()) for p in ids}
    people = {
        rid: (person_name(given, family, native, order), status)
        for rid, given, family, native, order, status, event_id in db.session.execute(
            select(
                Registration.id,
                Registration.given_name,
                Registration.family_name,
                Registration.native_name,
                Registration.name_order,
                Registration.status,
                Registration.event_id,
            ).where(Registration.id.in_(people_ids))
        )
        if event_id == event.id  # a presenter of another event counts as missing here
    }
    start, end = event_window(event)
    return Agenda(
        event_start=start,
        event_end=end,
        sessions=[
            SessionSlot(
                s.id,
                s.title,
                to_local(s.starts_at, event.tz),
                to_local(s.ends_at, event.tz),
                s.room_id,
                s.room.name if s.room else "",
                s.effective_capacity,
                signups.get(s.id, 0),
                tuple(chairs.get(s.id, ())),
            )
            for s in sessions
        ],
        talks=[
            TalkSlot(
                t.id,
                t.title,
                t.session_id,
                to_local(t.starts_at, event.tz),
                to_local(t.ends_at, event.tz),
                tuple(presenters.get(t.id, ())),
            )
            for t in talks
        ],
        people=people,
    )


def agenda_conflicts(event) -> list[Conflict]:
    """Every conflict of the event's agenda, hard ones first."""
    return find_conflicts(load_agenda(event))


def conflicts_by_session(conflicts, agenda: Agenda) -> dict[int, list[Conflict]]:
    """Each session's conflicts, including those of the talks inside it."""
    talk_session = {t.id: t.session_id for t in agenda.talks}
    found: dict[int, list] = defaultdict(list)
    for conflict in conflicts:
        ids = set(conflict.sessions)
        ids.update(talk_session.get(t) for t in conflict.talks)
        for session_id in ids - {None}:
            found[session_id].append(conflict)
    return found
