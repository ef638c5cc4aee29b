"""Telling delegates that a session they signed up for moved or was cancelled: by e-mail
when the agenda is published, and on their personal agenda.

Decisions:
- The change a delegate is told of is between two publications (what they saw, what they
  see now): a session whose start, end or room differs has moved; a session deleted from
  the draft is cancelled once a publication leaves it out.
- A deleted session's sign-ups go with it, so who had signed up is held at the deletion
  (a notice without a publication) until the next publication. A session never published
  had no sign-ups; one deleted and never published again stays held.
- Only confirmed registrations are told (only their sign-ups count).
- The personal agenda marks a change until the session has taken place (personal_notices).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from conference.agenda.models import AgendaNotice, AgendaSignup
from conference.dbtypes import utcnow
from conference.extensions import db
from conference.i18n import in_language
from conference.localtime import to_local
from conference.mail.services import queue_templated_mail
from conference.registration.links import manage_token
from conference.registration.models import Registration, RegistrationStatus
from conference.web import external_url

SUBJECTS = {
    "moved": "A session you chose has moved",
    "cancelled": "A session you chose is cancelled",
}


def hold_cancellation(session) -> int:
    """Keep who signed up for a session about to be deleted, to tell them once the agenda
    is published without it. Returns how many are held."""
    registration_ids = db.session.scalars(
        select(AgendaSignup.registration_id).where(AgendaSignup.session_id == session.id)
    ).all()
    for registration_id in registration_ids:
        db.session.add(
            AgendaNotice(
                event_id=session.event_id,
                registration_id=registration_id,
                session_id=session.id,
                change="cancelled",
                title=session.title,
            )
        )
    db.session.flush()
    return len(registration_ids)


def _places(snapshot: dict | None) -> dict[int, dict]:
    return {s["id"]: s for s in (snapshot or {}).get("sessions", [])}


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _confirmed(ids) -> dict[int, Registration]:
    if not ids:
        return {}
    query = select(Registration).where(
        Registration.id.in_(list(ids)), Registration.status == RegistrationStatus.CONFIRMED
    )
    return {r.id: r for r in db.session.scalars(query)}


def tell_signed_up(event, before: dict | None, after: dict, publication) -> int:
    """On publishing ``after`` over ``before``: record and e-mail a notice to every
    confirmed delegate signed up for a session that moved or was cancelled. Returns how
    many were told."""
    old, new = _places(before), _places(after)
    told: list[tuple[AgendaNotice, Registration]] = []

    moved = [
        sid
        for sid in old.keys() & new.keys()
        if (old[sid]["starts_at"], old[sid]["ends_at"], old[sid]["room"])
        != (new[sid]["starts_at"], new[sid]["ends_at"], new[sid]["room"])
    ]
    if moved:
        signups = db.session.execute(
            select(AgendaSignup.session_id, AgendaSignup.registration_id).where(
                AgendaSignup.session_id.in_(moved)
            )
        ).all()
        people = _confirmed({registration_id for _, registration_id in signups})
        for session_id, registration_id in signups:
            if registration_id not in people:
                continue
            was, now = old[session_id], new[session_id]
            notice = AgendaNotice(
                event_id=event.id,
                registration_id=registration_id,
                session_id=session_id,
                publication_id=publication.id,
                change="moved",
                title=now["title"],
                was_starts_at=_moment(was["starts_at"]),
                was_ends_at=_moment(was["ends_at"]),
                was_room=was["room"],
                starts_at=_moment(now["starts_at"]),
                ends_at=_moment(now["ends_at"]),
                room=now["room"],
            )
            db.session.add(notice)
            told.append((notice, people[registration_id]))

    held = db.session.scalars(
        select(AgendaNotice).where(
            AgendaNotice.event_id == event.id, AgendaNotice.publication_id.is_(None)
        )
    ).all()
    people = _confirmed({n.registration_id for n in held})
    for notice in held:
        was = old.get(notice.session_id)
        if notice.session_id in new:
            continue  # not left out yet (cannot happen for a deleted row; kept for safety)
        if was is None or notice.registration_id not in people:
            db.session.delete(notice)  # never published, or nobody confirmed to tell
            continue
        notice.publication_id = publication.id
        notice.title = was["title"]
        notice.was_starts_at, notice.was_ends_at = (
            _moment(was["starts_at"]),
            _moment(was["ends_at"]),
        )
        notice.was_room = was["room"]
        told.append((notice, people[notice.registration_id]))
    db.session.flush()

    for notice, registration in told:
        _mail(event, notice, registration)
    return len(told)


def _mail(event, notice: AgendaNotice, registration: Registration) -> None:
    with in_language(registration.language):  # the delegate's, whoever published
        queue_templated_mail(
            registration.email,
            f"{SUBJECTS[notice.change]}: {notice.title} – {event.title}",
            "session_changed",
            reply_to=event.reply_to or None,
            registration_id=registration.id,
            event=event,
            registration=registration,
            notice=local_notice(notice, event),
            agenda_link=external_url(
                "agenda.personal", slug=event.slug, token=manage_token(registration)
            ),
        )


@dataclass
class Notice:
    """A notice as people read it: times in the event's time zone."""

    session_id: int
    change: str
    title: str
    was_starts: datetime | None
    was_ends: datetime | None
    was_room: str
    starts: datetime | None
    ends: datetime | None
    room: str
    told_at: datetime


def local_notice(notice: AgendaNotice, event) -> Notice:
    """The notice with its times in the event's zone."""
    return Notice(
        session_id=notice.session_id,
        change=notice.change,
        title=notice.title,
        was_starts=to_local(notice.was_starts_at, event.tz),
        was_ends=to_local(notice.was_ends_at, event.tz),
        was_room=notice.was_room,
        starts=to_local(notice.starts_at, event.tz),
        ends=to_local(notice.ends_at, event.tz),
        room=notice.room,
        told_at=to_local(notice.created_at, event.tz),
    )


def personal_notices(
    registration, now: datetime | None = None
) -> tuple[dict[int, Notice], list[Notice]]:
    """What the delegate's agenda marks: the latest move of each session they were told
    of (by session id), and the sessions cancelled under them, the newest first.

    A mark lasts until the session has taken place: a move until the session ends at its
    new time, a cancellation until the time it was to end. Until then it may still matter
    (the old time is in a calendar the delegate imported, in a printed programme, in an
    e-mail read weeks ago); afterwards it tells them nothing. Marks do not go when the page
    is seen: a glance on a phone is no proof the change was taken in, and the page is
    read on several devices."""
    event = registration.event
    now = now or utcnow()
    rows = db.session.scalars(
        select(AgendaNotice)
        .where(
            AgendaNotice.registration_id == registration.id,
            AgendaNotice.publication_id.is_not(None),
        )
        .order_by(AgendaNotice.id.desc())
    )
    moved: dict[int, Notice] = {}
    cancelled: list[Notice] = []
    latest_moves: dict[int, AgendaNotice] = {}
    for row in rows:
        if row.change == "cancelled":
            if row.was_ends_at is None or row.was_ends_at > now:
                cancelled.append(local_notice(row, event))
        else:
            latest_moves.setdefault(row.session_id, row)
    # The latest move of a session says where it is; an earlier one, however far ahead its
    # time, is no longer true.
    for session_id, row in latest_moves.items():
        if row.ends_at is None or row.ends_at > now:
            moved[session_id] = local_notice(row, event)
    return moved, cancelled


def told_count(publication) -> int:
    """How many delegates a publication told of a session moved or cancelled."""
    return db.session.scalar(
        select(func.count(AgendaNotice.id)).where(AgendaNotice.publication_id == publication.id)
    )
