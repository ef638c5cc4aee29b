"""Command-line tools: ``flask --app conference <command>``."""

import getpass
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from conference import localtime
from conference.auth.services import create_api_token, create_user, find_user
from conference.errors import ConferenceError
from conference.extensions import db
from conference.files import atomic_write
from conference.registration.models import RegistrationStatus

users_cli = AppGroup("users", help="Manage user accounts.")
badges_cli = AppGroup("badges", help="Print badges.")
mail_cli = AppGroup("mail", help="Deliver the e-mail outbox.")
token_cli = AppGroup("api-token", help="Manage personal API tokens.")


def _fail(message: str):
    db.session.rollback()
    raise click.ClickException(message)


def event_for_command(slug: str):
    """The event a command's ``--event`` names, or a clear error (exit code 1)."""
    from conference.events.services import get_event

    try:
        return get_event(slug)
    except ConferenceError as exc:
        raise click.ClickException(f"{exc.message} ({slug})") from None


@contextmanager
def written_file(out_path: str):
    """A file written whole or not at all (``atomic_write``): a failure or an interruption
    leaves no half file under the name asked for."""
    target = Path(out_path)
    if not target.parent.is_dir():
        raise click.ClickException(
            f"There is no folder {str(target.parent)!r} to write {target.name} in: "
            "create it first, or choose another --out."
        )
    with ExitStack() as stack:
        try:
            out = stack.enter_context(atomic_write(target))
        except OSError as exc:
            raise click.ClickException(
                f"Cannot write in {str(target.parent)!r}: {exc.strerror}."
            ) from None
        yield out


@users_cli.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the user a site administrator.")
@click.option("--password", help="The password (asked for when not given).")
@click.option("--name", default="", help="The user's name.")
def create_user_command(email, admin, password, name):
    """Create an account for EMAIL."""
    if password is None:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            _fail("The two passwords differ.")
    try:
        user = create_user(email, password=password, name=name, is_admin=admin)
    except ConferenceError as exc:
        _fail(exc.message)
    db.session.commit()
    kind = "administrator" if admin else "user"
    click.echo(f"Created {kind} {user.email}.")


@token_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", help="What the token is for.")
def create_token_command(email, name):
    """Create an API token for EMAIL and print it (once)."""
    user = find_user(email)
    if user is None:
        _fail(f"No account uses {email}.")
    token, plain = create_api_token(user, name)
    db.session.commit()
    click.echo(plain)
    click.echo(
        f"Token {token.prefix}… for {user.email}: keep it safe, it is not shown again.", err=True
    )


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between checks.")
def send_mail_command(loop, interval):
    """Deliver every e-mail that is due (retries included)."""
    from conference.mail.services import deliver_outbox

    while True:
        report = deliver_outbox()
        while report.sent and not report.retried:  # a full batch: there may be more
            more = deliver_outbox()
            report.sent += more.sent
            report.retried += more.retried
            report.failed += more.failed
            if not more.sent:
                break
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        if not loop:
            return
        time.sleep(interval)


@badges_cli.command("pdf")
@click.option("--event", "slug", required=True, help="The event's slug, e.g. asean3-2024.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The PDF file to write.",
)
@click.option(
    "--layout",
    default="a6",
    show_default=True,
    type=click.Choice(["a6", "a7", "4x3", "card", "a4-4", "a4-6", "a4-8"]),
)
@click.option(
    "--status",
    default=RegistrationStatus.CONFIRMED.value,
    show_default=True,
    type=click.Choice([RegistrationStatus.CONFIRMED.value]),
    help="Badges are for confirmed delegates.",
)
@click.option("--cut-marks", is_flag=True, help="Print cut marks.")
@click.option("--back-side", is_flag=True, help="Add back sides for duplex printing.")
def badges_pdf_command(slug, out_path, layout, status, cut_marks, back_side):
    """Write a PDF of badges for the event's confirmed registrations, page by page."""
    from pathlib import Path

    from conference.badges.selection import badge_selection
    from conference.badges.services import render_badges_for
    from conference.events.services import get_event
    from conference.registration.history import COMMAND_LINE

    try:
        event = get_event(slug)
    except ConferenceError as exc:
        _fail(f"{exc.message} ({slug})")
    registrations = badge_selection(event)  # confirmed: the only --status there is
    target = Path(out_path)
    options = {"layout": layout, "cut_marks": cut_marks, "back_side": back_side}
    started = time.perf_counter()
    try:
        with atomic_write(target) as out:  # never leave half a PDF behind
            count = render_badges_for(
                event, registrations, out, count_printed=True, actor=COMMAND_LINE, **options
            )
    except ConferenceError as exc:
        _fail(exc.message)
    db.session.commit()
    seconds = time.perf_counter() - started
    click.echo(f"{count} badges ({layout}) written to {target} in {seconds:.1f} s.")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst):
    """Run a background worker on Redis (REDIS_URL); run as many as you like, anywhere.

    It first reaps the jobs of workers that died, then does so every JOB_REAP_SECONDS.
    """
    import os
    import threading

    from rq import Worker

    from conference.jobs import worker
    from conference.jobs.services import rq_queue

    if not current_app.config["REDIS_URL"]:
        _fail("Set REDIS_URL: without Redis, jobs run inside the web process already.")
    app = current_app._get_current_object()
    worker.APP = app
    worker.WORKER_PID = os.getpid()
    worker.housekeeping(app)
    stop = threading.Event()
    if not burst:
        worker.keep_house(app, stop)
    queue = rq_queue(current_app)
    try:
        Worker([queue], connection=queue.connection).work(burst=burst)
    finally:
        stop.set()


@click.command("demo")
@with_appcontext
@click.option(
    "--original-dates", is_flag=True, help="Keep 29-30 October 2024 instead of starting today."
)
def demo_command(original_dates):
    """Build (or refresh) the ASEAN+3 demo event and its staff accounts."""
    from conference.demo import build_demo

    today = localtime.today(ZoneInfo("Asia/Bangkok"))  # "today" where the demo event is
    event, accounts = build_demo(today, original_dates=original_dates)
    db.session.commit()
    click.echo(
        f"Demo event “{event.title}” at /events/{event.slug}/ "
        f"({event.start_date} to {event.end_date}, {event.timezone})."
    )
    for account in accounts:
        click.echo(f"  {account.role:<10} {account.email:<24} password: {account.password}")
    from conference.demo import invitation_codes
    from conference.registration.search import status_counts

    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in status_counts(event).items() if n)
    click.echo(f"Registrations: {counts}.")
    from sqlalchemy import func, select

    from conference.checkin.models import CheckIn

    arrived = db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id))
    click.echo(f"Checked in so far: {arrived} (scanner at /events/{event.slug}/checkin).")
    codes = ", ".join(f"{name} “{code}”" for name, code in invitation_codes())
    click.echo(f"Invitation codes: {codes}.")


translations_cli = AppGroup(
    "translations",
    help="The message catalogues: extract, update, compile and check them "
    "(docs/development.md, Translations).",
)


@translations_cli.command("extract")
@click.option(
    "--out",
    "out_path",
    default=None,
    help="Where to write the template (default: conference/translations/messages.pot).",
)
def translations_extract(out_path):
    """Write every message the code and templates mark for translation to a .pot file."""
    from babel.messages.pofile import write_po

    from conference import catalogues

    template = catalogues.extract()
    target = Path(out_path) if out_path else catalogues.SOURCE / "messages.pot"
    with written_file(str(target)) as out:
        write_po(out, template, width=100, include_lineno=False)
    click.echo(f"{len(template)} messages written to {target}.")


@translations_cli.command("update")
@click.option("--language", "codes", multiple=True, help="Only this language (repeatable).")
def translations_update(codes):
    """Bring each language's catalogue up to date with the messages the code uses."""
    from conference import catalogues
    from conference.languages import TRANSLATED

    unknown = [code for code in codes if code not in TRANSLATED]
    if unknown:
        raise click.ClickException(
            f"No catalogue for {', '.join(unknown)}: choose among {', '.join(TRANSLATED)}."
        )
    template = catalogues.extract()
    for path in catalogues.update(template, codes=codes or TRANSLATED):
        click.echo(f"updated {path.relative_to(catalogues.ROOT)}")
    click.echo(
        "Translate what is new (and confirm what is marked fuzzy), then run "
        "`flask --app conference translations check`."
    )


@translations_cli.command("compile")
def translations_compile():
    """Compile every catalogue (.po) to what gettext reads (.mo, beside it)."""
    from conference import catalogues

    compiled = catalogues.compile_all(force=True)
    click.echo(f"{len(compiled)} catalogues compiled.")


@translations_cli.command("check")
def translations_check():
    """Fail (exit code 1) when a catalogue lacks a message the code uses, or gets one wrong."""
    from conference import catalogues
    from conference.languages import TRANSLATED

    problems = catalogues.check(catalogues.extract())
    for problem in problems:
        click.echo(f"{problem.code}: {problem.problem}: {problem.message!r}")
    if problems:
        raise click.ClickException(f"{len(problems)} problems in the catalogues.")
    click.echo(f"Every message is translated in {len(TRANSLATED)} languages.")


def register_commands(app) -> None:
    """Attach every command to the app's CLI."""
    from conference.agenda.cli import agenda_cli
    from conference.certificates.cli import certificates_cli
    from conference.papers.cli import papers_cli
    from conference.registration.cli import registrations_cli

    commands = (
        users_cli,
        mail_cli,
        token_cli,
        badges_cli,
        certificates_cli,
        agenda_cli,
        papers_cli,
        registrations_cli,
        translations_cli,
        worker_command,
    )
    for command in (*commands, demo_command):
        app.cli.add_command(command)
