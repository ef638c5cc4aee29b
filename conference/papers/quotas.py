"""How much a delegate may upload: uploads an hour, and disk space per paper and per delegate.

Every version of a paper is kept (reviewers and organisers rely on the history), so what
bounds the disk is a quota: ``PAPER_STORAGE_QUOTA`` bytes of versions per paper and
``DELEGATE_STORAGE_QUOTA`` bytes uploaded by each registration, whatever the paper. A file
that does not fit is refused, saying how much is used and what to do; nothing is removed.
The check runs after the version row is added, with the uploader's registration row
locked first and the paper's row locked by the version count, so two uploads at the same
moment are counted one after the other.

The upload rate (``UPLOAD_RATE_LIMIT``, "30 per hour") is counted per registration (not
per spelling of a link, nor per address: a venue shares one) in the rate limiter's store,
Redis when one is configured, so that every worker and every app server counts the same
uploads. The window moves: at most that many in any hour, never a whole limit at the end
of one window and another at the start of the next.
"""

import time

from flask import current_app
from limits import RateLimitItem, parse
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import func, select

from conference.errors import ConferenceError, ValidationError
from conference.extensions import db, limiter
from conference.papers.models import Paper, PaperVersion
from conference.papers.uploads import format_size
from conference.registration.models import Registration

WHAT_TO_DO = (
    "Every version is kept for the reviewers and organisers, so none can be removed here: "
    "please upload a smaller file (with compressed images, for example), or write to the "
    "organisers."
)
ARTICLES = {"hour": "an"}


class TooManyUploads(ConferenceError):
    """The delegate passed the upload rate (an HTTP 429)."""

    status_code = 429


class StorageQuotaExceeded(ValidationError):
    """The file does not fit in the paper's or the delegate's storage quota."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


# The upload rate ---------------------------------------------------------------------


def count_upload(registration: Registration) -> None:
    """Count one upload by this registration; TooManyUploads when it is one too many."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return
    rate = parse(config["UPLOAD_RATE_LIMIT"])
    window = MovingWindowRateLimiter(limiter.storage)
    identity = ("paper-uploads", f"registration-{registration.id}")
    if window.hit(rate, *identity):
        return
    wait = window.get_window_stats(rate, *identity).reset_time - time.time()
    minutes = max(1, round(wait / 60))
    raise TooManyUploads(
        f"You have reached the limit of {describe(rate)}: nothing was kept. Please try "
        f"again in about {minutes} minute{'' if minutes == 1 else 's'}."
    )


def describe(rate: RateLimitItem) -> str:
    """'30 uploads an hour', '100 uploads every 2 days'."""
    unit = rate.GRANULARITY.name
    if rate.multiples == 1:
        return f"{rate.amount} uploads {ARTICLES.get(unit, 'a')} {unit}"
    return f"{rate.amount} uploads every {rate.multiples} {unit}s"


# Storage quotas ----------------------------------------------------------------------


def paper_storage_used(paper: Paper) -> int:
    """Bytes of every version of the paper."""
    return db.session.scalar(
        select(func.coalesce(func.sum(PaperVersion.size), 0)).where(
            PaperVersion.paper_id == paper.id
        )
    )


def delegate_storage_used(registration: Registration) -> int:
    """Bytes of every version this registration uploaded, to any paper."""
    return db.session.scalar(
        select(func.coalesce(func.sum(PaperVersion.size), 0)).where(
            PaperVersion.uploaded_by_id == registration.id
        )
    )


def _quotas() -> tuple[int, int]:
    config = current_app.config
    return config["PAPER_STORAGE_QUOTA"], config["DELEGATE_STORAGE_QUOTA"]


def check_room_left(paper: Paper | None, registration: Registration) -> None:
    """Refuse before anything is received when the paper's or the delegate's quota is used
    up already (``paper`` None: a new paper)."""
    per_paper, per_delegate = _quotas()
    if paper is not None and paper_storage_used(paper) >= per_paper:
        raise StorageQuotaExceeded(
            f"This paper's versions take all of the {format_size(per_paper)} kept for each "
            f"paper, so no new version can be uploaded. {WHAT_TO_DO}"
        )
    if delegate_storage_used(registration) >= per_delegate:
        raise StorageQuotaExceeded(
            f"The files you have uploaded take all of the {format_size(per_delegate)} kept "
            f"for each delegate, so nothing more can be uploaded. {WHAT_TO_DO}"
        )


def lock_uploader(registration: Registration) -> None:
    """Make this registration's uploads wait for each other until the commit (a row lock
    that foreign keys to the registration do not wait for; SQLite serialises writers)."""
    db.session.execute(
        select(Registration.id)
        .where(Registration.id == registration.id)
        .with_for_update(key_share=True)
    )


def check_quota(version: PaperVersion, registration: Registration) -> None:
    """Refuse a version just added (flushed) that takes its paper or its uploader past a
    quota; the caller rolls back and deletes the file."""
    per_paper, per_delegate = _quotas()
    size = version.size
    paper_total = paper_storage_used(version.paper)
    if paper_total > per_paper:
        raise StorageQuotaExceeded(
            f"This file ({format_size(size)}) does not fit: the paper's earlier versions "
            f"take {format_size(paper_total - size)} of the {format_size(per_paper)} kept "
            f"for each paper. {WHAT_TO_DO}"
        )
    delegate_total = delegate_storage_used(registration)
    if delegate_total > per_delegate:
        raise StorageQuotaExceeded(
            f"This file ({format_size(size)}) does not fit: the files you have uploaded "
            f"take {format_size(delegate_total - size)} of the {format_size(per_delegate)} "
            f"kept for each delegate. {WHAT_TO_DO}"
        )
