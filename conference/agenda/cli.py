"""Agenda commands: ``flask --app conference agenda ...``."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from conference.errors import ConferenceError
from conference.files import atomic_write

agenda_cli = AppGroup("agenda", help="The agenda: the printed programme.")


@agenda_cli.command("programme")
@click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The PDF file to write.",
)
@click.option("--abstracts", is_flag=True, help="Print the talks' abstracts (cut short).")
def programme_command(slug, out_path, abstracts):
    """Write the printed programme of the event's published agenda as an A4 PDF."""
    from conference.agenda.programme import programme_pdf
    from conference.agenda.publishing import event_info, latest_publication, publication_stamp
    from conference.events.services import get_event

    try:
        event = get_event(slug)
    except ConferenceError as exc:
        raise click.ClickException(f"{exc.message} ({slug})") from None
    publication = latest_publication(event)
    if publication is None:
        raise click.ClickException(f"The agenda of {slug} is not published yet.")
    info = event_info(event) | publication_stamp(publication)
    target = Path(out_path)
    started = time.perf_counter()
    with atomic_write(target) as out:  # never leave half a PDF behind
        programme_pdf(info, publication.snapshot, out, abstracts=abstracts)
    seconds = time.perf_counter() - started
    click.echo(f"Programme version {publication.version} written to {target} in {seconds:.1f} s.")
