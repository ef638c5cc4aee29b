"""Stored files that no paper version names: an upload cut short between storing its file
and committing its row (the worker killed, the database gone) leaves one behind."""

import logging
import time

from flask import current_app
from sqlalchemy import select

from conference.extensions import db
from conference.papers.models import PaperVersion
from conference.papers.storage import storage_from_config

log = logging.getLogger(__name__)


def remove_orphan_files(older_than: float | None = None) -> list[str]:
    """Remove stored files without a version row, and partial ones, once ``older_than``
    seconds old (PAPERS_ORPHAN_SECONDS): a younger file may be an upload still finishing."""
    if older_than is None:
        older_than = current_app.config["PAPERS_ORPHAN_SECONDS"]
    before = time.time() - older_than
    # The rows are read before the files are listed: a file stored later is too young.
    keep = set(db.session.scalars(select(PaperVersion.storage_key)))
    removed = storage_from_config(current_app).remove_unlisted(keep, before)
    if removed:
        log.warning("removed %d stored files that no paper version names", len(removed))
    return removed
