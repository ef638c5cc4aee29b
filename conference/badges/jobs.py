"""Large badge batches, rendered in the background."""

from pathlib import Path

from flask import current_app

from conference.badges.selection import badge_selection
from conference.badges.services import render_badges_for
from conference.events.models import Event
from conference.extensions import db
from conference.files import atomic_write
from conference.jobs.services import job
from conference.registration.history import user_or_system


def badge_file(job_id: str) -> Path:
    """Where a background batch's PDF is kept."""
    folder = Path(current_app.instance_path) / "badges"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.pdf"


def remove_partial_batches(job_id: str) -> None:
    """Remove the half-written PDFs of a batch's runs that were cut short."""
    for partial in badge_file(job_id).parent.glob(f"{job_id}.*.part"):
        partial.unlink(missing_ok=True)


# Restartable: a run writes its own partial file and renames it into place whole.
@job("badges.render", retry=True, cleanup=remove_partial_batches)
def render_batch(
    progress,
    event_id: int,
    ids: list,
    layout: str,
    cut_marks: bool,
    back_side: bool,
    download_url: str,
):
    """Render the badges to a file, written whole or not at all."""
    event = db.session.get(Event, event_id)
    registrations = badge_selection(event, ids=ids)
    target = badge_file(progress.record.id)
    # One partial file per run: a run that stalled past its lease never writes into the next's.
    partial = target.with_name(f"{target.stem}.{progress.record.attempts}.part")
    with atomic_write(target, partial) as out:
        count = render_badges_for(
            event,
            registrations,
            out,
            layout=layout,
            cut_marks=cut_marks,
            back_side=back_side,
            progress=progress,
            count_printed=True,
            actor=user_or_system(progress.record.user),
        )
    return {"badges": count, "url": download_url, "bytes": target.stat().st_size}
