"""Agenda commands: ``flask --app conference agenda ...``."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from conference.errors import ConferenceError
from conference.files import atomic_write

agenda_cli = AppGroup(
    "agenda", help="The agenda: the printed programme, scheduling instances and solutions."
)


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


def _event(slug):
    from conference.events.services import get_event

    try:
        return get_event(slug)
    except ConferenceError as exc:
        raise click.ClickException(f"{exc.message} ({slug})") from None


@agenda_cli.command("export-instance")
@click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The JSON file to write (format conference-schedule-instance/1).",
)
@click.option(
    "--previous",
    type=click.Choice(["none", "draft", "published"]),
    default="none",
    show_default=True,
    help="The placement few talks should leave: none, the draft's or the published one.",
)
def export_instance_command(slug, out_path, previous):
    """Write the event's parallel sessions as a scheduling instance (format 1) for a
    solver: blocks, rooms, tracks, presenters, talks, delegates' interests."""
    import json

    from conference.agenda.instances import export_instance
    from conference.extensions import db

    event = _event(slug)
    try:
        kept = export_instance(event, previous=None if previous == "none" else previous)
    except ConferenceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    doc = kept.document
    with atomic_write(Path(out_path)) as out:
        out.write(json.dumps(doc, ensure_ascii=False, indent=1).encode())
    db.session.commit()  # kept once written: a solution to it can then be read back
    fixed = sum(1 for t in doc["talks"] if "fixed" in t)
    interests = sum(len(a["interests"]) for a in doc["attendees"])
    click.echo(
        f"Instance {doc['name']} written to {out_path}: {len(doc['blocks'])} blocks, "
        f"{len(doc['rooms'])} rooms, {len(doc['talks'])} talks ({fixed} kept where they are), "
        f"{len(doc['attendees'])} delegates with {interests} interests."
    )


@agenda_cli.command("import-solution")
@click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")
@click.argument("solution_path", type=click.Path(dir_okay=False, exists=True))
def import_solution_command(slug, solution_path):
    """Read a solution (format 1) to an instance exported from the event into the draft
    agenda: one parallel session per block and room. Refused, with nothing written, when
    it breaks a rule or the agenda changed since the export."""
    import gzip
    import json

    from conference.agenda.draft import agenda_conflicts
    from conference.agenda.instances import SolutionRefused, apply_solution
    from conference.extensions import db

    event = _event(slug)
    raw = Path(solution_path).read_bytes()
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        solution = json.loads(raw)
    except (OSError, EOFError, ValueError) as exc:
        raise click.ClickException(f"{solution_path} is not a JSON file: {exc}") from None
    try:
        applied = apply_solution(event, solution)
    except ConferenceError as exc:
        db.session.rollback()
        for line in getattr(exc, "problems", ()) if isinstance(exc, SolutionRefused) else ():
            click.echo(f"  - {line}", err=True)
        raise click.ClickException(exc.message) from None
    db.session.commit()
    hard = sum(1 for c in agenda_conflicts(event) if c.hard)
    click.echo(
        f"Solution to {applied.instance} read into the draft: {len(applied.talks_moved)} "
        f"talks placed or moved; sessions {applied.sessions_created} new, "
        f"{applied.sessions_changed} changed, {applied.sessions_deleted} deleted. "
        f"Delegates torn between rooms: {applied.conflicts_before} → {applied.conflicts_after}."
    )
    for line in applied.chairs_dropped:
        click.echo(f"  - {line}")
    if applied.signups_dropped:
        click.echo(f"  - {applied.signups_dropped} sign-ups went with the deleted sessions.")
    if hard:
        click.echo(f"The draft has {hard} conflict(s) that block publishing: see the editor.")
    click.echo("Nothing is published: look at the draft in the editor, then publish.")
