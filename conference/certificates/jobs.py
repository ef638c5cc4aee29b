"""Certificate work that runs in the background: all of an event's certificates as one
PDF, and sending them to every delegate."""

from pathlib import Path

from flask import current_app

from conference.certificates.sending import SEND_KIND, send_certificates
from conference.certificates.services import certified, render_certificates_for
from conference.events.models import Event
from conference.extensions import db
from conference.files import atomic_write
from conference.jobs.services import job

RENDER_KIND = "certificates.render"


def certificates_file(job_id: str) -> Path:
    """Where a background batch's PDF is kept."""
    folder = Path(current_app.instance_path) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.pdf"


def remove_partial_batches(job_id: str) -> None:
    """Remove the half-written PDFs of a batch's runs that were cut short."""
    for partial in certificates_file(job_id).parent.glob(f"{job_id}.*.part"):
        partial.unlink(missing_ok=True)


# Restartable: a run writes its own partial file and renames it into place whole.
@job(RENDER_KIND, retry=True, cleanup=remove_partial_batches)
def render_batch(progress, event_id: int, download_url: str):
    """Render every certificate of the event to a file, written whole or not at all."""
    event = db.session.get(Event, event_id)
    target = certificates_file(progress.record.id)
    partial = target.with_name(f"{target.stem}.{progress.record.attempts}.part")
    with atomic_write(target, partial) as out:
        count = render_certificates_for(event, certified(event), out, progress=progress)
    return {
        "certificates": count,
        "url": download_url,
        "label": "Download the certificates (PDF)",
        "bytes": target.stat().st_size,
    }


# Restartable: what a run sent was recorded with it, and a new run skips it.
@job(SEND_KIND, retry=True)
def send_batch(progress, event_id: int):
    """E-mail every delegate their certificate, once."""
    event = db.session.get(Event, event_id)
    sent = send_certificates(event, progress)
    return {"sent": sent}
