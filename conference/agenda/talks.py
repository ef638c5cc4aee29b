"""Talks in the organisers' editor: their text, presenters, session and running order.

Plain functions over the models, no Flask: they validate, change, flush and never commit.

How talk times follow their order: talks run one after the other in their session, each
keeping the gap before it (a welcome, a changeover); a talk starts when the one before it
ends plus that gap. Reordering keeps the gaps by place in the running order; a longer talk
pushes the ones after it later; a talk placed into a session goes last. Two talks of one
session therefore never overlap; a talk typed to start before the previous one ends is
refused. A session too short for its talks is allowed while editing and reported as a hard
conflict (conflicts.py), so it blocks publishing until fixed.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.models import AgendaSession, Talk
from conference.agenda.rows import found, get_by_id, of_event, required_line
from conference.agenda.sessions import get_session, session_day
from conference.errors import ValidationError
from conference.extensions import db
from conference.localtime import to_local, to_utc
from conference.papers.models import Paper
from conference.registration.models import Registration


def get_talk(event, talk_id) -> Talk | None:
    """A talk of this event, or None (also for another event's talk, or a bad id)."""
    return of_event(event, get_by_id(Talk, talk_id))


def find_talk(event, talk_id) -> Talk:
    """A talk of this event, or NotFound."""
    return found(get_talk(event, talk_id), "talk")


@dataclass
class TalkDetails:
    """What an organiser says about a talk; ``starts`` is an event-local clock time."""

    title: str
    duration_minutes: int
    abstract: str = ""
    presenter_ids: tuple[int, ...] = ()
    session_id: int | None = None
    starts: time | None = None  # None: after the talk before it
    fixed: bool | None = None  # kept where it is by proposals; None: as it was


def gaps_before(session_start: datetime, talks) -> list[timedelta]:
    """The gap before each talk (in order): after the session's start for the first, after
    the previous talk's end for the others; never negative."""
    cursor, gaps = session_start, []
    for talk in talks:
        start = talk.starts_at or cursor
        gaps.append(max(start - cursor, timedelta(0)))
        cursor = max(start, cursor) + timedelta(minutes=talk.duration_minutes)
    return gaps


def lay_out(session_start: datetime, durations, gaps) -> list[datetime]:
    """Start times for talks of these durations (minutes) run in order with these gaps."""
    starts, cursor = [], session_start
    for minutes, gap in zip(durations, gaps, strict=True):
        cursor += gap
        starts.append(cursor)
        cursor += timedelta(minutes=minutes)
    return starts


def _ordered(session: AgendaSession, without: Talk | None = None) -> list[Talk]:
    talks = db.session.scalars(
        select(Talk).where(Talk.session_id == session.id).order_by(Talk.position, Talk.id)
    ).all()
    return [t for t in talks if t is not without]


def _apply(session: AgendaSession, talks: list[Talk], gaps: list[timedelta]) -> None:
    starts = lay_out(session.starts_at, [t.duration_minutes for t in talks], gaps)
    for position, (talk, start) in enumerate(zip(talks, starts, strict=True)):
        talk.session, talk.position, talk.starts_at = session, position, start


def _remove(talk: Talk) -> None:
    """Take a talk out of its session; the talks after it move up (keeping their gaps)."""
    session = talk.session
    if session is None:
        return
    talks = _ordered(session)
    gaps = gaps_before(session.starts_at, talks)
    index = talks.index(talk)
    talks.pop(index)
    gaps.pop(index + 1 if index + 1 < len(gaps) else index)
    _apply(session, talks, gaps)
    talk.session, talk.starts_at, talk.position = None, None, 0


def place_talk(event, talk: Talk, session_id: int | None, position: int | None = None) -> Talk:
    """Put a talk into a session (last, or at ``position``), or back among the unplaced
    talks when ``session_id`` is None."""
    if session_id is None:
        _remove(talk)
        db.session.flush()
        return talk
    session = get_session(event, session_id)
    if session is None:
        raise ValidationError("Choose a session of this event.", field="session_id")
    if talk.session is session and position is None:
        return talk
    _remove(talk)
    talks = _ordered(session, without=talk)
    gaps = gaps_before(session.starts_at, talks)
    changeover = gaps[-1] if len(gaps) > 1 else timedelta(0)
    index = len(talks) if position is None else max(0, min(position, len(talks)))
    talks.insert(index, talk)
    gaps.insert(index, changeover if index else (gaps[0] if gaps else timedelta(0)))
    if index == 0 and len(gaps) > 1:
        gaps[1] = changeover  # the talk pushed to second place follows with a changeover
    _apply(session, talks, gaps)
    db.session.flush()
    return talk


def reorder_talk(event, talk: Talk, position: int) -> Talk:
    """Move a talk to another place in its session's running order; times follow."""
    session = talk.session
    if session is None:
        raise ValidationError("Place the talk in a session first.", field="position")
    talks = _ordered(session)
    gaps = gaps_before(session.starts_at, talks)
    talks.remove(talk)
    talks.insert(max(0, min(position, len(talks))), talk)
    _apply(session, talks, gaps)
    db.session.flush()
    return talk


def _presenters(event, ids) -> list[Registration]:
    people = []
    for registration_id in dict.fromkeys(ids):
        person = of_event(event, get_by_id(Registration, registration_id))
        if person is None:
            raise ValidationError(
                "Presenters must be registered for this event.", field="presenter_ids"
            )
        people.append(person)
    return people


def save_talk(event, talk: Talk | None, details: TalkDetails) -> Talk:
    """Create or change a talk: its text, presenters, length, session and start; the talks
    after it follow. Overlapping another talk of the session is refused."""
    title = required_line(details.title, "talk")
    minutes = details.duration_minutes
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise ValidationError(
            "The length is a number of minutes, from 1 to 600.", field="duration_minutes"
        )
    presenters = _presenters(event, details.presenter_ids)
    session = None
    if details.session_id is not None:
        session = get_session(event, details.session_id)
        if session is None:
            raise ValidationError("Choose a session of this event.", field="session_id")
    if details.starts is not None and session is None:
        raise ValidationError("Only a talk in a session has a start time.", field="starts")

    if talk is None:
        talk = Talk(event_id=event.id, duration_minutes=minutes)
        db.session.add(talk)
    talk.title, talk.abstract = title, (details.abstract or "").strip()
    talk.presenters = presenters
    if talk.session is not session:
        # Out of the old session at its old length; it goes last in the new one, so its
        # new length moves nobody.
        place_talk(event, talk, session.id if session else None)
        talk.duration_minutes = minutes
    elif session is not None and minutes != talk.duration_minutes:
        talks = _ordered(session)
        gaps = gaps_before(session.starts_at, talks)
        talk.duration_minutes = minutes
        _apply(session, talks, gaps)  # the talks after it follow
    else:
        talk.duration_minutes = minutes
    if details.starts is not None:
        _set_start(event, talk, details.starts)
    if details.fixed is not None:
        talk.fixed = bool(details.fixed)
    db.session.flush()
    return talk


def _set_start(event, talk: Talk, clock: time) -> None:
    """Start a placed talk at a clock time of its session's day; the talks after it follow."""
    session = talk.session
    wanted = to_utc(datetime.combine(session_day(event, session), clock), event.tz, field="starts")

    def at(moment: datetime) -> str:
        return f"{to_local(moment, event.tz):%H:%M}"

    if not session.starts_at <= wanted < session.ends_at:
        raise ValidationError(
            f"Start the talk within its session, {at(session.starts_at)}–{at(session.ends_at)}.",
            field="starts",
        )
    talks = _ordered(session)
    gaps = gaps_before(session.starts_at, talks)
    index = talks.index(talk)
    if index:
        before = talks[index - 1]
        if wanted < before.ends_at:
            raise ValidationError(
                f"That overlaps “{before.title}” ({at(before.starts_at)}–{at(before.ends_at)}): "
                f"start at {at(before.ends_at)} or later, or change the order of the talks.",
                field="starts",
            )
        gaps[index] = wanted - before.ends_at
    else:
        gaps[index] = wanted - session.starts_at
    _apply(session, talks, gaps)


def delete_talk(event, talk: Talk) -> None:
    """Delete a talk; the talks after it in its session move up. Refused for the talk of an
    accepted paper, which would be left accepted without a talk."""
    paper = db.session.scalar(select(Paper).where(Paper.talk_id == talk.id))
    if paper is not None:
        raise ValidationError(
            f"This talk is the accepted paper “{paper.title}”: take it out of its session "
            "instead, or change the paper's decision."
        )
    _remove(talk)
    db.session.delete(talk)
    db.session.flush()


def unplaced_talks(event) -> list[Talk]:
    """Talks not in any session yet, for the editor's sidebar."""
    return db.session.scalars(
        select(Talk)
        .where(Talk.event_id == event.id, Talk.session_id.is_(None))
        .options(selectinload(Talk.presenters))
        .order_by(Talk.title, Talk.id)
    ).all()
