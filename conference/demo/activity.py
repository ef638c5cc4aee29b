"""A little of the demo event's life, played after it is built: delegates marking the
talks they want to hear, choosing their parallel sessions, and the morning queue at the
doors on the first day."""

import random
from datetime import timedelta

from sqlalchemy import insert, select

from conference.agenda.models import AgendaSession, AgendaSignup, TalkInterest
from conference.checkin.models import CheckIn
from conference.checkin.services import check_in
from conference.dbtypes import utcnow
from conference.extensions import db
from conference.localtime import day_bounds, today
from conference.papers.models import Paper, PaperStatus
from conference.registration.models import Registration, RegistrationStatus

INTERESTS_SEED = 2024  # the same interests on every run


def _confirmed_ids(event) -> list[int]:
    return db.session.scalars(
        select(Registration.id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
    ).all()


def mark_interests(event) -> None:
    """Delegates mark the accepted papers they want to hear (unless some have already):
    a few papers draw most of them (Zipf-like popularity), and each delegate leans to one or
    two tracks of their own. Seeded: every run marks the same."""
    if db.session.scalar(
        select(TalkInterest.id)
        .join(Registration, Registration.id == TalkInterest.registration_id)
        .where(Registration.event_id == event.id)
        .limit(1)
    ):
        return
    papers = db.session.execute(
        select(Paper.talk_id, Paper.track_id)
        .where(
            Paper.event_id == event.id,
            Paper.status == PaperStatus.ACCEPTED,
            Paper.talk_id.is_not(None),
        )
        .order_by(Paper.id)
    ).all()
    if not papers:
        return
    rng = random.Random(INTERESTS_SEED)  # noqa: S311  (made-up data, to be repeatable)
    ranked = list(papers)
    rng.shuffle(ranked)
    popularity = {talk: 1 / (rank + 1) ** 0.6 for rank, (talk, _) in enumerate(ranked)}
    tracks = sorted({track for _, track in papers if track is not None})
    rows = []
    for n, registration_id in enumerate(_confirmed_ids(event)):
        if n % 7 == 6:  # some never say
            continue
        liked = set(rng.sample(tracks, k=min(len(tracks), rng.choice((1, 1, 2)))))
        weights = {talk: popularity[talk] * (4 if track in liked else 1) for talk, track in papers}
        for _ in range(min(len(weights), rng.randint(3, 8))):
            talk = rng.choices(list(weights), weights=list(weights.values()))[0]
            del weights[talk]
            rows.append({"registration_id": registration_id, "talk_id": talk})
    db.session.execute(insert(TalkInterest), rows)


def choose_sessions(event) -> None:
    """Most confirmed delegates choose a parallel session in each time slot, within the
    rooms' capacity (unless some have chosen already)."""
    if db.session.scalar(
        select(AgendaSignup.id)
        .join(AgendaSession, AgendaSession.id == AgendaSignup.session_id)
        .where(AgendaSession.event_id == event.id)
        .limit(1)
    ):
        return
    parallel = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id, AgendaSession.kind == "parallel")
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    slots: dict = {}
    for session in parallel:
        slots.setdefault(session.starts_at, []).append(session)
    busy = {
        rid
        for s in parallel
        for rid in [c.id for c in s.chairs] + [p.id for t in s.talks for p in t.presenters]
    }
    taken: dict[int, int] = {}
    for n, registration_id in enumerate(_confirmed_ids(event)):
        if registration_id in busy or n % 5 == 4:  # presenters are busy; some never choose
            continue
        for number, sessions in enumerate(slots.values()):
            # Everyone's first choice differs; a full room sends them to the next one.
            for session in sessions[(n + number) % len(sessions) :] + sessions:
                capacity = session.effective_capacity
                if capacity is None or taken.get(session.id, 0) < capacity:
                    taken[session.id] = taken.get(session.id, 0) + 1
                    db.session.add(
                        AgendaSignup(registration_id=registration_id, session_id=session.id)
                    )
                    break


def arrive_at_the_doors(event, door_staff) -> None:
    """The morning queue so far: about a third of the confirmed delegates at two doors,
    when today is the event's first day (and nobody has checked in yet)."""
    if db.session.scalar(select(CheckIn.id).where(CheckIn.event_id == event.id)) is not None:
        return
    now = utcnow()
    if today(event.tz, now) != event.start_date:
        return
    confirmed = _confirmed_ids(event)
    # Check-ins belong to the event's days: none before its first midnight (event-local).
    midnight = day_bounds(event.start_date, event.tz)[0]
    for n, registration_id in enumerate(confirmed[::3]):
        minutes_ago = 90 - (n * 90) // max(len(confirmed) // 3, 1)
        check_in(
            event,
            station="Door A" if n % 2 else "Door B",
            user_id=door_staff.id,
            registration_id=registration_id,
            scanned_at=max(now - timedelta(minutes=max(minutes_ago, 1)), midnight),
        )
    db.session.flush()
