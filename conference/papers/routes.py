"""Paper pages: the public call, delegates' submissions (through their private link),
reviewers' forms, and the organisers' call settings, lists, reviews and decisions.

Uploads: the views that receive files are exempt from the global CSRF check, because
that check reads the request body before the view can apply the call's size limit;
they check the token themselves (``_read_upload``) right after setting the limit. Each
upload is counted against the delegate's hourly limit (``quotas.count_upload``) before its
body is read; a full disk or an unusable folder answers 507 or 503 (``StorageFull``,
``StorageUnavailable``) and keeps nothing.
What a presenter typed is checked first, every problem reported at once, before the file
is looked at. A received file is stored before the remaining rules run, so when a rule
refuses the paper or the commit fails, the file is deleted: no file without a row, no
row without a file.
"""

import io
import tempfile
from collections import Counter
from contextlib import contextmanager
from datetime import datetime

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import FieldList, FormField

from conference.agenda.ids import read_id
from conference.agenda.publishing import latest_publication
from conference.agenda.rooms import tracks_of
from conference.auth.decorators import event_role_required
from conference.auth.forms import ConfirmForm
from conference.auth.models import User
from conference.auth.services import has_event_role
from conference.errors import ConferenceError, NotFound, ValidationError
from conference.events.services import get_event
from conference.extensions import csrf, db
from conference.papers.archive import zip_stream
from conference.papers.downloads import papers_for_download, session_line, write_book, zip_entries
from conference.papers.forms import (
    MEGABYTE,
    AssignForm,
    AutoAssignForm,
    CallForm,
    DecisionForm,
    SubmissionForm,
    VersionForm,
    build_review_form,
    score_fields,
)
from conference.papers.metadata import (
    NotAnonymisable,
    ReviewersCopyUnavailable,
    check_anonymisable,
    reviewers_copy,
)
from conference.papers.models import (
    DEFAULT_KINDS,
    FILE_KINDS,
    PAPER_STATUSES,
    Paper,
    ReviewAssignment,
)
from conference.papers.quotas import count_upload
from conference.papers.review import (
    assign_reviewer,
    assignments_for,
    auto_assign,
    comments_for_authors,
    conflicts_of_interest,
    decide,
    event_reviewers,
    reviewer_view,
    reviews_for_organiser,
    submit_review,
    unassign_reviewer,
    weighted_score,
)
from conference.papers.services import (
    EDITABLE,
    CallDetails,
    SubmissionDetails,
    add_version,
    call_for,
    check_can_submit,
    check_can_upload,
    check_submission,
    event_papers,
    get_paper,
    is_author,
    papers_visible_to,
    save_call,
    submit,
    withdraw,
)
from conference.papers.storage import disk_error, storage_from_config
from conference.papers.uploads import UploadTooLarge, download_name, format_size, receive
from conference.papers.views import bp
from conference.registration.routes import _private
from conference.registration.services import registration_from_token
from conference.web import pdf_response

# Room for the form's other fields around the file, within one request.
UPLOAD_SLACK = 1024 * 1024
STATUS_BADGES = {
    "submitted": "text-bg-secondary",
    "under_review": "text-bg-info",
    "accepted": "text-bg-success",
    "rejected": "text-bg-dark",
    "revise": "text-bg-warning",
    "withdrawn": "text-bg-light border",
}
RECOMMENDATION_BADGES = {
    "accept": "text-bg-success",
    "revise": "text-bg-warning",
    "reject": "text-bg-dark",
}
DECIDED = ("accepted", "rejected", "revise")
NO_SUCH_PAPER = "There is no such paper."
CHOOSE_AGAIN = "Please choose the file again: nothing was kept."


class FormTooLarge(ValidationError):
    """A text field of an upload form passed the server's limit for one field (or the form
    has too many fields): an HTTP 413 that is not about the file."""

    status_code = 413

    def __init__(self):
        super().__init__(
            "A field of the form is too long (the abstract, perhaps), or the form has too "
            "many fields. Please shorten it and send the form again: nothing was kept."
        )


@bp.context_processor
def paper_helpers():
    return {
        "file_size": format_size,
        "file_kinds": FILE_KINDS,
        "paper_statuses": PAPER_STATUSES,
        "status_badges": STATUS_BADGES,
        "recommendation_badges": RECOMMENDATION_BADGES,
    }


# Helpers -----------------------------------------------------------------------------


def _storage():
    return storage_from_config(current_app)


def _read_upload(call) -> None:
    """Apply the call's size limit before the body is read, then check the CSRF token."""
    limit = call.max_bytes + UPLOAD_SLACK
    request.max_content_length = limit
    try:
        request.files  # noqa: B018  (parses the body, spooling files to disk, under the limit)
    except RequestEntityTooLarge:
        # A body within the limit was refused by werkzeug's own limits on text fields
        # (MAX_FORM_MEMORY_SIZE, MAX_FORM_PARTS): the file is not the problem.
        if request.content_length is not None and request.content_length <= limit:
            raise FormTooLarge() from None
        raise UploadTooLarge(call.max_bytes) from None
    except OSError as exc:  # the temporary folder the body is spooled to
        if (error := disk_error(exc, "reading an upload form")) is None:
            raise
        raise error from exc
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()


def _receive(upload, call, storage):
    """Check and store the uploaded file; the project's errors say what is wrong with it.

    While review is anonymous, a file no reviewers' copy can be made of is refused."""
    return receive(
        upload.stream,
        upload.filename,
        storage=storage,
        max_bytes=call.max_bytes,
        allowed_kinds=call.allowed_kinds,
        inspect=check_anonymisable if call.anonymous_review else None,
    )


@contextmanager
def _committed_or_discarded(storage, received):
    """Commit what the block did with a received file; on any failure, roll back and
    delete the file."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        try:
            storage.delete(received.key)
        except OSError:  # the refusal is what the uploader needs to hear; the log keeps this
            current_app.logger.exception("could not delete refused upload %s", received.key)
        raise


def _field_named(form, name):
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                found = _field_named(entry.form, name) if isinstance(entry, FormField) else None
                if found is not None:
                    return found
        elif field.name == name:
            return field
    return None


def _attach(form, exc: ConferenceError, aliases=None) -> None:
    """Put a service's message beside the field it is about (or above the form); a field
    the form's own checks found wrong keeps their message alone."""
    name = (aliases or {}).get(exc.field, exc.field)
    field = _field_named(form, name) if name else None
    if field is None:
        form.form_errors.append(exc.message)
    elif not field.errors:
        field.errors = [exc.message]


def _row_aliases(rows: FieldList) -> dict[str, str]:
    """Services number only the filled-in rows of a list (authors, criteria): their field
    names ("authors-1-email") mapped to the form's rows ("authors-2-email")."""
    filled = [row for row in rows if not row.form.is_blank()]
    return {
        f"{rows.name}-{n}-{field.short_name}": field.name
        for n, row in enumerate(filled)
        for field in row.form
    }


def _send_version(version, name: str, *, anonymous: bool = False):
    """A stored version as an attachment that nobody caches; for anonymous review, the
    reviewers' copy, without what names the authors (never the original)."""
    try:
        handle = _storage().open(version.storage_key)
    except FileNotFoundError:
        current_app.logger.error("stored file missing: paper version %s", version.id)
        raise NotFound(
            "This file is missing from the storage; please tell the organisers."
        ) from None
    if anonymous:
        handle = _reviewers_copy(handle, version)
    response = send_file(
        handle,
        as_attachment=True,
        download_name=name,
        mimetype=version.mime_type,
        max_age=0,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _reviewers_copy(handle, version):
    """The version's reviewers' copy in a temporary file (the original is closed)."""
    copy = tempfile.TemporaryFile()
    try:
        with handle:
            reviewers_copy(handle, version.kind, copy)
    except NotAnonymisable as exc:
        copy.close()
        current_app.logger.error(
            "paper version %s: no reviewers' copy can be made (%s)", version.id, exc.reason
        )
        raise ReviewersCopyUnavailable() from None
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy


def _version(paper, number: int):
    version = next((v for v in paper.versions if v.number == number), None)
    if version is None:
        raise NotFound("There is no such version.")
    return version


def _call_or_404(event):
    call = call_for(event)
    if call is None:
        raise NotFound(f"{event.title} has no call for papers.")
    return call


def _local(event, moment):
    return event.local(moment).replace(tzinfo=None) if moment else None


def _zone(event) -> str:
    """'Asia/Bangkok (UTC+07:00)': the zone the call's times are entered in, today."""
    offset = datetime.now(event.tz).strftime("%z")
    return f"{event.timezone.replace('_', ' ')} (UTC{offset[:3]}:{offset[3:]})"


# The public call ---------------------------------------------------------------------


@bp.get("/events/<slug>/call-for-papers")
def call_page(slug):
    event = get_event(slug)
    call = _call_or_404(event)
    return render_template(
        "papers/call.html",
        event=event,
        call=call,
        kinds=[FILE_KINDS[k] for k in call.allowed_kinds],
        registration_open=event.registration_is_open(),
    )


# Delegates, through their private link -----------------------------------------------


def _delegate(slug, token):
    event = get_event(slug)
    return event, registration_from_token(event, token)


def _own_paper(event, registration, paper_id) -> Paper:
    """A paper this delegate wrote or is named on; NotFound for every other id."""
    paper = get_paper(event, paper_id)
    if not is_author(paper, registration):
        raise NotFound(NO_SUCH_PAPER)
    return paper


@bp.get("/events/<slug>/manage/<token>/papers")
def my_papers(slug, token):
    event, registration = _delegate(slug, token)
    db.session.commit()
    call = call_for(event)
    try:
        check_can_submit(event, registration)
        closed_reason = None
    except ConferenceError as exc:
        closed_reason = exc.message
    return _private(
        render_template(
            "papers/delegate/list.html",
            event=event,
            registration=registration,
            token=token,
            call=call,
            papers=papers_visible_to(registration),
            closed_reason=closed_reason,
        )
    )


def _blank_submission(registration) -> SubmissionForm:
    form = SubmissionForm(
        formdata=None,
        data={
            "authors": [
                {
                    "name": registration.full_name,
                    "organisation": registration.organisation,
                    "email": registration.email,
                }
            ],
            "presenting": 0,
        },
    )
    for _ in range(2):  # rows for co-authors; more are added in the browser
        form.authors.append_entry()
    return form


@bp.route("/events/<slug>/manage/<token>/papers/new", methods=["GET", "POST"])
@csrf.exempt
def new_paper(slug, token):
    event, registration = _delegate(slug, token)
    try:
        call = check_can_submit(event, registration)
    except ConferenceError as exc:
        db.session.commit()
        flash(exc.message, "warning")
        return redirect(url_for(".my_papers", slug=slug, token=token))
    db.session.commit()
    if request.method == "POST":
        count_upload(registration)
        _read_upload(call)
        form = SubmissionForm()
    else:
        form = _blank_submission(registration)
    form.track_id.choices = [("", "Choose a topic…")] + [(t.id, t.name) for t in call.topics]
    form.track_id.flags.required = bool(call.topics)
    if form.is_submitted():
        valid = form.validate()
        details = SubmissionDetails(
            title=form.title.data or "",
            abstract=form.abstract.data or "",
            track_id=form.track_id.data,
            authors=form.author_details(),
        )
        # Problems with the authors as a whole go beside the presenting author's choice.
        aliases = {"authors": "presenting", **_row_aliases(form.authors)}
        # Every problem with what was typed, at once, before the file is looked at.
        problems = check_submission(call, details)
        for problem in problems:
            _attach(form, problem, aliases)
        if valid and not problems:
            storage = _storage()
            try:
                received = _receive(form.file.data, call, storage)
                with _committed_or_discarded(storage, received):
                    paper = submit(event, registration, details, received)
            except UploadTooLarge:
                raise
            except ValidationError as exc:
                _attach(form, exc, aliases)
            else:
                flash(
                    f"Your paper “{paper.title}” is received (version 1). Every author gets "
                    "an e-mail.",
                    "success",
                )
                return redirect(url_for(".my_paper", slug=slug, token=token, paper_id=paper.id))
        if not form.file.errors:
            form.file.errors = [CHOOSE_AGAIN]
    status = 422 if form.errors or form.form_errors else 200
    return _private(
        render_template(
            "papers/delegate/new.html",
            event=event,
            registration=registration,
            token=token,
            call=call,
            form=form,
            kinds=", ".join(f".{k}" for k in call.allowed_kinds),
            accept=",".join(f".{k}" for k in call.allowed_kinds),
        ),
        status,
    )


def _published_slot(event, paper) -> dict | None:
    """Where the paper's talk is in the published programme, if it is there."""
    publication = latest_publication(event) if paper.talk_id else None
    if publication is None:
        return None
    for session in publication.snapshot.get("sessions", []):
        for talk in session["talks"]:
            if talk["id"] == paper.talk_id:
                starts = datetime.fromisoformat(talk["starts_at"] or session["starts_at"])
                return {"session": session["title"], "room": session["room"], "starts_at": starts}
    return None


def _my_paper_page(event, registration, token, paper, version_form=None, status=200):
    try:
        check_can_upload(paper, registration)
        upload_closed = None
    except ConferenceError as exc:
        upload_closed = exc.message
    call = call_for(event)
    return _private(
        render_template(
            "papers/delegate/paper.html",
            event=event,
            registration=registration,
            token=token,
            paper=paper,
            call=call,
            upload_closed=upload_closed,
            version_form=version_form or VersionForm(formdata=None),
            confirm_form=ConfirmForm(),
            can_withdraw=paper.status in EDITABLE,
            decided=paper.status in DECIDED,
            comments=comments_for_authors(paper) if paper.status in DECIDED else [],
            slot=_published_slot(event, paper),
            accept=",".join(f".{k}" for k in call.allowed_kinds),
        ),
        status,
    )


@bp.get("/events/<slug>/manage/<token>/papers/<int:paper_id>")
def my_paper(slug, token, paper_id):
    event, registration = _delegate(slug, token)
    paper = _own_paper(event, registration, paper_id)
    db.session.commit()
    return _my_paper_page(event, registration, token, paper)


@bp.post("/events/<slug>/manage/<token>/papers/<int:paper_id>/versions")
@csrf.exempt
def upload_version(slug, token, paper_id):
    event, registration = _delegate(slug, token)
    paper = _own_paper(event, registration, paper_id)
    db.session.commit()
    back = url_for(".my_paper", slug=slug, token=token, paper_id=paper.id)
    try:
        check_can_upload(paper, registration)  # refuse before receiving anything
    except ConferenceError as exc:
        flash(exc.message, "danger")
        return redirect(back)
    call = call_for(event)
    count_upload(registration)
    _read_upload(call)
    form = VersionForm()
    if form.validate_on_submit():
        storage = _storage()
        try:
            received = _receive(form.file.data, call, storage)
            with _committed_or_discarded(storage, received):
                version = add_version(paper, received, registration)
        except UploadTooLarge:
            raise
        except ValidationError as exc:
            _attach(form, exc)
        else:
            flash(f"Version {version.number} is uploaded; the earlier ones are kept.", "success")
            return redirect(back)
    return _my_paper_page(event, registration, token, paper, form, 422)


@bp.post("/events/<slug>/manage/<token>/papers/<int:paper_id>/withdraw")
def withdraw_paper(slug, token, paper_id):
    event, registration = _delegate(slug, token)
    paper = _own_paper(event, registration, paper_id)
    if ConfirmForm().validate_on_submit():
        try:
            withdraw(paper, registration)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"“{paper.title}” is withdrawn. Its files are kept.", "info")
    return redirect(url_for(".my_paper", slug=slug, token=token, paper_id=paper.id))


@bp.get("/events/<slug>/manage/<token>/papers/<int:paper_id>/versions/<int:number>")
def my_paper_file(slug, token, paper_id, number):
    event, registration = _delegate(slug, token)
    paper = _own_paper(event, registration, paper_id)
    db.session.commit()
    version = _version(paper, number)
    return _private(_send_version(version, version.original_filename))


# Organisers --------------------------------------------------------------------------


@bp.route("/events/<slug>/papers/call", methods=["GET", "POST"])
@event_role_required("organiser")
def call_settings(event):
    call = call_for(event)
    tracks = tracks_of(event)
    if request.method == "POST":
        form = CallForm()
    elif call is not None:
        form = CallForm(
            formdata=None,
            data={
                "opens_at": _local(event, call.opens_at),
                "closes_at": _local(event, call.closes_at),
                "edit_deadline": _local(event, call.edit_deadline),
                "allowed_kinds": list(call.allowed_kinds),
                "max_mb": max(1, round(call.max_bytes / MEGABYTE)),
                "abstract_word_limit": call.abstract_word_limit,
                "talk_minutes": call.talk_minutes,
                "topic_ids": [t.id for t in call.topics],
                "anonymous_review": call.anonymous_review,
                "criteria": [
                    {
                        "name": c.name,
                        "max_score": c.max_score,
                        "weight": c.weight,
                        "description": c.description,
                    }
                    for c in call.criteria
                ],
            },
        )
    else:
        form = CallForm(
            formdata=None,
            data={
                "allowed_kinds": list(DEFAULT_KINDS),
                "topic_ids": [t.id for t in tracks],
                "criteria": [
                    {"name": "Relevance to the conference theme", "max_score": 5, "weight": 2},
                    {"name": "Originality", "max_score": 5, "weight": 1},
                    {"name": "Clarity", "max_score": 5, "weight": 1},
                ],
            },
        )
    if request.method == "GET":
        for _ in range(2):
            form.criteria.append_entry()
    form.topic_ids.choices = [(t.id, t.name) for t in tracks]
    if form.validate_on_submit():
        criteria = form.criteria_details()
        try:
            save_call(
                event,
                CallDetails(
                    opens_at=form.opens_at.data,
                    closes_at=form.closes_at.data,
                    edit_deadline=form.edit_deadline.data,
                    allowed_kinds=tuple(form.allowed_kinds.data or ()),
                    max_bytes=form.max_mb.data * MEGABYTE,
                    abstract_word_limit=form.abstract_word_limit.data,
                    anonymous_review=form.anonymous_review.data,
                    talk_minutes=form.talk_minutes.data,
                    topic_ids=tuple(form.topic_ids.data or ()),
                    criteria=criteria,
                ),
            )
        except ValidationError as exc:
            db.session.rollback()
            _attach(form, exc, {"max_bytes": "max_mb", **_row_aliases(form.criteria)})
        else:
            db.session.commit()
            flash("The call for papers is saved.", "success")
            return redirect(url_for(".call_settings", slug=event.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "papers/organiser/call.html",
        event=event,
        call=call,
        form=form,
        zone=_zone(event),
        has_tracks=bool(tracks),
    ), status


def _int_arg(name: str) -> int | None:
    return read_id(request.args.get(name), name, f"The {name} filter")


def _status_arg() -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in PAPER_STATUSES:
        raise ValidationError(f"Unknown status {status!r}.")
    return status


@bp.get("/events/<slug>/papers")
@event_role_required("organiser")
def papers(event):
    call = call_for(event)
    status, track_id = _status_arg(), _int_arg("topic")
    counts = dict(
        db.session.execute(
            select(Paper.status, func.count(Paper.id))
            .where(Paper.event_id == event.id)
            .group_by(Paper.status)
        ).all()
    )
    items = event_papers(event, status=status, track_id=track_id)
    criteria = list(call.criteria) if call else []
    rows = []
    for paper in items:
        reviews = [a.review for a in paper.assignments if a.review is not None]
        scores = [s for s in (weighted_score(criteria, r.scores) for r in reviews) if s is not None]
        rows.append(
            {
                "paper": paper,
                "reviewed": len(reviews),
                "assigned": len(paper.assignments),
                "score": round(sum(scores) / len(scores), 1) if scores else None,
                "recommendations": Counter(r.recommendation for r in reviews),
            }
        )
    # The list's links keep these filters, and only these.
    filters = {k: v for k, v in (("status", status), ("topic", track_id)) if v}
    return render_template(
        "papers/organiser/list.html",
        event=event,
        call=call,
        rows=rows,
        counts=counts,
        total=sum(counts.values()),
        status=status,
        track_id=track_id,
        filters=filters,
        tracks=tracks_of(event),
        auto_form=AutoAssignForm(),
    )


@bp.get("/events/<slug>/papers.zip")
@event_role_required("organiser")
def papers_zip(event):
    status, track_id = _status_arg(), _int_arg("topic")
    storage = _storage()
    entries = zip_entries(
        papers_for_download(event, [status] if status else None, track_id), storage
    )
    name = f"{event.slug}-papers-{status or 'all'}.zip"
    return Response(
        stream_with_context(zip_stream(entries)),
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.get("/events/<slug>/papers/book-of-abstracts.pdf")
@event_role_required("organiser")
def book(event):
    out = io.BytesIO()
    write_book(event, out)
    return pdf_response(out.getvalue(), f"{event.slug}-book-of-abstracts.pdf")


def _organiser_paper_page(event, paper, decision_form=None, assign_form=None, status=200):
    assigned = {a.reviewer_id for a in paper.assignments}
    candidates = [u for u in event_reviewers(event) if u.id not in assigned]
    conflicts = conflicts_of_interest(paper, candidates)
    assign_form = assign_form or AssignForm(formdata=None)
    assign_form.reviewer_id.choices = [("", "Choose a reviewer…")] + [
        (u.id, f"{u.display_name}{' (conflict of interest)' if conflicts[u.id] else ''}")
        for u in candidates
    ]
    talk = paper.talk
    editor = "agenda.editor" in current_app.view_functions and talk is not None
    return render_template(
        "papers/organiser/paper.html",
        event=event,
        paper=paper,
        summary=reviews_for_organiser(paper),
        assignment_ids={a.reviewer_id: a.id for a in paper.assignments},
        assign_form=assign_form,
        conflicts=[(u, conflicts[u.id]) for u in candidates if conflicts[u.id]],
        has_candidates=bool(candidates),
        decision_form=decision_form or DecisionForm(formdata=None),
        confirm_form=ConfirmForm(),
        reviewable=paper.status in EDITABLE,
        talk=talk,
        session_when=session_line(event, talk.session) if talk and talk.session else "",
        editor_url=url_for("agenda.editor", slug=event.slug) if editor else None,
    ), status


@bp.get("/events/<slug>/papers/<int:paper_id>")
@event_role_required("organiser")
def paper(event, paper_id):
    return _organiser_paper_page(event, get_paper(event, paper_id))


@bp.post("/events/<slug>/papers/<int:paper_id>/reviewers")
@event_role_required("organiser")
def assign(event, paper_id):
    paper = get_paper(event, paper_id)
    form = AssignForm()
    form.reviewer_id.choices = []
    if not form.validate_on_submit():  # e.g. a reviewer_id that is no id
        return _organiser_paper_page(event, paper, assign_form=form, status=422)
    reviewer = db.session.get(User, form.reviewer_id.data) if form.reviewer_id.data else None
    try:
        if reviewer is None:
            raise ValidationError("Choose a reviewer.", field="reviewer")
        assignment = assign_reviewer(paper, reviewer, current_user)
    except ValidationError as exc:
        db.session.rollback()
        _attach(form, exc, {"reviewer": "reviewer_id"})
        return _organiser_paper_page(event, paper, assign_form=form, status=422)
    db.session.commit()
    flash(f"{assignment.reviewer.display_name} reviews “{paper.title}”.", "success")
    return redirect(url_for(".paper", slug=event.slug, paper_id=paper.id))


@bp.post("/events/<slug>/papers/<int:paper_id>/reviewers/<int:assignment_id>/remove")
@event_role_required("organiser")
def unassign(event, paper_id, assignment_id):
    paper = get_paper(event, paper_id)
    assignment = next((a for a in paper.assignments if a.id == assignment_id), None)
    if assignment is None:
        raise NotFound("There is no such assignment.")
    if ConfirmForm().validate_on_submit():
        name = assignment.reviewer.display_name
        try:
            unassign_reviewer(assignment)
        except ValidationError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"{name} no longer reviews “{paper.title}”.", "info")
    return redirect(url_for(".paper", slug=event.slug, paper_id=paper.id))


@bp.post("/events/<slug>/papers/auto-assign")
@event_role_required("organiser")
def auto_assign_reviewers(event):
    form = AutoAssignForm()
    if not form.validate_on_submit():
        flash("Ask for 1 to 20 reviewers per paper.", "danger")
        return redirect(url_for(".papers", slug=event.slug))
    try:
        result = auto_assign(event, form.per_paper.data, current_user)
    except ValidationError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(f"{len(result.assigned)} new review assignment(s).", "success")
        if result.short:
            flash(
                f"{len(result.short)} paper(s) are short of reviewers without a conflict of "
                "interest: give more people the reviewer role, or assign by hand.",
                "warning",
            )
    return redirect(url_for(".papers", slug=event.slug))


@bp.post("/events/<slug>/papers/<int:paper_id>/decision")
@event_role_required("organiser")
def decision(event, paper_id):
    paper = get_paper(event, paper_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(paper, form.decision.data, form.note.data or "", current_user)
        except ValidationError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(
                f"“{paper.title}” is {paper.status_label.lower()}; every author gets an e-mail.",
                "success",
            )
            return redirect(url_for(".paper", slug=event.slug, paper_id=paper.id))
    return _organiser_paper_page(event, paper, decision_form=form, status=422)


@bp.get("/events/<slug>/papers/<int:paper_id>/versions/<int:number>")
@login_required
def paper_file(slug, paper_id, number):
    event = get_event(slug)
    paper = get_paper(event, paper_id)
    if not has_event_role(current_user, event, "organiser"):
        raise NotFound(NO_SUCH_PAPER)  # not 403: ids are not to be probed
    version = _version(paper, number)
    return _send_version(version, version.original_filename)


# Reviewers ---------------------------------------------------------------------------


@bp.get("/events/<slug>/reviews")
@event_role_required("reviewer", "organiser")
def reviews(event):
    return render_template(
        "papers/reviewer/list.html", event=event, assignments=assignments_for(event, current_user)
    )


def _my_assignment(event, assignment_id) -> ReviewAssignment:
    """The signed-in reviewer's own assignment at this event, while they still hold the
    reviewer (or organiser) role there; NotFound for any other id."""
    assignment = db.session.get(ReviewAssignment, assignment_id)
    if (
        not has_event_role(current_user, event, "reviewer", "organiser")
        or assignment is None
        or assignment.reviewer_id != current_user.id
        or assignment.paper.event_id != event.id
        or assignment.paper.status == "withdrawn"
    ):
        raise NotFound(NO_SUCH_PAPER)
    return assignment


@bp.route("/events/<slug>/reviews/<int:assignment_id>", methods=["GET", "POST"])
@event_role_required("reviewer", "organiser")
def review(event, assignment_id):
    assignment = _my_assignment(event, assignment_id)
    view = reviewer_view(assignment)
    criteria = list(call_for(event).criteria)
    existing = assignment.review
    if request.method == "POST":
        form = build_review_form(criteria)
    elif existing is not None:
        data = {f"score_{key}": value for key, value in existing.scores.items()}
        data.update(
            recommendation=existing.recommendation,
            comments_to_authors=existing.comments_to_authors,
            confidential_comments=existing.confidential_comments,
        )
        form = build_review_form(criteria, formdata=None, data=data)
    else:
        form = build_review_form(criteria, formdata=None)
    open_for_review = assignment.paper.status in ("submitted", "under_review", "revise")
    if open_for_review and form.validate_on_submit():
        try:
            submit_review(
                assignment,
                {str(c.id): field.data for c, field in score_fields(form, criteria)},
                form.recommendation.data,
                form.comments_to_authors.data or "",
                form.confidential_comments.data or "",
            )
        except ValidationError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(f"Your review of “{view.title}” is saved.", "success")
            return redirect(url_for(".reviews", slug=event.slug))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "papers/reviewer/review.html",
        event=event,
        assignment=assignment,
        view=view,
        form=form,
        scores=score_fields(form, criteria),
        open_for_review=open_for_review,
        file_name=_reviewer_file_name(view),
    ), status


def _reviewer_file_name(view) -> str | None:
    """Neutral when the review is anonymous: the uploader's file name may name them."""
    version = view.latest_version
    if version is None:
        return None
    if view.anonymous:
        return download_name(
            f"Paper {view.paper_id}", f"version {version.number}", extension=version.kind
        )
    return version.original_filename


@bp.get("/events/<slug>/reviews/<int:assignment_id>/paper")
@login_required
def review_file(slug, assignment_id):
    event = get_event(slug)
    assignment = _my_assignment(event, assignment_id)
    view = reviewer_view(assignment)
    if view.latest_version is None:
        raise NotFound("This paper has no file.")
    return _send_version(view.latest_version, _reviewer_file_name(view), anonymous=view.anonymous)
