"""Agenda rules that need the database; the checks themselves are in conflicts.py."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.agenda.conflicts import Agenda, SessionSlot, TalkSlot, find_conflicts
from conference.agenda.models import (
    AgendaSession,
    AgendaSignup,
    Talk,
    session_chair,
    talk_presenter,
)
from conference.extensions import db
from conference.registration.models import Registration


def event_window(event) -> tuple[datetime, datetime]:
    """The event's first and last day as aware times: midnight to midnight, local."""
    start = datetime.combine(event.start_date, time.min, event.tz)
    end = datetime.combine(event.end_date + timedelta(days=1), time.min, event.tz)
    return start, end


def load_agenda(event) -> Agenda:
    """The event's agenda as plain data, in a fixed number of queries (not one per talk)."""
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.room))
    ).all()
    signups = dict(
        db.session.execute(
            select(AgendaSignup.session_id, func.count(AgendaSignup.id))
            .join(AgendaSession, AgendaSession.id == AgendaSignup.session_id)
            .where(AgendaSession.event_id == event.id)
            .group_by(AgendaSignup.session_id)
        ).all()
    )
    chairs: dict[int, list[int]] = {}
    for session_id, registration_id in db.session.execute(
        select(session_chair.c.session_id, session_chair.c.registration_id)
        .join(AgendaSession, AgendaSession.id == session_chair.c.session_id)
        .where(AgendaSession.event_id == event.id)
    ):
        chairs.setdefault(session_id, []).append(registration_id)
    talks = db.session.scalars(select(Talk).where(Talk.event_id == event.id)).all()
    presenters: dict[int, list[int]] = {}
    for talk_id, registration_id in db.session.execute(
        select(talk_presenter.c.talk_id, talk_presenter.c.registration_id)
        .join(Talk, Talk.id == talk_presenter.c.talk_id)
        .where(Talk.event_id == event.id)
    ):
        presenters.setdefault(talk_id, []).append(registration_id)
    people_ids = {p for ids in (*chairs.values(), *presenters.values()) for p in ids}
    people = {
        rid: (f"{given} {family}".strip(), status)
        for rid, given, family, status, event_id in db.session.execute(
            select(
                Registration.id,
                Registration.given_name,
                Registration.family_name,
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
                s.starts_at,
                s.ends_at,
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
                t.starts_at,
                t.starts_at + timedelta(minutes=t.duration_minutes) if t.starts_at else None,
                tuple(presenters.get(t.id, ())),
            )
            for t in talks
        ],
        people=people,
    )


def agenda_conflicts(event):
    """Every conflict of the event's agenda, hard ones first."""
    return find_conflicts(load_agenda(event))
