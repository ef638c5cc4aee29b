"""Authors and presenters, through their private registration link: their papers, a new
submission, new versions, withdrawal and the files.

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

from contextlib import contextmanager

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from conference.agenda.availability import (
    mark_presenter_available,
    mark_presenter_unavailable,
    may_mark_own_blocks,
    own_blocks,
)
from conference.agenda.blocks import find_block, parallel_blocks
from conference.auth.forms import ConfirmForm
from conference.errors import ConferenceError, ValidationError
from conference.events.services import get_event
from conference.extensions import csrf, db
from conference.pages import attempt, private_page
from conference.papers.authors import author_paper, papers_visible_to
from conference.papers.calls import call_for
from conference.papers.decisions import published_slot
from conference.papers.forms import OwnBlockForm, SubmissionForm, VersionForm
from conference.papers.metadata import check_anonymisable
from conference.papers.quotas import count_upload
from conference.papers.storage import disk_error
from conference.papers.submissions import (
    SubmissionDetails,
    add_version,
    author_options,
    check_can_submit,
    check_can_upload,
    check_submission,
    submit,
    withdraw,
)
from conference.papers.uploads import UploadTooLarge, receive
from conference.papers.views import bp
from conference.papers.views._common import attach, row_aliases, send_version, storage, version_of
from conference.registration.links import registration_from_token

# Room for the form's other fields around the file, within one request.
UPLOAD_SLACK = 1024 * 1024
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


def _delegate(slug, token):
    event = get_event(slug)
    return event, registration_from_token(event, token)


def _accept(call) -> str:
    """The file input's ``accept``: the call's kinds as extensions."""
    return ",".join(f".{k}" for k in call.allowed_kinds)


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
    return private_page(
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
        aliases = {"authors": "presenting", **row_aliases(form.authors)}
        # Every problem with what was typed, at once, before the file is looked at.
        problems = check_submission(call, details)
        for problem in problems:
            attach(form, problem, aliases)
        if valid and not problems:
            store = storage()
            try:
                received = _receive(form.file.data, call, store)
                with _committed_or_discarded(store, received):
                    paper = submit(event, registration, details, received)
            except UploadTooLarge:
                raise
            except ValidationError as exc:
                attach(form, exc, aliases)
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
    return private_page(
        render_template(
            "papers/delegate/new.html",
            event=event,
            registration=registration,
            token=token,
            call=call,
            form=form,
            kinds=", ".join(f".{k}" for k in call.allowed_kinds),
            accept=_accept(call),
        ),
        status,
    )


def _my_paper_page(
    event, registration, token, paper, version_form=None, status=200, block_form=None
):
    options = author_options(paper, registration)
    call = call_for(event)
    presenting = may_mark_own_blocks(registration, paper)
    blocks = parallel_blocks(event) if presenting else []
    return private_page(
        render_template(
            "papers/delegate/paper.html",
            event=event,
            registration=registration,
            token=token,
            paper=paper,
            call=call,
            upload_closed=options.upload_refusal,
            version_form=version_form or VersionForm(formdata=None),
            confirm_form=ConfirmForm(),
            can_withdraw=options.can_withdraw,
            decided=options.decided,
            comments=options.comments,
            slot=published_slot(paper),
            accept=_accept(call),
            presenting=presenting,
            blocks=blocks,
            unavailable=own_blocks(registration, blocks) if presenting else {},
            block_form=block_form or OwnBlockForm(formdata=None),
        ),
        status,
    )


@bp.get("/events/<slug>/manage/<token>/papers/<int:paper_id>")
def my_paper(slug, token, paper_id):
    event, registration = _delegate(slug, token)
    paper = author_paper(event, registration, paper_id)
    db.session.commit()
    return _my_paper_page(event, registration, token, paper)


@bp.post("/events/<slug>/manage/<token>/papers/<int:paper_id>/versions")
@csrf.exempt
def upload_version(slug, token, paper_id):
    event, registration = _delegate(slug, token)
    paper = author_paper(event, registration, paper_id)
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
        store = storage()
        try:
            received = _receive(form.file.data, call, store)
            with _committed_or_discarded(store, received):
                version = add_version(paper, received, registration)
        except UploadTooLarge:
            raise
        except ValidationError as exc:
            attach(form, exc)
        else:
            flash(f"Version {version.number} is uploaded; the earlier ones are kept.", "success")
            return redirect(back)
    return _my_paper_page(event, registration, token, paper, form, 422)


@bp.post("/events/<slug>/manage/<token>/papers/<int:paper_id>/withdraw")
def withdraw_paper(slug, token, paper_id):
    event, registration = _delegate(slug, token)
    paper = author_paper(event, registration, paper_id)
    if ConfirmForm().validate_on_submit():
        with attempt() as done:
            withdraw(paper, registration)
        if done:
            flash(f"“{paper.title}” is withdrawn. Its files are kept.", "info")
    return redirect(url_for(".my_paper", slug=slug, token=token, paper_id=paper.id))


@bp.get("/events/<slug>/manage/<token>/papers/<int:paper_id>/versions/<int:number>")
def my_paper_file(slug, token, paper_id, number):
    event, registration = _delegate(slug, token)
    paper = author_paper(event, registration, paper_id)
    db.session.commit()
    version = version_of(paper, number)
    return private_page(send_version(version, version.original_filename))


@bp.post("/events/<slug>/manage/<token>/papers/<int:paper_id>/blocks")
def own_block(slug, token, paper_id):
    """The presenter marks a block of parallel sessions they cannot make (with why), or
    unmarks it (``available``); it holds for every talk they present."""
    event, registration = _delegate(slug, token)
    paper = author_paper(event, registration, paper_id)
    back = url_for(".my_paper", slug=slug, token=token, paper_id=paper.id, _anchor="blocks")
    if not may_mark_own_blocks(registration, paper):
        db.session.commit()
        flash(
            "Only the presenters of an accepted paper mark the blocks they cannot make.", "warning"
        )
        return redirect(back)
    form = OwnBlockForm()
    if form.validate_on_submit():
        available = bool(request.form.get("available"))
        with attempt(form, field="reason") as done:
            block = find_block(event, form.block.data)
            if available:
                mark_presenter_available(event, registration, block)
            else:
                mark_presenter_unavailable(event, registration, block, form.reason.data)
        if done:
            flash(
                f"You can make {block.label}."
                if available
                else f"Noted: you cannot make {block.label}. The parallel sessions will be "
                "planned around it.",
                "info" if available else "success",
            )
            return redirect(back)
    db.session.rollback()
    return _my_paper_page(event, registration, token, paper, status=422, block_form=form)
