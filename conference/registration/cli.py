"""Registration commands: ``flask --app conference registrations export ...``."""

import time

import click
from flask.cli import AppGroup

from conference.cli import event_for_command, written_file
from conference.registration.exports import EXPORT_FORMATS

registrations_cli = AppGroup("registrations", help="Registrations: exports.")


@registrations_cli.command("export")
@click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(list(EXPORT_FORMATS)),
    help="CSV (UTF-8 with a byte-order mark, for Excel) or an Excel workbook.",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The file to write.",
)
def export_command(slug, fmt, out_path):
    """Write every registration of the event, as the organisers' export has them."""
    from conference.registration.exports import write_export

    event = event_for_command(slug)
    started = time.perf_counter()
    with written_file(out_path) as out:
        count = write_export(event, fmt, out)
    seconds = time.perf_counter() - started
    noun = "registration" if count == 1 else "registrations"
    click.echo(f"{count} {noun} written to {out_path} in {seconds:.1f} s.")
