"""The event as a scheduling problem (format 1), and a solution read back into the draft.

Format 1 is ``../shared/standards/schedule/FORMAT.md``; any solver reads an instance and
writes a solution. ``build_instance`` maps the event to an instance, ``export_instance``
also keeps it (``ScheduleInstance``), and ``apply_solution`` reads a solution to a kept
instance into the draft agenda, after checking that nothing it relied on has changed.

How the event maps to the format:

- **blocks**: the windows of parallel sessions (blocks.py), ids ``d1-1330``.
- **rooms**: ``room-<id>``; by default those that hold parallel sessions (all rooms when
  none do yet), always those holding a talk of the instance. A room of unknown capacity
  counts as big enough for everyone (its capacity is the number of attendees). A room is
  unavailable in a block its organisers marked, and in a block where it holds a session
  that is not a parallel one.
- **tracks**: ``track-<id>``, every track of the event; a talk's track is its paper's, else
  its session's; a talk with neither is in the track ``no-track``. Similar tracks as the
  organisers marked them.
- **talks**: ``talk-<id>``. The instance holds the talks in the parallel sessions of its
  blocks and the accepted papers' talks not yet placed. Those to place (``place``; by
  default all but the talks organisers keep where they are, ``Talk.fixed``) are free; the
  other placed ones are ``fixed`` where they are; unplaced talks not to place are left out
  (and stay unplaced). A talk's ``people`` are its presenters.
- **people**: ``person-<registration id>``, the presenters; unavailable in the blocks
  marked for them, and in blocks where they chair or present in another kind of session.
- **attendees**: ``a<registration id>``: confirmed delegates with an interest in a talk of
  the instance. No names or addresses leave the database; talks, rooms and tracks carry
  their names under keys readers ignore (``title``, ``name``).
- **previous**: none, the draft's placement or the published one (``previous=``).
- **weights**: the format's defaults unless given.

Reading a solution back (``apply_solution``): one parallel session per block and room
that receives talks, titled after its track, its talks in the solution's order one after
the other from the block's start. Sessions are reused where they can be (same room and
track, then same track in another room, then same room), so sign-ups and chairs stay with
their content; a chair is kept unless they are withdrawn, cannot make the block or present
in another room of it.
Parallel sessions of the blocks left without talks are deleted. It is refused, and nothing
is written, when the solution breaks a hard rule or when anything a hard rule depends on
has changed since the export (talks, their length, track and presenters, kept talks,
unavailable blocks, rooms, or a talk moved in the editor): the refusal lists what changed.
Interests, capacities, similar tracks and weights only change how good a solution is: a
change there does not refuse it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from conference.agenda.blocks import PARALLEL, Block, block_at, make_block, parallel_blocks
from conference.agenda.comparison import names_of
from conference.agenda.draft import WITHDRAWN, person_name
from conference.agenda.interests import confirmed_interests
from conference.agenda.models import (
    AgendaSession,
    AgendaSignup,
    PresenterUnavailability,
    RoomUnavailability,
    ScheduleInstance,
    SimilarTracks,
    Talk,
    TalkInterest,
)
from conference.agenda.publishing import latest_publication
from conference.agenda.rooms import rooms_of, tracks_of
from conference.agenda.sessions import delete_session
from conference.agenda.talks import lay_out
from conference.errors import ValidationError
from conference.extensions import db
from conference.localtime import to_utc
from conference.papers.models import Paper, PaperStatus
from conference.registration.models import Registration, RegistrationStatus
from conference.scheduling.instance import parse_instance, parse_solution
from conference.scheduling.rules import attendee_conflicts, check

INSTANCE_FORMAT = "conference-schedule-instance/1"
DEFAULT_WEIGHTS = {
    "attendee_conflict": 1,
    "capacity_overflow": 1,
    "track_rooms": 10,
    "similar_parallel": 5,
    "moved": 20,
}
PREVIOUS = ("draft", "published")
NO_TRACK = "no-track"
NO_ROOM = "no-room"


def talk_key(talk_id: int) -> str:
    return f"talk-{talk_id}"


def room_key(room_id: int | None) -> str:
    return f"room-{room_id}" if room_id is not None else NO_ROOM


def track_key(track_id: int | None) -> str:
    return f"track-{track_id}" if track_id is not None else NO_TRACK


def person_key(registration_id: int) -> str:
    return f"person-{registration_id}"


def attendee_key(registration_id: int) -> str:
    return f"a{registration_id}"


def key_number(key: str, prefix: str) -> int | None:
    """The database id in an instance's key (``talk-12`` → 12), None for another kind."""
    rest = key.removeprefix(prefix)
    return int(rest) if rest != key and rest.isdigit() else None


# What the event holds --------------------------------------------------------------------


@dataclass
class _Event:
    """The rows an instance is built from, loaded once."""

    blocks: list[Block]
    sessions: list[AgendaSession]
    in_block: dict[int, Block]  # parallel sessions of the blocks: session id -> block
    papers: dict[int, Paper]  # talk id -> paper

    def track_id(self, talk: Talk) -> int | None:
        paper = self.papers.get(talk.id)
        if paper is not None and paper.track_id is not None:
            return paper.track_id
        return talk.session.track_id if talk.session is not None else None

    def scope(self) -> list[Talk]:
        """The talks of the parallel sessions of the blocks, and the accepted papers'
        talks not placed yet."""
        talks = [t for s in self.sessions if s.id in self.in_block for t in s.talks]
        unplaced = (
            db.session.scalars(
                select(Talk)
                .where(Talk.id.in_(list(self.papers)), Talk.session_id.is_(None))
                .options(selectinload(Talk.presenters))
            ).all()
            if self.papers
            else []
        )
        accepted = [t for t in unplaced if self.papers[t.id].status == PaperStatus.ACCEPTED]
        return sorted(talks + accepted, key=lambda t: t.id)


def _load(event, blocks) -> _Event:
    blocks = list(parallel_blocks(event) if blocks is None else blocks)
    if not blocks:
        raise ValidationError(
            "The agenda has no parallel sessions yet: the blocks to fill are read from "
            "them. Create one parallel session in each time window (in any room) first."
        )
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id)
        .options(
            selectinload(AgendaSession.room),
            selectinload(AgendaSession.track),
            selectinload(AgendaSession.chairs),
            selectinload(AgendaSession.talks).selectinload(Talk.presenters),
        )
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()
    in_block = {}
    for s in sessions:
        block = block_at(blocks, s.starts_at, s.ends_at)
        if s.kind == PARALLEL and block is not None:
            in_block[s.id] = block
    papers = {
        p.talk_id: p
        for p in db.session.scalars(
            select(Paper).where(Paper.event_id == event.id, Paper.talk_id.is_not(None))
        )
    }
    return _Event(blocks, sessions, in_block, papers)


def _blocks_of(rows, blocks) -> dict:
    """{owner id: {block id, ...}} for unavailability rows (owner, starts, ends)."""
    found: dict = defaultdict(set)
    for owner, starts, ends in rows:
        for block in blocks:
            if block.overlaps(starts, ends):
                found[owner].add(block.id)
    return found


def _weights(weights) -> dict:
    merged = dict(DEFAULT_WEIGHTS)
    for term, value in (weights or {}).items():
        if term not in DEFAULT_WEIGHTS:
            raise ValidationError(
                f"There is no weight “{term}”; the terms are {', '.join(DEFAULT_WEIGHTS)}."
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(f"The weight of {term} is a whole number, 0 or more.")
        merged[term] = value
    return merged


# Building an instance --------------------------------------------------------------------


def build_instance(
    event,
    *,
    blocks: list[Block] | None = None,
    room_ids=None,
    place=None,
    weights: dict | None = None,
    previous: str | list | None = None,
    mixed_sessions: bool = False,
    name: str | None = None,
    strict: bool = True,
) -> dict:
    """The event as a format-1 instance (a JSON-ready dict); see the module's docstring.

    ``blocks`` default to the parallel-session windows, ``room_ids`` to the rooms of
    parallel sessions, ``place`` (talk ids) to every talk of the instance not kept where it
    is. ``previous`` is None, "draft", "published", or a list of format-1 placements.
    Unknown rooms or talks are refused (``strict``) or left out. Reads only."""
    loaded = _load(event, blocks)
    blocks = loaded.blocks
    scope = loaded.scope()
    by_id = {t.id: t for t in scope}
    if place is None:
        free = {t.id for t in scope if not t.fixed}
    else:
        free = set(place)
        unknown = free - set(by_id)
        if unknown and strict:
            raise ValidationError(
                f"{len(unknown)} of the talks to place are neither in the parallel sessions "
                "of these blocks nor accepted papers waiting to be placed."
            )
    sessions = {s.id: s for s in loaded.sessions}
    chosen: list[tuple[Talk, tuple[str, str] | None]] = []
    for talk in scope:
        if talk.id in free:
            chosen.append((talk, None))
        elif talk.session_id is not None:
            session = sessions[talk.session_id]
            if session.room_id is None:
                raise ValidationError(
                    f"“{talk.title}” is kept where it is, but its session “{session.title}” "
                    "has no room: give the session a room, or let the talk move."
                )
            chosen.append((talk, (loaded.in_block[session.id].id, room_key(session.room_id))))

    # Rooms
    event_rooms = rooms_of(event)
    known_rooms = {r.id for r in event_rooms}
    if room_ids is None:
        wanted = {s.room_id for s in loaded.sessions if s.kind == PARALLEL and s.room_id}
        wanted = wanted or known_rooms
    else:
        wanted = set(room_ids)
        if wanted - known_rooms and strict:
            raise ValidationError("Choose rooms of this event.")
    wanted |= {sessions[t.session_id].room_id for t, _ in chosen if t.session_id is not None}
    rooms = [r for r in event_rooms if r.id in wanted]
    if not rooms:
        raise ValidationError("The event has no rooms yet: add the rooms first.")
    room_busy = _blocks_of(
        db.session.execute(
            select(
                RoomUnavailability.room_id,
                RoomUnavailability.starts_at,
                RoomUnavailability.ends_at,
            ).where(RoomUnavailability.event_id == event.id)
        ),
        blocks,
    )
    for s in loaded.sessions:
        if s.kind != PARALLEL and s.room_id is not None:
            for block in blocks:
                if block.overlaps(s.starts_at, s.ends_at):
                    room_busy[s.room_id].add(block.id)

    # People
    presenter_ids = sorted({p.id for t, _ in chosen for p in t.presenters})
    person_busy = _blocks_of(
        db.session.execute(
            select(
                PresenterUnavailability.registration_id,
                PresenterUnavailability.starts_at,
                PresenterUnavailability.ends_at,
            ).where(PresenterUnavailability.event_id == event.id)
        ),
        blocks,
    )
    for s in loaded.sessions:
        if s.id in loaded.in_block:
            continue
        busy = {c.id for c in s.chairs} | {p.id for t in s.talks for p in t.presenters}
        for block in blocks:
            if block.overlaps(s.starts_at, s.ends_at):
                for rid in busy:
                    person_busy[rid].add(block.id)

    # Tracks
    event_tracks = tracks_of(event)
    talk_tracks = {t.id: track_key(loaded.track_id(t)) for t, _ in chosen}
    similar = defaultdict(list)
    for first, second in db.session.execute(
        select(SimilarTracks.track_id, SimilarTracks.other_track_id).where(
            SimilarTracks.event_id == event.id
        )
    ):
        similar[first].append(track_key(second))

    # Attendees
    in_instance = {t.id for t, _ in chosen}
    attendees = []
    for registration_id, talk_ids in sorted(confirmed_interests(event).items()):
        wanted_talks = [talk_key(t) for t in talk_ids if t in in_instance]
        if wanted_talks:
            attendees.append({"id": attendee_key(registration_id), "interests": wanted_talks})

    order = {b.id: n for n, b in enumerate(blocks)}

    def ids(blocks_of: set) -> list[str]:
        return sorted(blocks_of, key=order.__getitem__)

    doc: dict = {
        "format": INSTANCE_FORMAT,
        "name": name or event.slug,
        "blocks": [
            {"id": b.id, "day": b.day.isoformat(), "start": b.start, "minutes": b.minutes}
            for b in blocks
        ],
        "rooms": [
            {
                "id": room_key(r.id),
                "name": r.name,
                "capacity": r.capacity if r.capacity is not None else len(attendees),
                **({"unavailable": ids(room_busy[r.id])} if room_busy.get(r.id) else {}),
            }
            for r in rooms
        ],
        "tracks": [
            {
                "id": track_key(t.id),
                "name": t.name,
                **({"similar": similar[t.id]} if similar.get(t.id) else {}),
            }
            for t in event_tracks
        ]
        + ([{"id": NO_TRACK, "name": "No track"}] if NO_TRACK in talk_tracks.values() else []),
        "people": [
            {
                "id": person_key(rid),
                **({"unavailable": ids(person_busy[rid])} if person_busy.get(rid) else {}),
            }
            for rid in presenter_ids
        ],
        "talks": [
            {
                "id": talk_key(t.id),
                "title": t.title,
                **({"paper": loaded.papers[t.id].id} if t.id in loaded.papers else {}),
                "minutes": t.duration_minutes,
                "track": talk_tracks[t.id],
                "people": [person_key(p.id) for p in sorted(t.presenters, key=lambda p: p.id)],
                **({"fixed": {"block": fixed[0], "room": fixed[1]}} if fixed else {}),
            }
            for t, fixed in chosen
        ],
        "attendees": attendees,
        "weights": _weights(weights),
        "mixed_sessions": bool(mixed_sessions),
    }
    placed = _previous(event, loaded, [t for t, _ in chosen], previous)
    if placed is not None:
        doc["previous"] = placed
    return doc


def _previous(event, loaded: _Event, talks: list[Talk], previous) -> list | None:
    if previous is None:
        return None
    if isinstance(previous, list):
        return previous
    if previous == "draft":
        return [
            {
                "talk": talk_key(t.id),
                "block": loaded.in_block[t.session_id].id,
                "room": room_key(t.session.room_id),
            }
            for t in talks
            if t.session_id in loaded.in_block and t.session.room_id is not None
        ]
    if previous == "published":
        publication = latest_publication(event)
        if publication is None:
            raise ValidationError(
                "The agenda is not published yet: there is no published placement to keep."
            )
        wanted = {t.id for t in talks}
        placed = []
        for s in publication.snapshot.get("sessions", []):
            starts = datetime.fromisoformat(s["starts_at"])
            ends = datetime.fromisoformat(s["ends_at"])
            block = block_at(loaded.blocks, starts, ends) or make_block(
                starts, ends, event.tz, event.start_date
            )
            for t in s["talks"]:
                if t["id"] in wanted:
                    placed.append(
                        {
                            "talk": talk_key(t["id"]),
                            "block": block.id,
                            "room": room_key(s.get("room_id")),
                        }
                    )
        return placed
    raise ValidationError(f"Keep the draft's placement or the published one, not “{previous}”.")


def draft_state(event, talk_ids) -> dict[str, list | None]:
    """Where these talks are in the draft now: {talk key: [session id, starts, ends, room
    id] or None when not placed}; what an import compares with the export."""
    talks = (
        db.session.scalars(
            select(Talk)
            .where(Talk.event_id == event.id, Talk.id.in_(list(talk_ids)))
            .options(selectinload(Talk.session))
        ).all()
        if talk_ids
        else []
    )
    state = {}
    for talk in talks:
        s = talk.session
        state[talk_key(talk.id)] = (
            [s.id, s.starts_at.isoformat(), s.ends_at.isoformat(), s.room_id] if s else None
        )
    return state


def _talk_ids(doc: dict) -> list[int]:
    return [n for t in doc["talks"] if (n := key_number(t["id"], "talk-")) is not None]


def export_instance(event, *, by=None, **options) -> ScheduleInstance:
    """Build the instance (``build_instance``'s options) and keep it, named
    ``<slug>-<number>``, with the draft's placement of its talks; flushes."""
    row = ScheduleInstance(event_id=event.id, name=f"{event.slug}-new", document={}, draft={})
    row.created_by = getattr(by, "id", None)
    doc = build_instance(event, **options)
    db.session.add(row)
    db.session.flush()
    row.name = doc["name"] = f"{event.slug}-{row.id}"
    row.document = doc
    row.draft = draft_state(event, _talk_ids(doc))
    db.session.flush()
    return row


# Reading a solution back -----------------------------------------------------------------


class SolutionRefused(ValidationError):
    """A solution not read into the draft; ``problems`` says why, one line each."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


@dataclass
class Applied:
    """What reading a solution did to the draft."""

    instance: str
    sessions_created: int = 0
    sessions_changed: int = 0
    sessions_deleted: int = 0
    talks_moved: list[str] = field(default_factory=list)
    chairs_dropped: list[str] = field(default_factory=list)
    signups_dropped: int = 0
    conflicts_before: int = 0
    conflicts_after: int = 0


def _doc_block(event, item: dict) -> Block:
    try:
        starts = to_utc(
            datetime.combine(date.fromisoformat(item["day"]), time.fromisoformat(item["start"])),
            event.tz,
        )
    except (KeyError, TypeError, ValueError):
        raise ValidationError(
            f"The kept instance's block {item.get('id')!r} has no day and start."
        ) from None
    block = make_block(
        starts, starts + timedelta(minutes=item["minutes"]), event.tz, event.start_date
    )
    return Block(item["id"], block.starts_at, block.ends_at, block.day, block.start, block.end)


def _rebuild(event, kept: dict) -> dict:
    """The instance as the event is now, built with the kept one's choices (its talks to
    place, unless an organiser has since kept one where it is)."""
    free = [n for t in kept["talks"] if "fixed" not in t and (n := key_number(t["id"], "talk-"))]
    now_kept = (
        set(db.session.scalars(select(Talk.id).where(Talk.id.in_(free), Talk.fixed)))
        if free
        else set()
    )
    return build_instance(
        event,
        blocks=[_doc_block(event, b) for b in kept["blocks"]],
        room_ids=[n for r in kept["rooms"] if (n := key_number(r["id"], "room-")) is not None],
        place=[n for n in free if n not in now_kept],
        weights=kept.get("weights"),
        previous=kept.get("previous"),
        mixed_sessions=kept.get("mixed_sessions", False),
        name=kept["name"],
        strict=False,
    )


def people_names(event_id: int, *docs) -> dict:
    """{person key: name as the person writes it} for the people of these instances."""
    keys = {p["id"] for doc in docs for p in doc.get("people", ())}
    ids = [n for key in keys if (n := key_number(key, "person-")) is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.given_name,
            Registration.family_name,
            Registration.native_name,
            Registration.name_order,
        ).where(Registration.id.in_(ids), Registration.event_id == event_id)
    )
    return {person_key(rid): person_name(g, f, n, o) for rid, g, f, n, o in rows}


def _names(event, *docs) -> dict:
    """Names organisers know for the ids of these instances."""
    names: dict = {}
    for doc in docs:
        names.update(names_of(doc))
    names.update(people_names(event.id, *docs))
    return names


def _listing(ids, names) -> str:
    return ", ".join(names.get(i, i) for i in sorted(ids)) or "none"


def changes_since(event, kept: ScheduleInstance, current: dict) -> list[str]:
    """What changed, since ``kept`` was exported, that a hard rule depends on; in words."""
    before, names = kept.document, _names(event, kept.document, current)
    lines = []
    rooms_before = {r["id"]: r for r in before["rooms"]}
    rooms_now = {r["id"]: r for r in current["rooms"]}
    for key in rooms_before.keys() - rooms_now.keys():
        lines.append(f"The room {names.get(key, key)} was deleted.")
    for key in sorted(rooms_before.keys() & rooms_now.keys()):
        was, now = (
            set(rooms_before[key].get("unavailable", ())),
            set(rooms_now[key].get("unavailable", ())),
        )
        if was != now:
            lines.append(
                f"{names[key]} is now unavailable in: {_listing(now, names)} "
                f"(was: {_listing(was, names)})."
            )
    people_before = {p["id"]: set(p.get("unavailable", ())) for p in before.get("people", ())}
    people_now = {p["id"]: set(p.get("unavailable", ())) for p in current.get("people", ())}
    for key in sorted(people_before.keys() & people_now.keys()):
        if people_before[key] != people_now[key]:
            lines.append(
                f"{names.get(key, key)} now cannot make: {_listing(people_now[key], names)} "
                f"(was: {_listing(people_before[key], names)})."
            )
    talks_before = {t["id"]: t for t in before["talks"]}
    talks_now = {t["id"]: t for t in current["talks"]}
    for key in sorted(talks_before.keys() - talks_now.keys()):
        lines.append(
            f"“{names.get(key, key)}” is no longer a talk to schedule "
            "(withdrawn, declined or deleted)."
        )
    for key in sorted(talks_now.keys() - talks_before.keys()):
        lines.append(f"“{names[key]}” was placed in a parallel session of these blocks since.")
    for key in sorted(talks_before.keys() & talks_now.keys()):
        was, now = talks_before[key], talks_now[key]
        title = names[key]
        if was["minutes"] != now["minutes"]:
            lines.append(f"“{title}” now lasts {now['minutes']} minutes (was {was['minutes']}).")
        if was["track"] != now["track"]:
            lines.append(
                f"“{title}” is now in the track {names.get(now['track'], now['track'])} "
                f"(was {names.get(was['track'], was['track'])})."
            )
        if set(was.get("people", ())) != set(now.get("people", ())):
            lines.append(f"“{title}” has other presenters now.")
        if was.get("fixed") != now.get("fixed"):
            lines.append(
                f"“{title}” is now kept where it is."
                if now.get("fixed")
                else f"“{title}” is no longer kept where it is."
            )
    state = draft_state(event, _talk_ids(before))
    for key, was in sorted(kept.draft.items()):
        if key in talks_now and state.get(key) != was:
            lines.append(f"“{names.get(key, key)}” was moved in the editor since the export.")
    return lines


def changed_since_export(event, kept: ScheduleInstance) -> list[str]:
    """What changed since ``kept`` was exported that a hard rule depends on, in words:
    what ``apply_solution`` would refuse a solution to it for (none: it still fits)."""
    return changes_since(event, kept, _rebuild(event, kept.document))


def _kept(event, name) -> ScheduleInstance:
    row = (
        db.session.scalar(
            select(ScheduleInstance).where(
                ScheduleInstance.event_id == event.id, ScheduleInstance.name == name
            )
        )
        if isinstance(name, str)
        else None
    )
    if row is None:
        raise ValidationError(
            f"No instance called “{name}” was exported from this event: export one "
            "(agenda export-instance), solve it, then read its solution."
        )
    return row


def apply_solution(event, solution: dict) -> Applied:
    """Read a format-1 solution to an instance exported from this event into the draft
    agenda (see the module's docstring); ``SolutionRefused``, nothing written, when it
    breaks a hard rule or the agenda changed underneath. Flushes, never commits."""
    kept = _kept(event, solution.get("instance") if isinstance(solution, dict) else None)
    placements = parse_solution(solution, repeats=True)
    current = _rebuild(event, kept.document)
    changed = changes_since(event, kept, current)
    if changed:
        raise SolutionRefused(
            f"The agenda changed since the instance {kept.name} was exported, so its "
            "solution may no longer fit: nothing was changed. Export the instance again "
            "and solve it anew.",
            changed,
        )
    names = _names(event, current)
    broken = check(parse_instance(current), placements, names)
    if broken:
        raise SolutionRefused(
            f"The solution breaks {len(broken)} rule(s) of the instance: nothing was changed.",
            [v.message for v in broken],
        )
    return _write(event, kept, current, placements, names)


def _write(event, kept: ScheduleInstance, doc: dict, placements, names) -> Applied:
    applied = Applied(kept.name)
    blocks = {b["id"]: _doc_block(event, b) for b in doc["blocks"]}
    talk_doc = {t["id"]: t for t in doc["talks"]}
    talks = {
        talk_key(t.id): t
        for t in db.session.scalars(select(Talk).where(Talk.id.in_(_talk_ids(doc))))
    }
    rooms = {room_key(r.id): r for r in rooms_of(event)}
    tracks = {track_key(t.id): t for t in tracks_of(event)}
    sessions = db.session.scalars(
        select(AgendaSession)
        .where(AgendaSession.event_id == event.id, AgendaSession.kind == PARALLEL)
        .options(selectinload(AgendaSession.chairs), selectinload(AgendaSession.talks))
        .order_by(AgendaSession.starts_at, AgendaSession.id)
    ).all()

    # Before, for the summary: where each talk was, and the attendees' conflicts.
    before = {}
    for key, talk in talks.items():
        s = talk.session
        block = block_at(blocks.values(), s.starts_at, s.ends_at) if s is not None else None
        if block is not None and s.kind == PARALLEL:
            before[key] = (block.id, room_key(s.room_id))
    after = {talk: (block, room) for talk, block, room in placements}
    interests = {a["id"]: a["interests"] for a in doc.get("attendees", ())}

    def conflicts(where) -> int:
        return attendee_conflicts(
            (a, *where[t]) for a, wanted in interests.items() for t in wanted if t in where
        )

    applied.conflicts_before, applied.conflicts_after = conflicts(before), conflicts(after)
    applied.talks_moved = sorted(names.get(k, k) for k in after if before.get(k) != after[k])

    targets: dict = defaultdict(list)
    for talk, block, room in placements:
        targets[block, room].append(talk)
    used: set[int] = set()
    for block_key, block in blocks.items():
        existing = [s for s in sessions if block.overlaps(s.starts_at, s.ends_at)]
        wanted = []
        for (b, room), keys in targets.items():
            if b == block_key:
                track = Counter(talk_doc[k]["track"] for k in keys).most_common(1)[0][0]
                wanted.append([room, keys, track, None])
        # A session is its content: it follows its track to another room before a room
        # keeps its row for another track (sign-ups and chairs go with the content).
        for same_room, same_track in ((True, True), (False, True), (True, False)):
            for target in wanted:
                if target[3] is not None:
                    continue
                target[3] = next(
                    (
                        s
                        for s in existing
                        if s.id not in used
                        and (not same_room or room_key(s.room_id) == target[0])
                        and (not same_track or track_key(s.track_id) == target[2])
                    ),
                    None,
                )
                if target[3] is not None:
                    used.add(target[3].id)
        presenting = {
            person: room
            for room, keys, _, _ in wanted
            for k in keys
            for person in talk_doc[k].get("people", ())
        }
        chairing: set[int] = set()
        for room, keys, track, session in wanted:
            _fill(
                event,
                applied,
                block,
                rooms[room],
                tracks.get(track),
                session,
                keys,
                talks,
                presenting,
                chairing,
                names,
            )
        for s in existing:
            if s.id not in used:
                applied.signups_dropped += db.session.scalar(
                    select(func.count(AgendaSignup.id)).where(AgendaSignup.session_id == s.id)
                )
                db.session.flush()
                db.session.expire(s, ["talks"])
                try:
                    delete_session(event, s)
                except ValidationError as exc:
                    raise SolutionRefused(
                        f"The solution leaves “{s.title}” without talks, but it cannot be "
                        "deleted: nothing was changed.",
                        [exc.message],
                    ) from None
                applied.sessions_deleted += 1
    db.session.flush()
    return applied


def _fill(event, applied, block, room, track, session, keys, talks, presenting, chairing, names):
    """One session of the solution: reused (``session``) or new, its talks in order."""
    if session is None:
        session = AgendaSession(event_id=event.id, kind=PARALLEL, description="")
        db.session.add(session)
        applied.sessions_created += 1
    else:
        applied.sessions_changed += 1
        if session.track_id != (track.id if track else None):
            session.description = ""
        if session.room_id != room.id:
            session.capacity = None  # the old room's seats say nothing of the new one
    session.kind, session.title = PARALLEL, track.name if track else "Parallel session"
    session.room, session.track = room, track
    session.starts_at, session.ends_at = block.starts_at, block.ends_at
    kept_chairs = []
    for chair in list(session.chairs):
        elsewhere = presenting.get(person_key(chair.id))
        reason = None
        if chair.status in WITHDRAWN:
            reason = f"is {chair.status}"
        elif elsewhere is not None and elsewhere != room_key(room.id):
            reason = f"presents in {names.get(elsewhere, elsewhere)} at the same time"
        elif chair.id in chairing:
            reason = "chairs another session at the same time"
        elif db.session.scalar(
            select(PresenterUnavailability.id).where(
                PresenterUnavailability.registration_id == chair.id,
                PresenterUnavailability.starts_at < block.ends_at,
                PresenterUnavailability.ends_at > block.starts_at,
            )
        ):
            reason = "cannot make this block"
        if reason:
            applied.chairs_dropped.append(
                f"{chair.display_name} no longer chairs “{session.title}” "
                f"({block.label}): {reason}."
            )
        else:
            kept_chairs.append(chair)
            chairing.add(chair.id)
    session.chairs = kept_chairs
    ordered = [talks[k] for k in keys]
    starts = lay_out(
        block.starts_at, [t.duration_minutes for t in ordered], [timedelta(0)] * len(ordered)
    )
    for position, (talk, start) in enumerate(zip(ordered, starts, strict=True)):
        talk.session, talk.position, talk.starts_at = session, position, start


# The draft's conflicts for delegates -----------------------------------------------------


def draft_attendee_conflicts(event) -> int:
    """How many times a confirmed delegate wants talks in two rooms of one block of the
    draft (the format's ``attendee_conflict``): what proposals of parallel sessions lower."""
    blocks = parallel_blocks(event)
    if not blocks:
        return 0
    rows = db.session.execute(
        select(
            TalkInterest.registration_id,
            AgendaSession.id,
            AgendaSession.room_id,
            AgendaSession.starts_at,
            AgendaSession.ends_at,
        )
        .join(Talk, Talk.id == TalkInterest.talk_id)
        .join(AgendaSession, AgendaSession.id == Talk.session_id)
        .join(Registration, Registration.id == TalkInterest.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            AgendaSession.kind == PARALLEL,
        )
    )
    places = []
    for registration_id, session_id, room_id, starts, ends in rows:
        block = block_at(blocks, starts, ends)
        if block is not None:
            places.append((registration_id, block.id, room_id if room_id else f"s{session_id}"))
    return attendee_conflicts(places)
