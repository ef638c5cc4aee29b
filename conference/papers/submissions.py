"""Submissions: a paper's text and authors, its versions, and its withdrawal.

Uploads arrive as a received file (``conference/papers/uploads.receive`` returns one): any
object with ``key``, ``size``, ``sha256``, ``filename``, ``kind`` and ``mime_type``. The
file is stored before these services run, so a route that gets a ValidationError from
``submit`` or ``add_version`` deletes the stored file; it can call ``check_can_submit`` or
``check_can_upload`` first, to refuse before receiving anything, and ``check_submission``
to report every problem with what the presenter typed at once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update

from conference.dbtypes import utcnow
from conference.errors import ConferenceError, PermissionDenied, ValidationError
from conference.extensions import db
from conference.formatting import format_datetime
from conference.papers.authors import (
    link_registrations,
    notify_authors,
    registration_by_email,
    require_author,
)
from conference.papers.calls import call_for
from conference.papers.models import (
    DECIDED_STATUSES,
    OPEN_STATUSES,
    CallForPapers,
    Paper,
    PaperAuthor,
    PaperStatus,
    PaperVersion,
)
from conference.papers.quotas import check_quota, check_room_left, lock_uploader
from conference.papers.reviewing import comments_for_authors
from conference.papers.uploads import format_size
from conference.registration.models import Registration, RegistrationStatus
from conference.registration.validation import clean_long_text, clean_text, normalise_email

MAX_AUTHORS = 30


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
    registration = registration_by_email(event, presenter.email)
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
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
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
        status=PaperStatus.SUBMITTED,
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


def check_can_upload(paper: Paper, by: Registration, *, now: datetime | None = None) -> None:
    """Refuse (with the reason) when this person may not upload a new version now."""
    require_author(paper, by)
    now = now or utcnow()
    if paper.status in (PaperStatus.WITHDRAWN, PaperStatus.REJECTED):
        raise ValidationError(f"The paper is {paper.status_label.lower()}: it cannot change.")
    call = call_for(paper.event)
    # After the deadline, only a paper the organisers asked to revise takes a new version.
    if paper.status != PaperStatus.REVISE and now >= call.last_edit_at:
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
    if paper.status == PaperStatus.REVISE:
        paper.status = PaperStatus.UNDER_REVIEW if paper.assignments else PaperStatus.SUBMITTED
    paper.updated_at = now
    db.session.flush()
    return version


def withdraw(paper: Paper, by: Registration, *, now: datetime | None = None) -> Paper:
    """An author withdraws the paper before a decision; its versions are kept.

    An accepted paper may already be in the programme, so withdrawing it is the
    organisers' work (they take its talk out of the agenda).
    """
    require_author(paper, by)
    if paper.status == PaperStatus.WITHDRAWN:
        raise ValidationError("The paper is withdrawn already.")
    if paper.status == PaperStatus.ACCEPTED:
        raise ValidationError(
            "The paper is accepted and part of the programme: please write to the organisers "
            "to withdraw it."
        )
    if paper.status == PaperStatus.REJECTED:
        raise ValidationError("The paper was not accepted: there is nothing to withdraw.")
    paper.status = PaperStatus.WITHDRAWN
    paper.withdrawn_at = now or utcnow()
    db.session.flush()
    return paper


@dataclass
class AuthorOptions:
    """What an author may see and do on their paper's page."""

    upload_refusal: str | None  # why no new version may be uploaded now; None: it may
    can_withdraw: bool
    decided: bool  # the organisers' decision (and the reviewers' comments) are shown
    comments: list[str]  # the reviewers' comments meant for the authors, once decided


def author_options(
    paper: Paper, registration: Registration, *, now: datetime | None = None
) -> AuthorOptions:
    """Whether the author may upload a version or withdraw the paper now, and whether
    the decision and the reviewers' comments are theirs to read yet."""
    try:
        check_can_upload(paper, registration, now=now)
        refusal = None
    except ConferenceError as exc:
        refusal = exc.message
    decided = paper.status in DECIDED_STATUSES
    return AuthorOptions(
        upload_refusal=refusal,
        can_withdraw=paper.status in OPEN_STATUSES,
        decided=decided,
        comments=comments_for_authors(paper) if decided else [],
    )
