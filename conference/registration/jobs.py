"""Registration work that runs in the background: imports, and exports of large events."""

import time
from dataclasses import asdict
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from conference.events.models import Event
from conference.extensions import db
from conference.files import atomic_write
from conference.jobs.models import Job
from conference.jobs.services import job, start_job
from conference.registration.exports import count_rows, read_table, write_export
from conference.registration.history import user_or_system
from conference.registration.imports import run_import
from conference.registration.search import Filters

EXPORT_KIND = "registration.export"
FILE_KINDS = {"csv": "CSV file", "xlsx": "Excel file"}


# Restartable: a run cut short committed nothing.
@job("registration.import", atomic=True, retry=True)
def import_registrations(progress, event_id: int, path: str, send_emails: bool, done_url: str):
    """Import a checked file: every row in one transaction, or none."""
    event = db.session.get(Event, event_id)
    file = Path(path)
    rows = read_table(file.name, file.read_bytes())
    count = run_import(
        event,
        rows,
        send_emails=send_emails,
        progress=progress,
        actor=user_or_system(progress.record.user),
    )
    db.session.flush()
    file.unlink(missing_ok=True)
    return {"imported": count, "url": done_url}


def export_folder() -> Path:
    """Where background exports are kept (under the instance folder)."""
    folder = Path(current_app.instance_path) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_file(job_id: str, fmt: str) -> Path:
    """Where a background export's file is kept."""
    return export_folder() / f"{job_id}.{fmt}"


def remove_partial_exports(job_id: str) -> None:
    """Remove the half-written files of an export's runs that were cut short."""
    for partial in export_folder().glob(f"{job_id}.*.part"):
        partial.unlink(missing_ok=True)


def remove_old_exports(older_than: float | None = None) -> list[Path]:
    """Remove export files older than EXPORT_KEEP_SECONDS (what is left of runs cut short
    too); returns them. Run when an export starts and by workers' housekeeping."""
    if older_than is None:
        older_than = current_app.config["EXPORT_KEEP_SECONDS"]
    limit = time.time() - older_than
    removed = []
    for path in export_folder().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            pass  # removed by someone else meanwhile
    return removed


def replace_earlier_exports(user, event, fmt: str) -> None:
    """Remove the files of this person's earlier exports of this event in this format:
    the next one replaces them, so one person's exports never pile up."""
    earlier = db.session.scalars(select(Job).where(Job.kind == EXPORT_KIND, Job.user_id == user.id))
    for record in earlier:
        if (record.params.get("event_id"), record.params.get("fmt")) == (event.id, fmt):
            export_file(record.id, fmt).unlink(missing_ok=True)


def start_export(user, event, fmt: str, filters: Filters) -> Job:
    """Start a background export of the filtered list (the caller commits). The person's
    earlier file of this event and format goes, and so does every file kept long enough."""
    remove_old_exports()
    replace_earlier_exports(user, event, fmt)
    count = count_rows(event, filters)
    return start_job(
        EXPORT_KIND,
        f"Export of {count} registrations of {event.title} ({fmt.upper()})",
        user=user,
        event_id=event.id,
        fmt=fmt,
        filters=asdict(filters),
        download_url="",
    )


# Restartable: a run writes its own partial file and renames it into place whole.
@job(EXPORT_KIND, retry=True, cleanup=remove_partial_exports)
def export_registrations(progress, event_id: int, fmt: str, filters: dict, download_url: str):
    """Write the export to a file, whole or not at all."""
    event = db.session.get(Event, event_id)
    target = export_file(progress.record.id, fmt)
    # One partial file per run: a run that stalled past its lease never writes into the next's.
    partial = target.with_name(f"{target.stem}.{progress.record.attempts}.part")
    with atomic_write(target, partial) as out:
        count = write_export(event, fmt, out, Filters(**filters), progress=progress)
    size = target.stat().st_size
    return {
        "registrations": count,
        "url": download_url,
        "bytes": size,
        "label": f"Download the {FILE_KINDS[fmt]} ({count} registrations, {size / 1e6:.1f} MB)",
    }
