"""Proposals of parallel sessions: the solver places the talks, an organiser decides.

``start_proposal`` exports the event as a format-1 instance (instances.py) with the
organiser's choices, keeps a ``ScheduleProposal`` and starts a background job;
``run_proposal`` (that job) runs the solver (conference.scheduling) in a thread of its own
and writes its best schedule so far (objective, terms, bound) every half second, stopping
it when an organiser cancels; it then keeps the solution, the solver's explanation and the
draft of that moment against the proposal. The draft itself changes only in
``accept_proposal`` (``apply_solution``: refused with what changed when the agenda changed
underneath), never in the job, so a cancelled job or a killed worker leaves it untouched;
and nothing is published without an organiser.

A re-plan is a proposal that keeps the published placement (``previous="published"``):
moving a talk then costs the weight ``moved``, so few talks move, and publishing tells the
presenters of those that do (publishing.py's changelog).
"""

import threading
import time
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from conference.agenda.blocks import PARALLEL, block_at, parallel_blocks
from conference.agenda.comparison import (
    Comparison,
    Side,
    compare,
    explained,
    in_running_order,
    names_of,
    placement_of,
    reasons_in_words,
    sessions,
)
from conference.agenda.instances import (
    DEFAULT_WEIGHTS,
    Applied,
    SolutionRefused,
    apply_solution,
    build_instance,
    changed_since_export,
    draft_attendee_conflicts,
    export_instance,
    key_number,
    people_names,
    room_key,
    talk_key,
)
from conference.agenda.models import ProposalStatus, ScheduleProposal, Talk
from conference.agenda.publishing import has_publication
from conference.agenda.rooms import rooms_of
from conference.dbtypes import utcnow
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.jobs.models import Job, JobStatus
from conference.jobs.services import reap_if_dead, start_job
from conference.papers.models import Paper, PaperStatus

PROPOSE_KIND = "agenda.propose"
DEFAULT_TIME_LIMIT = 30  # seconds: a good schedule for an event of a few hundred talks
MAX_TIME_LIMIT = 600
WORKERS = 2  # CP-SAT's threads: the machines this runs on have two cores or more
REPORT_SECONDS = 0.5  # how often the job writes the best schedule so far
PREVIOUS_CHOICES = ("none", "draft", "published")
OPEN = (ProposalStatus.RUNNING, ProposalStatus.READY)

# What each weight counts, in the organisers' words (the form shows them beside the fields).
WEIGHTS = {
    "attendee_conflict": (
        "Delegates torn between rooms",
        "Each time a delegate wants talks in two rooms of the same block. This is what "
        "proposals mostly lower: talks that the same people want go into one room.",
    ),
    "capacity_overflow": (
        "Seats missing",
        "Each delegate more than the room seats, for every talk (demand: the delegates "
        "who marked the talk).",
    ),
    "track_rooms": (
        "Tracks split over rooms",
        "Each further room a track uses: people who follow a track should not have to "
        "change rooms.",
    ),
    "similar_parallel": (
        "Similar tracks side by side",
        "Each block in which two tracks marked as similar both run.",
    ),
    "moved": (
        "Talks moved",
        "Each talk that leaves its place in the placement kept (the published agenda or "
        "the draft): high, so that a late change moves few talks.",
    ),
}


@dataclass
class ProposalOptions:
    """What an organiser chose; None: the default (every block, the rooms of parallel
    sessions, the accepted talks not kept where they are)."""

    block_ids: list[str] | None = None
    room_ids: list[int] | None = None
    talk_ids: list[int] | None = None
    weights: dict | None = None
    time_limit: int = DEFAULT_TIME_LIMIT
    previous: str = "none"  # the placement few talks should leave: none, draft, published


# The form's choices ---------------------------------------------------------------------


@dataclass
class TalkChoice:
    id: int
    title: str
    track: str
    minutes: int
    place: bool  # chosen by default: an accepted paper's talk not kept where it is
    where: str  # "Tue 29 Oct 13:30–15:00, Lotus Room", or "not placed yet"
    kept: bool


@dataclass
class Choices:
    """What the proposal form offers, and its defaults."""

    blocks: list  # Block
    rooms: list[tuple[int, str, int | None, bool]]  # id, name, capacity, chosen by default
    talks: list[TalkChoice]
    published: bool
    conflicts: int  # the draft's attendee conflicts

    @property
    def tracks(self) -> list[tuple[str, list[TalkChoice]]]:
        grouped: dict[str, list[TalkChoice]] = {}
        for talk in self.talks:
            grouped.setdefault(talk.track, []).append(talk)
        return sorted(grouped.items())


def proposal_choices(event) -> Choices:
    """The blocks (the parallel-session windows), rooms and talks a proposal may use, with
    the defaults; refused, saying what to do first, when there is nothing to propose for."""
    doc = build_instance(event)
    names = names_of(doc)
    papers = dict(
        db.session.execute(
            select(Paper.talk_id, Paper.status).where(
                Paper.event_id == event.id, Paper.talk_id.is_not(None)
            )
        ).all()
    )
    kept_talks = set(
        db.session.scalars(select(Talk.id).where(Talk.event_id == event.id, Talk.fixed))
    )
    default_rooms = {key_number(r["id"], "room-") for r in doc["rooms"]}
    before = _draft_placement(event, doc, None)[0]
    talks = []
    for t in doc["talks"]:
        talk_id = key_number(t["id"], "talk-")
        where = before.get(t["id"])
        talks.append(
            TalkChoice(
                id=talk_id,
                title=t.get("title", t["id"]),
                track=names.get(t["track"], t["track"]),
                minutes=t["minutes"],
                place=papers.get(talk_id) == PaperStatus.ACCEPTED and talk_id not in kept_talks,
                where=f"{names[where[0]]}, {names[where[1]]}" if where else "not placed yet",
                kept=talk_id in kept_talks,
            )
        )
    return Choices(
        blocks=parallel_blocks(event),
        rooms=[(r.id, r.name, r.capacity, r.id in default_rooms) for r in rooms_of(event)],
        talks=talks,
        published=has_publication(event),
        conflicts=draft_attendee_conflicts(event),
    )


# Starting -------------------------------------------------------------------------------


def _draft_placement(event, doc: dict, blocks) -> tuple[dict, dict]:
    """Where the instance's talks are in the draft: ({talk key: (block, room key)}, {talk
    key: start}); talks not in a parallel session of the blocks are left out."""
    blocks = blocks if blocks is not None else parallel_blocks(event)
    ids = [n for t in doc["talks"] if (n := key_number(t["id"], "talk-")) is not None]
    talks = (
        db.session.scalars(
            select(Talk)
            .where(Talk.event_id == event.id, Talk.id.in_(ids), Talk.session_id.is_not(None))
            .options(selectinload(Talk.session))
        ).all()
        if ids
        else []
    )
    where, starts = {}, {}
    for talk in talks:
        s = talk.session
        block = block_at(blocks, s.starts_at, s.ends_at) if s.kind == PARALLEL else None
        if block is not None and s.room_id is not None:
            where[talk_key(talk.id)] = (block.id, room_key(s.room_id))
            starts[talk_key(talk.id)] = (talk.starts_at or s.starts_at).isoformat() + (
                f"#{talk.position:05d}"
            )
    return where, starts


def _running(event) -> ScheduleProposal | None:
    for proposal in db.session.scalars(
        select(ScheduleProposal).where(
            ScheduleProposal.event_id == event.id,
            ScheduleProposal.status == ProposalStatus.RUNNING,
        )
    ):
        follow(proposal)
        if proposal.status == ProposalStatus.RUNNING:
            return proposal
    return None


def start_proposal(event, user, options: ProposalOptions) -> ScheduleProposal:
    """Export the event with these choices and start the solver on it in the background
    (once the caller commits); one proposal runs at a time per event. Flushes."""
    if _running(event) is not None:
        raise ValidationError(
            "A proposal is being computed for this event already: wait for it, or cancel "
            "it, before starting another."
        )
    if not 1 <= options.time_limit <= MAX_TIME_LIMIT:
        raise ValidationError(
            f"The time limit is between 1 and {MAX_TIME_LIMIT} seconds.", field="time_limit"
        )
    if options.previous not in PREVIOUS_CHOICES:
        raise ValidationError("Keep the draft's placement, the published one, or none.")
    if options.previous == "published" and not has_publication(event):
        raise ValidationError(
            "The agenda is not published yet: there is no published placement to keep.",
            field="previous",
        )
    blocks = parallel_blocks(event)
    if options.block_ids is not None:
        unknown = set(options.block_ids) - {b.id for b in blocks}
        if unknown:
            raise ValidationError(
                "Some of the blocks chosen are not on the agenda any more (their sessions "
                "moved or were deleted): choose again.",
                field="block_ids",
            )
        blocks = [b for b in blocks if b.id in set(options.block_ids)]
        if not blocks:
            raise ValidationError("Choose at least one block.", field="block_ids")
    if options.room_ids is not None and not options.room_ids:
        raise ValidationError("Choose at least one room.", field="room_ids")
    if options.talk_ids is not None and not options.talk_ids:
        raise ValidationError("Choose at least one talk to place.", field="talk_ids")
    kept = export_instance(
        event,
        by=user,
        blocks=blocks,
        room_ids=options.room_ids,
        place=options.talk_ids,
        weights=options.weights,
        previous=None if options.previous == "none" else options.previous,
    )
    before, starts = _draft_placement(event, kept.document, blocks)
    proposal = ScheduleProposal(
        event_id=event.id,
        instance_id=kept.id,
        created_by=getattr(user, "id", None),
        options={
            "time_limit": options.time_limit,
            "previous": options.previous,
            "before": [[t, b, r] for t, (b, r) in sorted(before.items())],
            "starts": starts,
        },
        progress={},
        reasons=[],
    )
    db.session.add(proposal)
    db.session.flush()
    record = start_job(
        PROPOSE_KIND,
        f"Proposal of parallel sessions, {event.title}",
        user=user,
        proposal_id=proposal.id,
    )
    proposal.job_id = record.id
    db.session.flush()
    return proposal


# The job --------------------------------------------------------------------------------


def _progress_json(report) -> dict:
    return {
        "seconds": round(report.seconds, 2),
        "objective": report.objective,
        "terms": dict(report.terms),
        "bound": report.bound,
    }


def _cancel_requested(proposal_id: int) -> bool:
    with db.session.no_autoflush:
        return bool(
            db.session.scalar(
                select(ScheduleProposal.cancel_requested).where(ScheduleProposal.id == proposal_id)
            )
        )


def run_proposal(progress, proposal_id: int) -> dict:
    """The job: search for the time limit (or until cancelled), writing the best schedule
    so far; keep the result on the proposal. Touches no session, talk or room."""
    from conference.scheduling import CANCELLED, INFEASIBLE, InstanceError, Search
    from conference.scheduling.explain import explain

    proposal = db.session.get(ScheduleProposal, proposal_id)
    if proposal is None or proposal.status != ProposalStatus.RUNNING:
        return {"status": proposal.status if proposal else "gone"}
    if proposal.cancel_requested:
        return _end(proposal, ProposalStatus.CANCELLED)
    doc = proposal.instance.document
    limit = int(proposal.options.get("time_limit", DEFAULT_TIME_LIMIT))
    reports = []  # the solver's better schedules, appended from its threads
    try:
        search = Search(doc, seed=0, workers=WORKERS, on_progress=reports.append)
    except InstanceError as exc:
        proposal.reasons = [f"The instance is malformed: {exc.message}"]
        return _end(proposal, ProposalStatus.FAILED)
    proposal.progress = {}
    progress(0, limit, "Looking for a first schedule…")
    db.session.commit()
    outcome = {}
    solver = threading.Thread(
        target=lambda: outcome.setdefault("result", search.run(limit)),
        name=f"proposal-{proposal_id}",
        daemon=True,
    )
    started = time.monotonic()
    solver.start()
    try:
        while solver.is_alive():
            solver.join(REPORT_SECONDS)
            seconds = time.monotonic() - started
            if reports:
                best = reports[-1]
                proposal.progress = {**_progress_json(best), "elapsed": round(seconds, 1)}
                message = f"Best so far: objective {best.objective} after {best.seconds:.1f} s"
            else:
                proposal.progress = {"elapsed": round(seconds, 1)}
                message = "Looking for a first schedule…"
            progress(min(limit, int(seconds)), limit, message)
            if _cancel_requested(proposal_id):
                search.stop()
    finally:
        search.stop()
        solver.join()
    result = outcome["result"]
    if result.objective is not None:
        proposal.progress = {
            "seconds": round(result.seconds, 2),
            "objective": result.objective,
            "terms": result.terms,
            "bound": result.bound,
            "first_solution_seconds": result.first_solution_seconds,
        }
    if result.status == CANCELLED or _cancel_requested(proposal_id):
        return _end(proposal, ProposalStatus.CANCELLED)
    if result.status == INFEASIBLE or result.solution is None:
        names = names_of(doc, people_names(proposal.event_id, doc))
        proposal.reasons = reasons_in_words(result.reasons, names) or [
            "No valid schedule was found within the time limit: try a longer one."
        ]
        return _end(proposal, ProposalStatus.FAILED)
    before = {t: (b, r) for t, b, r in proposal.options.get("before", [])}
    solution = in_running_order(doc, result.solution, before, proposal.options.get("starts", {}))
    after = placement_of(solution["placements"])
    proposal.solution = solution
    proposal.explanation = explain(doc, solution)
    proposal.summary = _summary_json(compare(doc, before, after))
    return _end(proposal, ProposalStatus.READY)


def _end(proposal, status: ProposalStatus) -> dict:
    proposal.status = status
    proposal.finished_at = utcnow()
    db.session.flush()
    return {"status": str(status), "objective": proposal.progress.get("objective")}


def _summary_json(comparison: Comparison) -> dict:
    return {
        "before": asdict(comparison.before),
        "after": asdict(comparison.after),
        "moved": [
            {"talk": m["talk"], "from": list(m["from"]) if m["from"] else None, "to": list(m["to"])}
            for m in comparison.moved
        ],
        "talks": comparison.talks,
    }


def _summary(data: dict) -> Comparison:
    return Comparison(
        Side(**data["before"]),
        Side(**data["after"]),
        [
            {
                "talk": m["talk"],
                "from": tuple(m["from"]) if m["from"] else None,
                "to": tuple(m["to"]),
            }
            for m in data["moved"]
        ],
        data["talks"],
    )


# Following, cancelling, deciding ----------------------------------------------------------


def find_proposal(event, proposal_id: int) -> ScheduleProposal:
    """The event's proposal of this id, or NotFound."""
    proposal = db.session.get(ScheduleProposal, proposal_id)
    if proposal is None or proposal.event_id != event.id:
        raise NotFound("No such proposal for this event.")
    return proposal


def follow(proposal: ScheduleProposal) -> ScheduleProposal:
    """The proposal as its job left it: a running proposal whose job failed, or whose
    worker died (its lease ran out), has failed, saying so. Flushes."""
    if proposal.status != ProposalStatus.RUNNING:
        return proposal
    record = db.session.get(Job, proposal.job_id) if proposal.job_id else None
    if record is not None:
        reap_if_dead(record)
    if record is None or record.status in (JobStatus.FAILED, JobStatus.FINISHED):
        # FINISHED with the proposal still running: the job's own writes were lost.
        why = (record.error or record.notice) if record is not None else ""
        proposal.reasons = [
            "The solver stopped before it finished"
            + (f": {why}" if why else ".")
            + " The draft is as it was; propose again."
        ]
        proposal.status = ProposalStatus.FAILED
        proposal.finished_at = utcnow()
        db.session.flush()
    return proposal


def cancel_proposal(event, proposal: ScheduleProposal) -> bool:
    """Ask the job to stop (it does within a second); False when it had ended already.
    The draft is untouched either way. Flushes."""
    follow(proposal)
    if proposal.status != ProposalStatus.RUNNING:
        return False
    proposal.cancel_requested = True
    db.session.flush()
    return True


def _decidable(proposal) -> None:
    follow(proposal)
    if proposal.status == ProposalStatus.RUNNING:
        raise ValidationError("The proposal is still being computed: wait for it, or cancel it.")
    if proposal.status != ProposalStatus.READY:
        raise ValidationError(
            {
                ProposalStatus.ACCEPTED: "This proposal is in the draft already.",
                ProposalStatus.DISCARDED: "This proposal was discarded.",
                ProposalStatus.CANCELLED: "This proposal was cancelled: nothing to accept.",
                ProposalStatus.FAILED: "This proposal found no schedule: nothing to accept.",
            }[ProposalStatus(proposal.status)]
        )


def accept_proposal(event, proposal: ScheduleProposal, user=None) -> Applied:
    """Read the proposal into the draft (one session per block and room, titled after its
    track, talks in order, chairs kept where still valid); refused, nothing changed, with
    what changed when the agenda changed since it was made. Nothing is published. Flushes."""
    _decidable(proposal)
    try:
        applied = apply_solution(event, proposal.solution)
    except SolutionRefused as exc:
        raise SolutionRefused(
            "The agenda changed since this proposal was made, so it was not accepted and "
            "nothing was changed. Propose again to take the changes into account."
            if "changed since" in exc.message
            else exc.message,
            exc.problems,
        ) from None
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_at = utcnow()
    proposal.decided_by = getattr(user, "id", None)
    db.session.flush()
    return applied


def discard_proposal(event, proposal: ScheduleProposal, user=None) -> None:
    """Set the proposal aside; the draft stays as it is. Flushes."""
    _decidable(proposal)
    proposal.status = ProposalStatus.DISCARDED
    proposal.decided_at = utcnow()
    proposal.decided_by = getattr(user, "id", None)
    db.session.flush()


def latest_open_proposal(event) -> ScheduleProposal | None:
    """The latest proposal still running or waiting for a decision, if any."""
    proposal = db.session.scalar(
        select(ScheduleProposal)
        .where(ScheduleProposal.event_id == event.id, ScheduleProposal.status.in_(OPEN))
        .order_by(ScheduleProposal.id.desc())
        .limit(1)
    )
    return follow(proposal) if proposal is not None else None


# What the pages show --------------------------------------------------------------------


def progress_json(proposal: ScheduleProposal) -> dict:
    """What the proposal page polls while the job runs."""
    p = proposal.progress or {}
    return {
        "id": proposal.id,
        "status": proposal.status,
        "cancel_requested": proposal.cancel_requested,
        "time_limit": proposal.options.get("time_limit"),
        "elapsed": p.get("elapsed", p.get("seconds")),  # seconds the search has run
        "seconds": p.get("seconds"),
        "objective": p.get("objective"),
        "terms": p.get("terms"),
        "bound": p.get("bound"),
        "reasons": proposal.reasons,
    }


@dataclass
class Row:
    """One room of one block, as the draft has it and as proposed."""

    room: str
    capacity: int
    now_tracks: list[str]
    now_talks: list[dict]  # {title, moved}
    proposed_tracks: list[str]
    proposed_talks: list[dict]  # {title, moved, from}


@dataclass
class ProposalPage:
    """A proposal beside the draft, with names and event times."""

    comparison: Comparison | None
    moved: list[dict]  # {title, from, to}
    blocks: list[tuple[str, list[Row]]]
    explanation: dict
    reasons: list[str]
    changed: list[str]  # what changed in the agenda since it was made
    draft_conflicts: int  # the draft's attendee conflicts now
    tracks: list[dict]  # {track, before, after}


def proposal_page(event, proposal: ScheduleProposal) -> ProposalPage:
    """What the proposal page shows: for a ready one the draft beside the proposal, the
    figures and the explanations; what changed since, when accepting would be refused."""
    doc = proposal.instance.document
    names = names_of(doc, people_names(event.id, doc))
    page = ProposalPage(
        comparison=None,
        moved=[],
        blocks=[],
        explanation={},
        reasons=proposal.reasons or [],
        changed=[],
        draft_conflicts=draft_attendee_conflicts(event),
        tracks=[],
    )
    if proposal.status not in (ProposalStatus.READY, ProposalStatus.ACCEPTED):
        return page
    comparison = _summary(proposal.summary)
    page.comparison = comparison

    def where(place):
        return f"{names[place[0]]}, {names[place[1]]}" if place else "not placed"

    page.moved = [
        {"title": names[m["talk"]], "from": where(m["from"]), "to": where(m["to"])}
        for m in comparison.moved
    ]
    moved = {m["talk"]: m for m in comparison.moved}
    before = {t: (b, r) for t, b, r in proposal.options.get("before", [])}
    starts = proposal.options.get("starts", {})
    after = placement_of(proposal.solution["placements"])
    now = sessions(doc, before, sorted(before, key=lambda t: starts.get(t, "")))
    proposed = sessions(doc, after, [p["talk"] for p in proposal.solution["placements"]])
    capacity = {r["id"]: r["capacity"] for r in doc["rooms"]}
    for b in doc["blocks"]:
        rows = []
        for r in doc["rooms"]:
            was, will = now.get((b["id"], r["id"])), proposed.get((b["id"], r["id"]))
            if was is None and will is None:
                continue
            rows.append(
                Row(
                    room=names[r["id"]],
                    capacity=capacity[r["id"]],
                    now_tracks=[names[k] for k in was.tracks] if was else [],
                    now_talks=[
                        {"title": names[t], "moved": t in moved} for t in (was.talks if was else [])
                    ],
                    proposed_tracks=[names[k] for k in will.tracks] if will else [],
                    proposed_talks=[
                        {
                            "title": names[t],
                            "moved": t in moved,
                            "from": where(moved[t]["from"]) if t in moved else "",
                        }
                        for t in (will.talks if will else [])
                    ],
                )
            )
        page.blocks.append((names[b["id"]], rows))
    page.explanation = explained(proposal.explanation or {}, names)
    tracks = sorted(
        set(comparison.before.rooms_per_track) | set(comparison.after.rooms_per_track),
        key=lambda k: names.get(k, k),
    )
    page.tracks = [
        {
            "track": names.get(k, k),
            "before": comparison.before.rooms_per_track.get(k, 0),
            "after": comparison.after.rooms_per_track.get(k, 0),
        }
        for k in tracks
    ]
    if proposal.status == ProposalStatus.READY:
        page.changed = changed_since_export(event, proposal.instance)
    return page


def weight_defaults() -> dict:
    """The weights a proposal starts from, with what each counts."""
    return {term: (DEFAULT_WEIGHTS[term], *WEIGHTS[term]) for term in DEFAULT_WEIGHTS}
