"""Paper commands: ``flask --app conference papers book|zip --event SLUG --out FILE``."""

import time

import click
from flask import current_app
from flask.cli import AppGroup

from conference.cli import event_for_command, written_file
from conference.papers.models import PaperStatus

papers_cli = AppGroup("papers", help="Papers: the book of abstracts and the files.")

EVENT = click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")


def _out(help_text: str):
    return click.option(
        "--out", "out_path", required=True, type=click.Path(dir_okay=False), help=help_text
    )


@papers_cli.command("book")
@EVENT
@_out("The PDF file to write.")
def book_command(slug, out_path):
    """Write the book of abstracts of the event's accepted papers as an A4 PDF."""
    from conference.papers.downloads import write_book

    event = event_for_command(slug)
    started = time.perf_counter()
    with written_file(out_path) as out:
        count = write_book(event, out)
    seconds = time.perf_counter() - started
    click.echo(
        f"Book of abstracts ({count} accepted papers) written to {out_path} in {seconds:.1f} s."
    )


@papers_cli.command("zip")
@EVENT
@_out("The ZIP file to write.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    default=("all",),
    show_default=True,
    type=click.Choice(["all", *(status.value for status in PaperStatus)]),
    help="Papers of this status (repeat for several); all: every paper not withdrawn.",
)
def zip_command(slug, out_path, statuses):
    """Write the latest version of the event's papers as a ZIP with readable file names."""
    from conference.papers.archive import zip_stream
    from conference.papers.downloads import papers_for_download, zip_entries
    from conference.papers.storage import storage_from_config

    event = event_for_command(slug)
    started = time.perf_counter()
    papers = papers_for_download(event, [] if "all" in statuses else list(statuses))
    entries = zip_entries(papers, storage_from_config(current_app))
    with written_file(out_path) as out:
        for chunk in zip_stream(entries):
            out.write(chunk)
    seconds = time.perf_counter() - started
    click.echo(f"{len(entries)} papers written to {out_path} in {seconds:.1f} s.")


@papers_cli.command("sweep")
@click.option(
    "--older-than",
    "older_than",
    type=click.FloatRange(min=0),
    help="Seconds (default PAPERS_ORPHAN_SECONDS): younger files may be uploads finishing.",
)
def sweep_command(older_than):
    """Remove stored files that no paper version names (uploads cut short leave them)."""
    from conference.extensions import db
    from conference.papers.cleanup import remove_orphan_files

    removed = remove_orphan_files(older_than)
    db.session.commit()
    count = len(removed)
    click.echo(f"Removed {count} stored file{'' if count == 1 else 's'} without a paper version.")
