"""Decisions: accepting, rejecting or asking for a revision, and the talks accepted
papers become.

An accepted paper becomes one talk waiting to be placed (no session). Accepting again
reuses it, refreshing its title, abstract and presenters. Rejecting or asking for a
revision after acceptance deletes the talk while it is not yet placed; once an organiser
has placed it in a session, that change is refused until the talk is taken out of the
agenda, so the programme never loses a talk silently.
"""

from datetime import datetime

from conference.agenda.models import Talk
from conference.agenda.publishing import latest_publication
from conference.auth.models import User
from conference.dbtypes import utcnow
from conference.errors import ValidationError
from conference.extensions import db
from conference.papers.authors import link_registrations, notify_authors
from conference.papers.calls import call_for
from conference.papers.models import Paper, PaperStatus
from conference.papers.reviewing import COMMENT_LIMIT, comments_for_authors
from conference.registration.models import Registration
from conference.registration.validation import clean_long_text

DECISIONS = {
    "accept": PaperStatus.ACCEPTED,
    "reject": PaperStatus.REJECTED,
    "revise": PaperStatus.REVISE,
}
DECISION_SUBJECTS = {
    "accept": "Your paper is accepted",
    "reject": "Your paper was not accepted",
    "revise": "Your paper: a revision is requested",
}


def can_decide(paper: Paper) -> bool:
    """Organisers may decide (or decide again) on any paper its authors have not withdrawn."""
    return paper.status != PaperStatus.WITHDRAWN


def _presenters(paper: Paper) -> list[Registration]:
    link_registrations(paper)
    ids = [a.registration_id for a in paper.authors if a.is_presenting and a.registration_id]
    return [db.session.get(Registration, rid) for rid in ids]


def _accept_as_talk(paper: Paper) -> Talk:
    talk = paper.talk
    if talk is None:
        talk = Talk(
            event_id=paper.event_id,
            session_id=None,
            duration_minutes=call_for(paper.event).talk_minutes,
        )
        db.session.add(talk)
        paper.talk = talk
    talk.title, talk.abstract = paper.title, paper.abstract
    talk.presenters = _presenters(paper)
    return talk


def _drop_talk(paper: Paper) -> None:
    talk = paper.talk
    if talk is None:
        return
    if talk.session_id is not None:
        raise ValidationError(
            f"“{paper.title}” is placed in the session “{talk.session.title}”: take it out "
            "of the agenda first.",
            field="decision",
        )
    paper.talk = None
    db.session.delete(talk)


def decide(
    paper: Paper,
    decision: str,
    note: str,
    by: User | None,
    *,
    now: datetime | None = None,
    notify: bool = True,
) -> Paper:
    """Accept, reject or ask for a revision; every author is told by e-mail (unless
    ``notify`` is false: an import or the demo). An accepted paper becomes one talk waiting
    to be placed in the agenda."""
    if decision not in DECISIONS:
        raise ValidationError("Decide accept, reject or revise.", field="decision")
    if not can_decide(paper):
        raise ValidationError("The paper is withdrawn: there is nothing to decide.")
    status = DECISIONS[decision]
    if paper.status == status:
        raise ValidationError(
            f"“{paper.title}” is {status.label.lower()} already.", field="decision"
        )
    note = clean_long_text(note)
    if len(note) > COMMENT_LIMIT:
        raise ValidationError(f"Keep the note under {COMMENT_LIMIT:,} characters.", field="note")
    if decision == "revise" and not note:
        raise ValidationError("Tell the authors what to revise.", field="note")
    if decision == "accept":
        _accept_as_talk(paper)
    else:
        _drop_talk(paper)
    paper.status, paper.decision_note = status, note
    paper.decided_at, paper.decided_by_id = now or utcnow(), getattr(by, "id", None)
    db.session.flush()
    if not notify:
        return paper
    notify_authors(
        paper,
        "paper_decision",
        DECISION_SUBJECTS[decision],
        decision=decision,
        note=note,
        comments=comments_for_authors(paper),
    )
    return paper


def published_slot(paper: Paper) -> dict | None:
    """Where the paper's talk is in the latest published programme, if it is there:
    its session's title, room and start."""
    publication = latest_publication(paper.event) if paper.talk_id else None
    if publication is None:
        return None
    for session in publication.snapshot.get("sessions", []):
        for talk in session["talks"]:
            if talk["id"] == paper.talk_id:
                starts = datetime.fromisoformat(talk["starts_at"] or session["starts_at"])
                return {"session": session["title"], "room": session["room"], "starts_at": starts}
    return None
