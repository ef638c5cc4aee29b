"""Delegates' interests: the talks each delegate wants to hear.

Before the agenda is published, delegates mark accepted papers (their talks) through
their management link or their account; once it is published, also beside each talk of
their personal agenda. Proposals of parallel sessions keep the talks one delegate wants
in as few rooms of a block as they can, and size rooms by the demand (instances.py).

Decisions:
- An interest is a (registration, talk) pair: the talk is what is scheduled, and the talk
  of an accepted paper is the paper's (``Paper.talk``). Talks in parallel sessions that
  are no paper (an organiser's own) can be marked too.
- Every registration not cancelled or rejected may mark talks; only confirmed delegates'
  interests count in the demand and in the proposals, as only their sign-ups take places.
- Marking is idempotent: the form says "interested" or "not interested", never "toggle",
  so a form sent twice changes nothing the second time.
- The organisers' CSV import is all or nothing: every row is checked first, and one bad
  row refuses the file with every problem listed by line, so that the file can be fixed
  and sent again whole (a half-imported file would leave the organiser to find which rows
  went in). Rows already marked are counted, not refused.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from conference.agenda.blocks import PARALLEL
from conference.agenda.draft import WITHDRAWN
from conference.agenda.models import AgendaSession, Talk, TalkInterest
from conference.agenda.rows import one_line
from conference.errors import NotFound, ValidationError
from conference.extensions import db
from conference.ids import is_id
from conference.papers.models import Paper, PaperStatus
from conference.registration.models import STATUS_LABELS, Registration, RegistrationStatus

MAX_IMPORT_ROWS = 200_000
EMAIL_COLUMNS = ("email", "e-mail", "delegate_email", "delegate_e-mail")
PAPER_COLUMNS = ("paper", "paper_id", "title", "paper_title")
NO_TRACK = "Other talks"


def can_mark_interests(registration: Registration) -> bool:
    """Whether the delegate marks talks: every registration not cancelled or rejected."""
    return registration.status not in WITHDRAWN


def _open_talk_ids(event) -> set[int]:
    """Talks that take interests: those of accepted papers and those in parallel sessions."""
    papers = db.session.scalars(
        select(Paper.talk_id).where(
            Paper.event_id == event.id,
            Paper.status == PaperStatus.ACCEPTED,
            Paper.talk_id.is_not(None),
        )
    )
    placed = db.session.scalars(
        select(Talk.id)
        .join(AgendaSession, AgendaSession.id == Talk.session_id)
        .where(Talk.event_id == event.id, AgendaSession.kind == PARALLEL)
    )
    return set(papers) | set(placed)


def find_open_talk(event, talk_id) -> Talk:
    """A talk of the event that delegates may mark, or NotFound."""
    talk = db.session.get(Talk, talk_id) if is_id(talk_id) else None
    if talk is None or talk.event_id != event.id or talk.id not in _open_talk_ids(event):
        raise NotFound("There is no such talk in this event's programme.")
    return talk


@dataclass
class Offered:
    """A talk as the interests page lists it."""

    talk_id: int
    title: str
    abstract: str
    authors: str  # "Hà Trung Chiến (Son La City People's Committee), …"
    paper_id: int | None = None


@dataclass
class TrackGroup:
    name: str
    colour: str
    talks: list[Offered] = field(default_factory=list)


def offered_talks(event) -> list[TrackGroup]:
    """The talks delegates may mark, grouped by track (tracks by name, the talks without
    one last), each track's talks by title."""
    papers = db.session.scalars(
        select(Paper)
        .where(
            Paper.event_id == event.id,
            Paper.status == PaperStatus.ACCEPTED,
            Paper.talk_id.is_not(None),
        )
        .options(selectinload(Paper.authors), selectinload(Paper.track), selectinload(Paper.talk))
    ).all()
    groups: dict = {}

    def group(track) -> TrackGroup:
        key = track.id if track else None
        if key not in groups:
            groups[key] = TrackGroup(
                track.name if track else NO_TRACK, track.colour if track else ""
            )
        return groups[key]

    for paper in papers:
        authors = ", ".join(
            f"{a.name} ({a.organisation})" if a.organisation else a.name for a in paper.authors
        )
        group(paper.track).talks.append(
            Offered(paper.talk_id, paper.talk.title, paper.talk.abstract, authors, paper.id)
        )
    with_paper = {p.talk_id for p in papers}
    others = db.session.scalars(
        select(Talk)
        .join(AgendaSession, AgendaSession.id == Talk.session_id)
        .where(Talk.event_id == event.id, AgendaSession.kind == PARALLEL)
        .options(
            selectinload(Talk.presenters),
            selectinload(Talk.session).selectinload(AgendaSession.track),
        )
    ).all()
    for talk in others:
        if talk.id in with_paper:
            continue
        authors = ", ".join(
            f"{p.display_name} ({p.organisation})" if p.organisation else p.display_name
            for p in talk.presenters
        )
        group(talk.session.track).talks.append(Offered(talk.id, talk.title, talk.abstract, authors))
    ordered = sorted(groups.values(), key=lambda g: (g.name == NO_TRACK, g.name.casefold()))
    for g in ordered:
        g.talks.sort(key=lambda o: (o.title.casefold(), o.talk_id))
    return ordered


def interests_of(registration: Registration) -> set[int]:
    """The ids of the talks this delegate wants to hear."""
    return set(
        db.session.scalars(
            select(TalkInterest.talk_id).where(TalkInterest.registration_id == registration.id)
        )
    )


def set_interest(registration: Registration, talk: Talk, wanted: bool) -> bool:
    """Mark (``wanted``) or unmark a talk for this delegate; True when something changed."""
    if talk.event_id != registration.event_id:
        raise NotFound("There is no such talk in this event's programme.")
    if not can_mark_interests(registration):
        raise ValidationError(
            "Your registration is "
            f"{STATUS_LABELS[registration.status].lower()}: there is nothing to choose."
        )
    existing = db.session.scalar(
        select(TalkInterest).where(
            TalkInterest.registration_id == registration.id, TalkInterest.talk_id == talk.id
        )
    )
    if wanted and existing is None:
        db.session.add(TalkInterest(registration_id=registration.id, talk_id=talk.id))
    elif not wanted and existing is not None:
        db.session.delete(existing)
    else:
        return False
    db.session.flush()
    return True


# Demand ----------------------------------------------------------------------------------


def confirmed_interests(event) -> dict[int, list[int]]:
    """Each confirmed delegate's talks: {registration id: [talk id, …]}, for the proposals."""
    rows = db.session.execute(
        select(TalkInterest.registration_id, TalkInterest.talk_id)
        .join(Registration, Registration.id == TalkInterest.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(TalkInterest.registration_id, TalkInterest.talk_id)
    )
    found: dict[int, list[int]] = defaultdict(list)
    for registration_id, talk_id in rows:
        found[registration_id].append(talk_id)
    return dict(found)


@dataclass
class Demand:
    """A talk with how many delegates want to hear it, and where it is in the draft."""

    talk: Talk
    paper_id: int | None
    track: str
    confirmed: int  # confirmed delegates: what the proposals count
    others: int  # pending, on the waiting list: they count once confirmed
    session: AgendaSession | None

    @property
    def capacity(self) -> int | None:
        return self.session.effective_capacity if self.session else None

    @property
    def overflow(self) -> int:
        """Delegates more than its room holds (0 when it fits, or is not placed)."""
        return max(0, self.confirmed - self.capacity) if self.capacity is not None else 0


def demand(event) -> list[Demand]:
    """Every talk that takes interests, most wanted first."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = db.session.execute(
        select(TalkInterest.talk_id, Registration.status, func.count(TalkInterest.id))
        .join(Registration, Registration.id == TalkInterest.registration_id)
        .where(Registration.event_id == event.id)
        .group_by(TalkInterest.talk_id, Registration.status)
    )
    for talk_id, status, count in rows:
        if status == RegistrationStatus.CONFIRMED:
            counts[talk_id][0] += count
        elif status not in WITHDRAWN:
            counts[talk_id][1] += count
    ids = _open_talk_ids(event)
    talks = (
        db.session.scalars(
            select(Talk)
            .where(Talk.id.in_(ids))
            .options(
                selectinload(Talk.session).selectinload(AgendaSession.room),
                selectinload(Talk.session).selectinload(AgendaSession.track),
            )
        ).all()
        if ids
        else []
    )
    papers = (
        {
            p.talk_id: p
            for p in db.session.scalars(
                select(Paper)
                .where(Paper.event_id == event.id, Paper.talk_id.in_(ids))
                .options(selectinload(Paper.track))
            )
        }
        if ids
        else {}
    )
    found = []
    for talk in talks:
        paper = papers.get(talk.id)
        track = (
            paper.track
            if paper is not None and paper.track
            else (talk.session.track if talk.session else None)
        )
        confirmed, others = counts[talk.id] if talk.id in counts else (0, 0)
        found.append(
            Demand(
                talk,
                paper.id if paper else None,
                track.name if track else "",
                confirmed,
                others,
                talk.session,
            )
        )
    found.sort(key=lambda d: (-d.confirmed, -d.others, d.talk.title.casefold(), d.talk.id))
    return found


# The organisers' import ------------------------------------------------------------------


@dataclass
class ImportProblem:
    line: int
    message: str


class InterestImportRefused(ValidationError):
    """The file is refused whole: ``problems`` lists every bad row by line."""

    def __init__(self, problems: list[ImportProblem]):
        count = len(problems)
        rows = "row has a problem" if count == 1 else "rows have problems"
        super().__init__(
            f"Nothing was imported: {count} {rows}. Correct the file and upload it again."
        )
        self.problems = problems


@dataclass
class ImportResult:
    rows: int
    added: int
    already: int  # rows the delegate had marked already
    delegates: int


def _column(header: list[str], names) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def read_interest_rows(content: bytes) -> list[tuple[int, str, str]]:
    """(line, e-mail, paper) for each non-empty row of a CSV file whose first row names an
    e-mail column and a paper column; refused whole when the file cannot be read."""
    if not content:
        raise ValidationError("The file is empty.", field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”.", field="file"
        ) from None
    if "\x00" in text:
        raise ValidationError("This does not look like a CSV file.", field="file")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [str(h).strip().lower().replace(" ", "_") for h in next(reader, [])]
        email_at, paper_at = _column(header, EMAIL_COLUMNS), _column(header, PAPER_COLUMNS)
        if email_at is None or paper_at is None:
            raise ValidationError(
                "The first row must name the columns: “email” (the delegate's address) and "
                "“paper” (the paper's id or its title).",
                field="file",
            )
        rows = []
        for line, raw in enumerate(reader, start=2):
            values = [str(v).strip() for v in raw]
            email = values[email_at] if email_at < len(values) else ""
            paper = values[paper_at] if paper_at < len(values) else ""
            if not email and not paper:
                continue
            rows.append((line, email, paper))
            if len(rows) > MAX_IMPORT_ROWS:
                raise ValidationError(f"At most {MAX_IMPORT_ROWS:,} rows per file.", field="file")
    except csv.Error as exc:
        raise ValidationError(f"The CSV file is malformed: {exc}.", field="file") from None
    if not rows:
        raise ValidationError("The file has a header row but no interests.", field="file")
    return rows


def _title_key(title: str) -> str:
    return one_line(title).casefold()


def import_interests(event, content: bytes) -> ImportResult:
    """Mark the talks the file names for the delegates it names: every row or none
    (``InterestImportRefused`` lists every problem)."""
    rows = read_interest_rows(content)
    people = {
        email: (rid, status)
        for rid, email, status in db.session.execute(
            select(Registration.id, Registration.email, Registration.status).where(
                Registration.event_id == event.id
            )
        )
    }
    papers = db.session.scalars(select(Paper).where(Paper.event_id == event.id)).all()
    by_id = {p.id: p for p in papers}
    by_title: dict[str, list[Paper]] = defaultdict(list)
    for p in papers:
        by_title[_title_key(p.title)].append(p)
    problems, wanted = [], []
    for line, email, value in rows:
        errors = []
        person = people.get(email.lower())
        if not email:
            errors.append("no e-mail address")
        elif person is None:
            errors.append(f"no registration for {email}")
        elif person[1] in WITHDRAWN:
            errors.append(f"{email} is {STATUS_LABELS[person[1]].lower()}")
        paper = None
        if not value:
            errors.append("no paper")
        elif value.isdigit():
            paper = by_id.get(int(value))
            if paper is None:
                errors.append(f"no paper {value} in this event")
        else:
            matches = by_title.get(_title_key(value), [])
            if len(matches) > 1:
                ids = ", ".join(str(p.id) for p in matches)
                errors.append(f"several papers are called “{value}” (ids {ids}): give the id")
            elif matches:
                paper = matches[0]
            else:
                errors.append(f"no paper called “{value}”")
        if paper is not None and (paper.status != PaperStatus.ACCEPTED or paper.talk_id is None):
            status = (
                "" if paper.status == PaperStatus.REJECTED else f" ({paper.status_label.lower()})"
            )
            errors.append(f"“{paper.title}” is not accepted{status}")
        if errors:
            message = "; ".join(errors)
            problems.append(ImportProblem(line, message[0].upper() + message[1:] + "."))
        else:
            wanted.append((person[0], paper.talk_id))
    if problems:
        raise InterestImportRefused(problems)
    existing = {
        (registration_id, talk_id)
        for registration_id, talk_id in db.session.execute(
            select(TalkInterest.registration_id, TalkInterest.talk_id)
            .join(Registration, Registration.id == TalkInterest.registration_id)
            .where(Registration.event_id == event.id)
        )
    }
    new = list(dict.fromkeys(pair for pair in wanted if pair not in existing))
    if new:
        db.session.execute(
            insert(TalkInterest), [{"registration_id": r, "talk_id": t} for r, t in new]
        )
    return ImportResult(
        rows=len(rows),
        added=len(new),
        already=len(wanted) - len(new),
        delegates=len({r for r, _ in wanted}),
    )
