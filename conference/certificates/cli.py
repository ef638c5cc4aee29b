"""Certificate commands: ``flask --app conference certificates pdf ...``."""

import time

import click
from flask.cli import AppGroup

from conference.cli import event_for_command, written_file
from conference.errors import ConferenceError
from conference.extensions import db

certificates_cli = AppGroup("certificates", help="Certificates of attendance.")


@certificates_cli.command("pdf")
@click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The PDF file to write.",
)
def pdf_command(slug, out_path):
    """Write the certificate of every delegate checked in at least once, one per page."""
    from conference.certificates.services import certified, render_certificates_for

    event = event_for_command(slug)
    chosen = certified(event)
    if not len(chosen):
        raise click.ClickException(
            f"Nobody has been checked in at {event.title} ({slug}) yet: certificates of "
            "attendance are for delegates who were checked in at least once. No file written."
        )
    started = time.perf_counter()
    try:
        with written_file(out_path) as out:  # never leaves half a PDF behind
            count = render_certificates_for(event, chosen, out)
    except ConferenceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    seconds = time.perf_counter() - started
    noun = "certificate" if count == 1 else "certificates"
    click.echo(f"{count} {noun} written to {out_path} in {seconds:.1f} s.")
