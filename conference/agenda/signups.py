"""Personal agendas: delegates sign up for parallel sessions; organisers count the sign-ups.

Decisions:
- Delegates choose from the *published* agenda: a session must be in the latest
  publication to take sign-ups, and its title, time and room are the published ones (what
  the delegate sees). Its places are the draft row's (live: an organiser who raises a
  capacity frees places at once, without publishing again); that row is the one locked.
- Parallel sessions always take sign-ups. Poster, cultural and networking sessions take
  them when the organiser limited their own places (a capacity on the session, not just
  the room's); any session that admits only those signed up takes them too. Everything
  else (plenaries, keynotes, ceremonies, breaks, meals) is for everybody.
- Only confirmed registrations choose, and only their sign-ups count: a cancelled (or
  rejected) registration's choices stop taking places at once, and come back with it if
  it is restored.
- Signing up twice for the same session is not an error: the second time changes nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.conflicts import over_capacity, overlaps
from conference.agenda.draft import taken_by_session
from conference.agenda.kinds import SESSION_KINDS
from conference.agenda.models import AgendaSession, AgendaSignup
from conference.agenda.publishing import latest_publication
from conference.errors import ValidationError
from conference.extensions import db
from conference.localtime import to_local
from conference.registration.models import (
    SORT_NAME,
    STATUS_LABELS,
    Registration,
    RegistrationStatus,
)

SIGNUP_KINDS = frozenset({"parallel"})
LIMITED_KINDS = frozenset({"poster", "cultural", "networking"})  # with a capacity of their own


def can_choose_sessions(registration: Registration) -> bool:
    """Whether the delegate may sign up for sessions now: only confirmed registrations."""
    return registration.status == RegistrationStatus.CONFIRMED


def places_left(capacity: int | None, taken: int) -> int | None:
    """Places still free (never below 0); None when the places are not limited."""
    return None if capacity is None else max(capacity - taken, 0)


def takes_signups(session: AgendaSession) -> bool:
    """Whether delegates sign up for this session (see the module's docstring)."""
    return (
        session.kind in SIGNUP_KINDS
        or session.signed_up_only
        or (session.kind in LIMITED_KINDS and session.capacity is not None)
    )


@dataclass
class Choice:
    """A published session as one delegate sees it; times in the event's time zone."""

    id: int
    title: str
    kind: str
    room: str
    track: str
    track_colour: str
    starts: datetime
    ends: datetime
    description: str = ""
    talks: list = field(default_factory=list)
    takes_signups: bool = False
    capacity: int | None = None
    taken: int = 0
    signed_up: bool = False
    switch_from: int | None = None  # the delegate's choice at the same time, to switch from
    role: str = ""  # "presenter" or "chair" when the delegate has a part in it
    blocked: str = ""  # why the delegate cannot sign up now ("" when they can)
    hint: str = ""  # the same, said briefly beside the session on the page
    clashes_with: int | None = None  # the delegate's session at the same time

    @property
    def kind_label(self) -> str:
        return SESSION_KINDS.get(self.kind, self.kind)

    @property
    def for_everybody(self) -> bool:
        return not self.takes_signups and self.kind not in SIGNUP_KINDS

    @property
    def in_agenda(self) -> bool:
        return self.for_everybody or self.signed_up or bool(self.role)

    @property
    def places_left(self) -> int | None:
        return places_left(self.capacity, self.taken)

    @property
    def over_capacity(self) -> bool:
        return over_capacity(self.capacity, self.taken)


def _when(choice: Choice) -> str:
    zone = getattr(choice.starts.tzinfo, "key", "") or choice.starts.tzname()
    return (
        f"{choice.starts.day} {choice.starts:%b %H:%M}–{choice.ends:%H:%M} "
        f"({zone.replace('_', ' ')})"
    )


def _full_message(choice: Choice) -> str:
    return f"“{choice.title}” is full: {choice.taken} of {choice.capacity} places taken."


_PARTS = {"presenter": "present in", "chair": "chair"}


def _clash_message(choice: Choice, other: Choice) -> str:
    part = {"presenter": ", where you present", "chair": ", which you chair"}.get(other.role, "")
    where = f" in {other.room}" if other.room else ""
    return f"“{choice.title}” clashes with “{other.title}”{part}, {_when(other)}{where}."


def _clash_hint(other: Choice) -> str:
    if other.role:
        return f"You {_PARTS[other.role]} “{other.title}” at this time."
    return f"At the same time as your choice, “{other.title}”."


def _role_in(snapshot_session: dict, registration_id: int) -> str:
    if any(p["id"] == registration_id for p in snapshot_session.get("chairs", [])):
        return "chair"
    for talk in snapshot_session.get("talks", []):
        if any(p.get("id") == registration_id for p in talk.get("presenters", [])):
            return "presenter"
    return ""


def agenda_choices(registration: Registration) -> list[Choice] | None:
    """Every published session as this delegate sees it, in time order, with what they
    chose and why they cannot choose the others; None before the first publication."""
    event = registration.event
    publication = latest_publication(event)
    if publication is None:
        return None
    rows = {
        s.id: s
        for s in db.session.scalars(
            select(AgendaSession)
            .where(AgendaSession.event_id == event.id)
            .options(selectinload(AgendaSession.room))
        )
    }
    taken = taken_by_session(event.id)
    mine = set(
        db.session.scalars(
            select(AgendaSignup.session_id).where(AgendaSignup.registration_id == registration.id)
        )
    )
    choices, order = [], {}
    for s in publication.snapshot.get("sessions", []):
        row = rows.get(s["id"])
        order[s["id"]] = row.room.position if row is not None and row.room else 0
        choices.append(
            Choice(
                id=s["id"],
                title=s["title"],
                kind=s["kind"],
                room=s["room"],
                track=s.get("track", ""),
                track_colour=s.get("track_colour", ""),
                starts=to_local(datetime.fromisoformat(s["starts_at"]), event.tz),
                ends=to_local(datetime.fromisoformat(s["ends_at"]), event.tz),
                description=s.get("description", ""),
                talks=s.get("talks", []),
                takes_signups=row is not None and takes_signups(row),
                capacity=row.effective_capacity if row is not None else None,
                taken=taken.get(s["id"], 0),
                signed_up=s["id"] in mine,
                role=_role_in(s, registration.id),
            )
        )
    choices.sort(key=lambda c: (c.starts, order[c.id], c.room, c.id))  # rooms as organised
    committed = [c for c in choices if c.signed_up or c.role]
    for choice in choices:
        if not choice.takes_signups or choice.signed_up:
            continue
        clash = next(
            (
                other
                for other in committed
                if other.id != choice.id
                and overlaps(choice.starts, choice.ends, other.starts, other.ends)
            ),
            None,
        )
        if choice.role:
            choice.blocked = (
                f"You {_PARTS[choice.role]} “{choice.title}”: it is in your agenda already."
            )
        elif clash is not None:
            choice.blocked = _clash_message(choice, clash)
            choice.hint, choice.clashes_with = _clash_hint(clash), clash.id
            if clash.signed_up and not clash.role and choice.places_left != 0:
                # Their own choice, not a part they play: one step changes it.
                choice.switch_from = clash.id
        elif choice.places_left == 0:
            choice.blocked = _full_message(choice)
    return choices


def personal_agenda(registration: Registration) -> list[Choice]:
    """The sessions everybody attends, the ones the delegate chose and the ones they
    present in or chair, in time order."""
    return [c for c in agenda_choices(registration) or [] if c.in_agenda]


def sign_up(registration: Registration, session: AgendaSession) -> AgendaSignup:
    """Sign a confirmed delegate up for a session of the published agenda; refused (with
    the reason) when it clashes with another of their sessions or is full. Signing up
    again for the same session changes nothing."""
    if session.event_id != registration.event_id:
        raise ValidationError("That session is not part of this event.")
    if not can_choose_sessions(registration):
        raise ValidationError(
            "Only confirmed delegates choose sessions; your registration is "
            f"{STATUS_LABELS[registration.status].lower()}."
        )
    # One sign-up at a time per delegate (two clashing choices sent at once cannot both
    # pass the clash check) and per session (the count below includes every place already
    # taken): on PostgreSQL the next one waits here for this transaction to end. Always the
    # delegate first, then the session, so two sign-ups never wait for each other.
    db.session.refresh(registration, with_for_update=True)
    db.session.refresh(session, with_for_update=True)
    existing = db.session.scalar(
        select(AgendaSignup).where(
            AgendaSignup.registration_id == registration.id,
            AgendaSignup.session_id == session.id,
        )
    )
    if existing is not None:
        return existing
    choice = next((c for c in agenda_choices(registration) or [] if c.id == session.id), None)
    if choice is None:
        raise ValidationError(f"“{session.title}” is not in the published agenda.")
    if not choice.takes_signups:
        raise ValidationError(
            f"“{choice.title}” does not take sign-ups: "
            + ("everybody is welcome." if choice.for_everybody else "it is closed.")
        )
    if choice.blocked:
        raise ValidationError(choice.blocked)
    signup = AgendaSignup(registration_id=registration.id, session_id=session.id)
    db.session.add(signup)
    db.session.flush()
    # SQLite has no row locks; there the insert took the database's only write lock, so
    # counting again after it is exact: give the place back if someone was quicker.
    if choice.capacity is not None:
        taken = taken_by_session(registration.event_id, [session.id]).get(session.id, 0)
        if taken > choice.capacity:
            db.session.delete(signup)
            db.session.flush()
            choice.taken = taken - 1
            raise ValidationError(_full_message(choice))
    return signup


def cancel_signup(registration: Registration, session: AgendaSession) -> bool:
    """Leave a session, freeing the place; False when the delegate was not signed up."""
    signup = db.session.scalar(
        select(AgendaSignup).where(
            AgendaSignup.registration_id == registration.id,
            AgendaSignup.session_id == session.id,
        )
    )
    if signup is None:
        return False
    db.session.delete(signup)
    db.session.flush()
    return True


def switch_session(
    registration: Registration, leaving: AgendaSession, joining: AgendaSession
) -> AgendaSignup:
    """Change one's choice between two sessions at the same time in one step: leave
    ``leaving`` and sign up for ``joining``. When the sign-up is refused (full, a clash
    with another session), nothing changes: the caller's rollback keeps the first place."""
    if leaving.id == joining.id:
        raise ValidationError(f"You are signed up for “{joining.title}” already.")
    if leaving.event_id != registration.event_id:
        raise ValidationError("That session is not part of this event.")
    if not cancel_signup(registration, leaving):
        raise ValidationError(
            f"You are not signed up for “{leaving.title}”: sign up for “{joining.title}” instead."
        )
    return sign_up(registration, joining)


@dataclass
class SessionSignups:
    """For organisers: a session that takes sign-ups, and who signed up."""

    session: AgendaSession
    people: list[Registration]
    published: bool

    @property
    def taken(self) -> int:
        return len(self.people)

    @property
    def capacity(self) -> int | None:
        return self.session.effective_capacity

    @property
    def over_capacity(self) -> bool:
        return over_capacity(self.capacity, self.taken)

    @property
    def places_left(self) -> int | None:
        return places_left(self.capacity, self.taken)


def signup_counts(event) -> list[SessionSignups]:
    """Every session of the draft agenda that takes sign-ups (or has some), in time order,
    with the confirmed delegates signed up, sorted by name."""
    publication = latest_publication(event)
    snapshot = publication.snapshot if publication else {}
    published = {s["id"] for s in snapshot.get("sessions", [])}
    people: dict[int, list[Registration]] = defaultdict(list)
    for session_id, registration in db.session.execute(
        select(AgendaSignup.session_id, Registration)
        .join(Registration, Registration.id == AgendaSignup.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(SORT_NAME, Registration.given_name, Registration.id)
    ):
        people[session_id].append(registration)
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(selectinload(AgendaSession.room))
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    )
    return [
        SessionSignups(s, people.get(s.id, []), s.id in published)
        for s in sessions
        if takes_signups(s) or s.id in people
    ]


def registration_for_user(event, user) -> Registration | None:
    """The registration an account made for this event (a confirmed one first)."""
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.user_id == user.id)
        .order_by(
            (Registration.status == RegistrationStatus.CONFIRMED).desc(), Registration.id.desc()
        )
        .limit(1)
    )


# Laying out the page -------------------------------------------------------------------


@dataclass
class Slot:
    """Sessions starting at the same time: one for everybody, or several to choose from."""

    starts: datetime
    ends: datetime
    sessions: list[Choice]

    @property
    def choosable(self) -> list[Choice]:
        return [c for c in self.sessions if c.takes_signups or c.kind in SIGNUP_KINDS]

    @property
    def chosen(self) -> Choice | None:
        """The delegate's session in this slot: chosen, or one they present in or chair."""
        return next((c for c in self.sessions if c.signed_up or c.role), None)


@dataclass
class Day:
    date: date
    slots: list[Slot]

    @property
    def label(self) -> str:
        return f"{self.date:%A} {self.date.day} {self.date:%B %Y}"


def by_day(choices: list[Choice]) -> list[Day]:
    """Choices (in time order, local times) grouped by day, then by starting time."""
    days: list[Day] = []
    for choice in choices:
        if not days or days[-1].date != choice.starts.date():
            days.append(Day(choice.starts.date(), []))
        slots = days[-1].slots
        if slots and slots[-1].starts == choice.starts:
            slots[-1].sessions.append(choice)
            slots[-1].ends = max(slots[-1].ends, choice.ends)
        else:
            slots.append(Slot(choice.starts, choice.ends, [choice]))
    for day in days:
        for slot in day.slots:
            chosen = slot.chosen
            for choice in slot.sessions:
                if chosen is not None and choice.clashes_with == chosen.id:
                    choice.hint = ""  # the slot says it once: "You chose ..."
    return days
