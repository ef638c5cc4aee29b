"""Agenda commands: ``flask --app conference agenda ...``."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from conference.cli import event_for_command
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

    event = event_for_command(slug)
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


class _Obstacle(click.ClickException):
    """No schedule can be written: a malformed instance, or none is valid (exit 2)."""

    exit_code = 2


def _read_document(path: str, what: str):
    """A JSON document (gzipped or not) from a file; exit 2 naming the file otherwise."""
    import gzip
    import json

    try:
        raw = Path(path).read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw)
    except (OSError, EOFError) as exc:
        raise _Obstacle(f"{what} {path}: cannot be read ({exc}).") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Obstacle(f"{what} {path}: not JSON ({exc}).") from None


@agenda_cli.command("solve")
@click.argument("instance_path", metavar="INSTANCE.json", type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The solution file to write (format 1).",
)
@click.option(
    "--time-limit",
    "time_limit",
    required=True,
    type=click.FloatRange(min=0),
    help="Seconds to search; the best schedule found by then is written.",
)
@click.option(
    "--previous",
    "previous_path",
    type=click.Path(dir_okay=False),
    help="A solution to change as little as possible (replaces the instance's previous).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the search.")
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Workers: annealing chains (the first here, the others in helper processes).",
)
def solve_command(instance_path, out_path, time_limit, previous_path, seed, workers):
    """Place the talks of a schedule instance (format 1) into parallel sessions.

    Progress goes to stderr. Exit 0 with the best schedule written to --out; exit 2,
    writing nothing, when the instance is malformed or no valid schedule exists.
    """

    from conference.scheduling import INFEASIBLE, InstanceError, Search
    from conference.scheduling.objective import solution_text

    doc = _read_document(instance_path, "Instance")
    previous = _read_document(previous_path, "Previous solution") if previous_path else None

    def progress(p):
        terms = ", ".join(f"{name} {value}" for name, value in p.terms.items())
        bound = "" if p.bound is None else f", bound {p.bound}"
        click.echo(f"{p.seconds:7.1f} s  objective {p.objective} ({terms}){bound}", err=True)

    try:
        search = Search(doc, previous=previous, seed=seed, workers=workers, on_progress=progress)
    except InstanceError as exc:
        if exc.field.startswith("previous."):
            raise _Obstacle(f"Malformed previous solution {previous_path}: {exc.message}") from None
        raise _Obstacle(f"Malformed instance {instance_path}: {exc.message}") from None
    click.echo(
        f"Solving {search.inst.name}: {search.inst.n_talks} talks, {search.inst.n_blocks} "
        f"blocks, {search.inst.n_rooms} rooms, for {time_limit:g} s.",
        err=True,
    )
    result = search.run(time_limit)
    if result.status == INFEASIBLE or result.solution is None:
        reasons = "\n".join(f"- {reason}" for reason in result.reasons) or "- none was found"
        raise _Obstacle(f"No valid schedule for {instance_path}:\n{reasons}")
    target = Path(out_path)
    with atomic_write(target) as out:
        out.write(solution_text(result.solution).encode())
    first = result.first_solution_seconds
    click.echo(
        f"{result.status.capitalize()}: objective {result.objective}, bound {result.bound}, "
        f"first schedule after {first:.2f} s; written to {target}.",
        err=True,
    )


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

    event = event_for_command(slug)
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

    event = event_for_command(slug)
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
