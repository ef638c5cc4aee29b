"""The rules of calls for papers and submissions: dates, authors, versions, withdrawal, access.

Uploads arrive as a received file (``conference/papers/uploads.receive`` returns one): any
object with ``key``, ``size``, ``sha256``, ``filename``, ``kind`` and ``mime_type``. The
file is stored before these services run, so a route that gets a ValidationError from
``submit`` or ``add_version`` deletes the stored file; it can call ``check_can_submit`` or
``check_can_upload`` first, to refuse before receiving anything, and ``check_submission``
to report every problem with what the presenter typed at once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import selectinload

from conference.agenda.models import Track
from conference.dbtypes import utcnow
from conference.errors import NotFound, PermissionDenied, ValidationError
from conference.extensions import db
from conference.formatting import format_datetime
from conference.localtime import to_utc
from conference.mail.services import queue_templated_mail
from conference.papers.filetypes import DEFAULT_KINDS, KINDS
from conference.papers.models import (
    DEFAULT_MAX_BYTES,
    CallForPapers,
    Paper,
    PaperAuthor,
    PaperVersion,
    Review,
    ReviewAssignment,
    ReviewCriterion,
)
from conference.papers.quotas import check_quota, check_room_left, lock_uploader
from conference.papers.uploads import format_size
from conference.registration.models import Registration
from conference.registration.validation import clean_long_text, clean_text, fold, normalise_email

MAX_AUTHORS = 30
MAX_CRITERIA = 20
# Papers still open: reviewed, decided on, withdrawn by their authors.
EDITABLE = ("submitted", "under_review", "revise")


# The call ----------------------------------------------------------------------------


@dataclass
class CriterionDetails:
    """One review criterion as an organiser describes it."""

    name: str
    max_score: int = 5
    weight: int = 1
    description: str = ""


@dataclass
class CallDetails:
    """What an organiser says about the call; times are event-local (naive) or aware."""

    opens_at: datetime
    closes_at: datetime
    edit_deadline: datetime | None = None
    allowed_kinds: tuple[str, ...] = tuple(DEFAULT_KINDS)
    max_bytes: int = DEFAULT_MAX_BYTES
    abstract_word_limit: int = 300
    anonymous_review: bool = False
    talk_minutes: int = 15
    topic_ids: tuple[int, ...] = ()
    criteria: tuple[CriterionDetails, ...] = ()


def call_for(event) -> CallForPapers | None:
    """The event's call for papers, if it has one."""
    return db.session.scalar(select(CallForPapers).where(CallForPapers.event_id == event.id))


def _whole(value, low: int, high: int, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{what} must be a whole number from {low} to {high}.", field=field)
    return value


def _clean_criteria(criteria) -> list[CriterionDetails]:
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(f"Use at most {MAX_CRITERIA} criteria.", field="criteria")
    cleaned, seen = [], set()
    for n, criterion in enumerate(criteria):
        name = clean_text(criterion.name)
        if not name or len(name) > 100:
            raise ValidationError(
                "Give each criterion a name of at most 100 characters.", field=f"criteria-{n}-name"
            )
        if fold(name) in seen:
            raise ValidationError(f"“{name}” is listed twice.", field=f"criteria-{n}-name")
        seen.add(fold(name))
        cleaned.append(
            CriterionDetails(
                name=name,
                max_score=_whole(
                    criterion.max_score, 1, 100, f"criteria-{n}-max_score", "The highest score"
                ),
                weight=_whole(criterion.weight, 1, 100, f"criteria-{n}-weight", "The weight"),
                description=clean_long_text(criterion.description),
            )
        )
    return cleaned


def _reviews_exist(event) -> bool:
    return db.session.scalar(
        select(
            exists()
            .where(Review.assignment_id == ReviewAssignment.id)
            .where(ReviewAssignment.paper_id == Paper.id)
            .where(Paper.event_id == event.id)
        )
    )


def save_call(event, details: CallDetails) -> CallForPapers:
    """Create or change the event's call for papers.

    Criteria can be renamed or reweighted only while no review is in: scores already given
    would otherwise be read against a different scale. Descriptions may always change.
    """
    opens = to_utc(details.opens_at, event.tz, field="opens_at")
    closes = to_utc(details.closes_at, event.tz, field="closes_at")
    if closes <= opens:
        raise ValidationError("The call must close after it opens.", field="closes_at")
    edit_deadline = None
    if details.edit_deadline is not None:
        edit_deadline = to_utc(details.edit_deadline, event.tz, field="edit_deadline")
        if edit_deadline < closes:
            raise ValidationError(
                "The deadline for new versions cannot be before the call closes.",
                field="edit_deadline",
            )
    kinds = list(dict.fromkeys(details.allowed_kinds))
    if not kinds:
        raise ValidationError("Allow at least one type of file.", field="allowed_kinds")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValidationError(
            f"Unknown file type {unknown[0]!r}: choose from {', '.join(KINDS)}.",
            field="allowed_kinds",
        )
    server_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    top = server_limit or 2**31 - 1
    if isinstance(details.max_bytes, int) and details.max_bytes > top:
        raise ValidationError(
            f"This server accepts uploads of at most {format_size(top)}.", field="max_bytes"
        )
    max_bytes = _whole(details.max_bytes, 1, top, "max_bytes", "The size limit")
    word_limit = _whole(
        details.abstract_word_limit, 1, 10_000, "abstract_word_limit", "The word limit"
    )
    talk_minutes = _whole(details.talk_minutes, 1, 480, "talk_minutes", "The talk length")
    topics = []
    for track_id in dict.fromkeys(details.topic_ids):
        track = db.session.get(Track, track_id)
        if track is None or track.event_id != event.id:
            raise ValidationError("Choose topics among this event's tracks.", field="topic_ids")
        topics.append(track)
    criteria = _clean_criteria(details.criteria)

    call = call_for(event)
    old = [(c.name, c.max_score, c.weight) for c in call.criteria] if call else []
    new = [(c.name, c.max_score, c.weight) for c in criteria]
    if old != new and call is not None and _reviews_exist(event):
        raise ValidationError(
            "Reviews are in already: the criteria's names, scales and weights can no longer "
            "change (descriptions can).",
            field="criteria",
        )
    if call is None:
        call = CallForPapers(event_id=event.id)
        db.session.add(call)
    call.opens_at, call.closes_at, call.edit_deadline = opens, closes, edit_deadline
    call.allowed_kinds, call.max_bytes = kinds, max_bytes
    call.abstract_word_limit, call.talk_minutes = word_limit, talk_minutes
    call.anonymous_review = bool(details.anonymous_review)
    call.topics = topics
    if old == new:
        for existing, wanted in zip(call.criteria, criteria, strict=True):
            existing.description = wanted.description
    else:
        call.criteria = []
        db.session.flush()  # the old rows go first: names are unique per call
        call.criteria = [
            ReviewCriterion(
                name=c.name,
                description=c.description,
                max_score=c.max_score,
                weight=c.weight,
                position=n,
            )
            for n, c in enumerate(criteria)
        ]
    db.session.flush()
    return call


# Submissions -------------------------------------------------------------------------


@dataclass
class AuthorDetails:
    name: str
    organisation: str
    email: str
    presenting: bool = False


@dataclass
class SubmissionDetails:
    """What a presenter says about their paper; the authors in the order they are credited."""

    title: str
    abstract: str
    track_id: int | None = None
    authors: list[AuthorDetails] = field(default_factory=list)


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of characters between spaces."""
    return len((text or "").split())


def _clean_author(n: int, author: AuthorDetails, seen: set[str]) -> AuthorDetails:
    name, organisation = clean_text(author.name), clean_text(author.organisation)
    if not name or len(name) > 200:
        raise ValidationError(
            f"Author {n + 1}: enter a name of at most 200 characters.",
            field=f"authors-{n}-name",
        )
    if not organisation or len(organisation) > 200:
        raise ValidationError(
            f"Author {n + 1}: enter the organisation (“Independent” if none), at most "
            "200 characters.",
            field=f"authors-{n}-organisation",
        )
    email, problem = normalise_email(author.email)
    if problem or len(email) > 254:
        raise ValidationError(
            f"Author {n + 1}: {problem or 'this e-mail address is too long.'}",
            field=f"authors-{n}-email",
        )
    if email in seen:
        raise ValidationError(
            f"Author {n + 1}: {email} is listed twice.", field=f"authors-{n}-email"
        )
    seen.add(email)
    return AuthorDetails(name, organisation, email, bool(author.presenting))


def _clean_authors(event, authors, problems: list[ValidationError]) -> list[AuthorDetails]:
    """The authors cleaned; each row's first problem, and the presenter's, added to
    ``problems``. Rows are numbered as given (a form maps them back to its own rows)."""
    if not authors:
        problems.append(ValidationError("Name at least one author.", field="authors"))
        return []
    if len(authors) > MAX_AUTHORS:
        problems.append(ValidationError(f"Name at most {MAX_AUTHORS} authors.", field="authors"))
        return []
    cleaned, seen = [], set()
    for n, author in enumerate(authors):
        try:
            cleaned.append(_clean_author(n, author, seen))
        except ValidationError as exc:
            problems.append(exc)
    presenting = sum(bool(a.presenting) for a in authors)
    if presenting != 1:
        problems.append(
            ValidationError(
                "Choose one presenting author."
                if not presenting
                else "Only one author can present.",
                field="authors",
            )
        )
        return cleaned
    presenter = next((a for a in cleaned if a.presenting), None)
    if presenter is None:
        return cleaned  # the presenting row's own problem is reported already
    # The presenter becomes a talk's presenter: a registration that holds a place.
    registration = _registration_by_email(event, presenter.email)
    if registration is None or not registration.holds_place:
        problems.append(
            ValidationError(
                f"The presenting author ({presenter.email}) must be registered for "
                f"{event.title} first, with a confirmed place or one awaiting approval.",
                field="authors",
            )
        )
    return cleaned


def _clean_title(title: str) -> str:
    title = clean_text(title)
    if not title:
        raise ValidationError("Give the paper a title.", field="title")
    if len(title) > 300:
        raise ValidationError("The title can be at most 300 characters.", field="title")
    return title


def _clean_abstract(call: CallForPapers, abstract: str) -> str:
    abstract = clean_long_text(abstract)
    if not abstract:
        raise ValidationError("Write an abstract.", field="abstract")
    words = word_count(abstract)
    if words > call.abstract_word_limit:
        raise ValidationError(
            f"The abstract has {words} words; the limit is {call.abstract_word_limit}.",
            field="abstract",
        )
    return abstract


def _clean_topic(call: CallForPapers, track_id: int | None):
    if track_id is None:
        if call.topics:
            raise ValidationError("Choose a topic.", field="track_id")
        return None
    track = next((t for t in call.topics if t.id == track_id), None)
    if track is None:
        raise ValidationError("Choose one of the call's topics.", field="track_id")
    return track


def _cleaned_submission(call: CallForPapers, details: SubmissionDetails):
    """((title, abstract, track, authors), every problem found), in the form's order."""
    problems: list[ValidationError] = []

    def checked(clean, *args):
        try:
            return clean(*args)
        except ValidationError as exc:
            problems.append(exc)
            return None

    title = checked(_clean_title, details.title)
    abstract = checked(_clean_abstract, call, details.abstract)
    track = checked(_clean_topic, call, details.track_id)
    authors = _clean_authors(call.event, details.authors, problems)
    return (title, abstract, track, authors), problems


def check_submission(call: CallForPapers, details: SubmissionDetails) -> list[ValidationError]:
    """Every problem with what a presenter wrote, all at once (none: an empty list), so a
    form can show them together before the file is received."""
    return _cleaned_submission(call, details)[1]


def _clean_submission(call: CallForPapers, details: SubmissionDetails):
    cleaned, problems = _cleaned_submission(call, details)
    if problems:
        raise problems[0]
    return cleaned


def _registration_by_email(event, email: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email == email)
    )


def link_registrations(paper: Paper) -> None:
    """Point each author at the event's registration with their e-mail, if there is one."""
    emails = [a.email for a in paper.authors]
    found = dict(
        db.session.execute(
            select(Registration.email, Registration.id).where(
                Registration.event_id == paper.event_id, Registration.email.in_(emails)
            )
        ).all()
    )
    for author in paper.authors:
        author.registration_id = found.get(author.email, author.registration_id)


def _check_file(call: CallForPapers, received) -> None:
    if received.kind not in call.allowed_kinds:
        accepted = ", ".join(k.upper() for k in call.allowed_kinds)
        raise ValidationError(
            f"This call accepts {accepted} files; “{received.filename}” is "
            f"{received.kind.upper() if received.kind else 'of another type'}.",
            field="file",
        )
    if received.size <= 0:
        raise ValidationError(f"“{received.filename}” is empty.", field="file")
    if received.size > call.max_bytes:
        raise ValidationError(
            f"“{received.filename}” is larger than {format_size(call.max_bytes)}, the limit.",
            field="file",
        )


def _format(event, moment: datetime) -> str:
    return format_datetime(moment, event.tz)


def check_can_submit(event, registration: Registration, *, now: datetime | None = None):
    """The open call this registration may submit to; ValidationError with the reason."""
    now = now or utcnow()
    if registration.event_id != event.id:
        raise PermissionDenied("You are not registered for this event.")
    call = call_for(event)
    if call is None:
        raise ValidationError(f"{event.title} has no call for papers.")
    if now < call.opens_at:
        raise ValidationError(f"The call for papers opens on {_format(event, call.opens_at)}.")
    if now >= call.closes_at:
        raise ValidationError(f"The call for papers closed on {_format(event, call.closes_at)}.")
    if registration.status in ("cancelled", "rejected"):
        raise ValidationError(
            f"Your registration is {registration.status_label.lower()}: you cannot submit papers."
        )
    check_room_left(None, registration)
    return call


def _add_version(paper: Paper, received, by: Registration | None, now: datetime):
    # One UPDATE bumps the counter and locks the paper's row until the commit, so two
    # uploads at the same moment get numbers one after the other (the unique constraint
    # on (paper, number) stands behind it).
    number = db.session.execute(
        update(Paper)
        .where(Paper.id == paper.id)
        .values(version_count=Paper.version_count + 1)
        .returning(Paper.version_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    db.session.expire(paper, ["version_count"])
    version = PaperVersion(
        paper_id=paper.id,
        number=number,
        storage_key=received.key,
        size=received.size,
        sha256=received.sha256,
        original_filename=(received.filename or "paper")[:255],
        kind=received.kind,
        mime_type=received.mime_type,
        uploaded_by_id=by.id if by is not None else None,
        uploaded_at=now,
    )
    db.session.add(version)
    db.session.flush()
    db.session.expire(paper, ["versions"])
    return version


def submit(
    event,
    registration: Registration,
    details: SubmissionDetails,
    first_file,
    *,
    now: datetime | None = None,
    notify: bool = True,
) -> Paper:
    """A new paper with its first version, while the call is open; every author is told
    (unless ``notify`` is false: an import or the demo)."""
    now = now or utcnow()
    call = check_can_submit(event, registration, now=now)
    title, abstract, track, authors = _clean_submission(call, details)
    _check_file(call, first_file)
    lock_uploader(registration)
    paper = Paper(
        event_id=event.id,
        submitter_id=registration.id,
        track=track,
        title=title,
        abstract=abstract,
        status="submitted",
        version_count=0,
        created_at=now,
        updated_at=now,
    )
    paper.authors = [
        PaperAuthor(
            position=n,
            name=a.name,
            organisation=a.organisation,
            email=a.email,
            is_presenting=a.presenting,
        )
        for n, a in enumerate(authors)
    ]
    db.session.add(paper)
    link_registrations(paper)
    db.session.flush()
    check_quota(_add_version(paper, first_file, registration, now), registration)
    if not notify:
        return paper
    notify_authors(
        paper,
        "paper_submitted",
        "Paper received",
        submitted_by=registration,
        edit_until=call.last_edit_at,
    )
    return paper


def is_author(paper: Paper, registration: Registration | None) -> bool:
    """The submitter, or a co-author whose registration has the author's e-mail address,
    once that address is verified (its management link opened from the e-mail): anyone
    can register with someone else's address, only its owner can read its mail. Only the
    address counts, not the author's link to a registration: that registration may have
    been made with the address by someone else, who then moved it to an address of theirs."""
    if registration is None or registration.event_id != paper.event_id:
        return False
    if paper.submitter_id == registration.id:
        return True
    return registration.email_verified_at is not None and any(
        a.email == registration.email for a in paper.authors
    )


def _require_author(paper: Paper, registration: Registration | None) -> None:
    if not is_author(paper, registration):
        raise PermissionDenied("Only the paper's authors can change it.")


def check_can_upload(paper: Paper, by: Registration, *, now: datetime | None = None) -> None:
    """Refuse (with the reason) when this person may not upload a new version now."""
    _require_author(paper, by)
    now = now or utcnow()
    if paper.status in ("withdrawn", "rejected"):
        raise ValidationError(f"The paper is {paper.status_label.lower()}: it cannot change.")
    call = call_for(paper.event)
    # After the deadline, only a paper the organisers asked to revise takes a new version.
    if paper.status != "revise" and now >= call.last_edit_at:
        raise ValidationError(
            "New versions could be uploaded until "
            f"{_format(paper.event, call.last_edit_at)}. Please write to the organisers.",
            field="file",
        )
    check_room_left(paper, by)


def add_version(
    paper: Paper, received_file, by: Registration, *, now: datetime | None = None
) -> PaperVersion:
    """Keep a new version of the paper's file, numbered after the last one, until the
    edit deadline. A paper sent back for revision goes back to its reviewers ("under
    review"), or to "submitted" when it has none."""
    now = now or utcnow()
    check_can_upload(paper, by, now=now)
    _check_file(call_for(paper.event), received_file)
    latest = paper.latest_version
    if latest is not None and latest.sha256 == received_file.sha256:
        raise ValidationError(
            f"This file is the same as version {latest.number}: nothing to add.", field="file"
        )
    lock_uploader(by)
    version = _add_version(paper, received_file, by, now)
    check_quota(version, by)
    if paper.status == "revise":
        paper.status = "under_review" if paper.assignments else "submitted"
    paper.updated_at = now
    db.session.flush()
    return version


def withdraw(paper: Paper, by: Registration, *, now: datetime | None = None) -> Paper:
    """An author withdraws the paper before a decision; its versions are kept.

    An accepted paper may already be in the programme, so withdrawing it is the
    organisers' work (they take its talk out of the agenda).
    """
    _require_author(paper, by)
    if paper.status == "withdrawn":
        raise ValidationError("The paper is withdrawn already.")
    if paper.status == "accepted":
        raise ValidationError(
            "The paper is accepted and part of the programme: please write to the organisers "
            "to withdraw it."
        )
    if paper.status == "rejected":
        raise ValidationError("The paper was not accepted: there is nothing to withdraw.")
    paper.status = "withdrawn"
    paper.withdrawn_at = now or utcnow()
    db.session.flush()
    return paper


# Reading -----------------------------------------------------------------------------


def get_paper(event, paper_id) -> Paper:
    """One paper of this event, or NotFound."""
    paper = db.session.get(Paper, paper_id)
    if paper is None or paper.event_id != event.id:
        raise NotFound("There is no such paper.")
    return paper


def papers_visible_to(registration: Registration) -> list[Paper]:
    """The papers a delegate submitted or is named on (by e-mail address, once it is
    verified: see ``is_author``)."""
    mine = Paper.submitter_id == registration.id
    if registration.email_verified_at is not None:
        named = select(PaperAuthor.paper_id).where(PaperAuthor.email == registration.email)
        mine = or_(mine, Paper.id.in_(named))
    return list(
        db.session.scalars(
            select(Paper)
            .where(Paper.event_id == registration.event_id, mine)
            .options(selectinload(Paper.authors), selectinload(Paper.versions))
            .order_by(Paper.created_at, Paper.id)
        )
    )


def event_papers(event, *, status: str | None = None, track_id: int | None = None):
    """The event's papers for organisers, oldest first, optionally of one status or topic."""
    query = (
        select(Paper)
        .where(Paper.event_id == event.id)
        .options(
            selectinload(Paper.authors),
            selectinload(Paper.versions),
            selectinload(Paper.track),
            selectinload(Paper.assignments).selectinload(ReviewAssignment.review),
        )
        .order_by(Paper.created_at, Paper.id)
    )
    if status:
        query = query.where(Paper.status == status)
    if track_id:
        query = query.where(Paper.track_id == track_id)
    return list(db.session.scalars(query))


# E-mails -----------------------------------------------------------------------------


def notify_authors(paper: Paper, template: str, subject: str, **context) -> int:
    """Queue ``templates/mail/<template>`` to the submitter and every author (once per
    address), each with their own management link when they are registered."""
    from conference.registration.services import emailed_manage_url

    event = paper.event
    recipients = {paper.submitter.email: (paper.submitter.display_name, paper.submitter)}
    for author in paper.authors:
        recipients.setdefault(author.email, (author.name, author.registration))
    for email, (name, registration) in recipients.items():
        queue_templated_mail(
            email,
            f"{subject} – {event.title}",
            template,
            event=event,
            paper=paper,
            name=name,
            address=email,
            link=emailed_manage_url(registration) if registration is not None else None,
            **context,
        )
    return len(recipients)
