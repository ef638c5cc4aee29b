"""What the papers views of every audience share: the templates' helpers, the storage,
sending a stored version, and putting a service's message beside the right field."""

import tempfile
from contextlib import contextmanager

from flask import current_app, send_file
from wtforms import FieldList

from conference.errors import ConferenceError, NotFound, ValidationError
from conference.pages import field_named
from conference.papers.metadata import NotAnonymisable, ReviewersCopyUnavailable, reviewers_copy
from conference.papers.models import FILE_KINDS, PAPER_STATUSES, PaperStatus
from conference.papers.storage import storage_from_config
from conference.papers.uploads import format_size
from conference.papers.views import bp

STATUS_BADGES = {
    PaperStatus.SUBMITTED: "text-bg-secondary",
    PaperStatus.UNDER_REVIEW: "text-bg-info",
    PaperStatus.ACCEPTED: "text-bg-success",
    PaperStatus.REJECTED: "text-bg-dark",
    PaperStatus.REVISE: "text-bg-warning",
    PaperStatus.WITHDRAWN: "text-bg-light border",
}
RECOMMENDATION_BADGES = {
    "accept": "text-bg-success",
    "revise": "text-bg-warning",
    "reject": "text-bg-dark",
}


@bp.context_processor
def paper_helpers():
    return {
        "file_size": format_size,
        "file_kinds": FILE_KINDS,
        "paper_statuses": PAPER_STATUSES,
        "status_badges": STATUS_BADGES,
        "recommendation_badges": RECOMMENDATION_BADGES,
    }


def storage():
    """The papers' storage, as the app's configuration names it."""
    return storage_from_config(current_app)


def attach(form, exc: ConferenceError, aliases=None) -> None:
    """Put a service's message beside the field it is about (or above the form); a field
    the form's own checks found wrong keeps their message alone."""
    name = (aliases or {}).get(exc.field, exc.field)
    field = field_named(form, name) if name else None
    if field is None:
        form.form_errors.append(exc.message)
    elif not field.errors:
        field.errors = [exc.message]


@contextmanager
def fields_as(aliases: dict[str, str]):
    """A service's ValidationError with its field renamed to the form's name for it, for
    ``attempt`` to show beside that field."""
    try:
        yield
    except ValidationError as exc:
        exc.field = aliases.get(exc.field, exc.field)
        raise


def row_aliases(rows: FieldList) -> dict[str, str]:
    """Services number only the filled-in rows of a list (authors, criteria): their field
    names ("authors-1-email") mapped to the form's rows ("authors-2-email")."""
    filled = [row for row in rows if not row.form.is_blank()]
    return {
        f"{rows.name}-{n}-{field.short_name}": field.name
        for n, row in enumerate(filled)
        for field in row.form
    }


def version_of(paper, number: int):
    """The paper's version of this number, or NotFound."""
    version = next((v for v in paper.versions if v.number == number), None)
    if version is None:
        raise NotFound("There is no such version.")
    return version


def send_version(version, name: str, *, anonymous: bool = False):
    """A stored version as an attachment that nobody caches; for anonymous review, the
    reviewers' copy, without what names the authors (never the original)."""
    try:
        handle = storage().open(version.storage_key)
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
