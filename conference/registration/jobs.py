"""Registration work that runs in the background."""

from pathlib import Path

from conference.events.models import Event
from conference.extensions import db
from conference.jobs.services import job
from conference.registration.exports import read_table
from conference.registration.imports import run_import


# Restartable: a run cut short committed nothing.
@job("registration.import", atomic=True, retry=True)
def import_registrations(progress, event_id: int, path: str, send_emails: bool, done_url: str):
    """Import a checked file: every row in one transaction, or none."""
    event = db.session.get(Event, event_id)
    file = Path(path)
    rows = read_table(file.name, file.read_bytes())
    count = run_import(event, rows, send_emails=send_emails, progress=progress)
    db.session.flush()
    file.unlink(missing_ok=True)
    return {"imported": count, "url": done_url}
