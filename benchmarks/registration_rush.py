#!/usr/bin/env python3
"""Registration rush: 1,000 API registrations from 16 clients at a category with 200 places.

gunicorn with 4 workers on a fresh PostgreSQL database; the load comes from the shared
loopback load generator (../shared/bench/loadgen.py). Bar: exactly 200 places taken,
800 on the waiting list, no 5xx, at least 150 registrations/s on a 2-core machine.

    .venv/bin/pip install -e '.[serve]'
    .venv/bin/python benchmarks/registration_rush.py [--requests 1000] [--places 200]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/
for the server; a database of its own is created and dropped). Mail is queued in the outbox
in the same transaction as each registration, as always; delivering it is left to `flask
mail send`, so the figure measures registering, not SMTP.
"""

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
LOADGEN = Path(os.environ.get("LOADGEN", ROOT.parent / "shared" / "bench" / "loadgen.py"))
SERVER_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine() -> str:
    cpu = ""
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except (OSError, AttributeError):
        cpu = platform.processor()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {cpu.strip()}"


def setup(env: dict, places: int) -> tuple[str, int]:
    """Migrate, and create the event and its category; returns (slug, category id)."""
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "conference"]
    subprocess.run([*flask, "db", "upgrade"], env=env, check=True, capture_output=True)
    script = f"""
from datetime import date, timedelta
from conference import create_app
from conference.extensions import db
from conference.auth.services import create_user
from conference.events.services import EventDetails, create_event
from conference.registration.services import save_category
app = create_app()
with app.app_context():
    user = create_user("bench@example.org", password="bench password 1")
    start = date.today() + timedelta(days=30)
    event = create_event(EventDetails(title="Rush", slug="rush", country="TH",
        timezone="Asia/Bangkok", start_date=start, end_date=start), user)
    category = save_category(event, None, name="Observer", capacity={places})
    db.session.commit()
    print(category.id)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return "rush", int(result.stdout.strip().splitlines()[-1])


def bodies(path: Path, category_id: int, count: int) -> None:
    with path.open("w") as fh:
        for n in range(count):
            fh.write(
                json.dumps(
                    {
                        "category_id": category_id,
                        "given_name": "Somchai",
                        "family_name": f"Rush{n}",
                        "native_name": "สมชาย",
                        "email": f"rush{n}@example.org",
                        "phone": "+66 81 234 5678",
                        "country": "TH",
                        "organisation": "Khon Kaen Municipality",
                        "privacy_accepted": True,
                    }
                )
                + "\n"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    name = f"conference_bench_{os.getpid()}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    tmp = Path(tempfile.mkdtemp(prefix="rush-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "benchmark-secret-key-0123456789",
        "CONFERENCE_INSTANCE_PATH": str(tmp),
        "RATELIMIT_ENABLED": "false",
        "MAIL_DELIVER_AFTER_COMMIT": "false",
        "LOG_LEVEL": "WARNING",
    }
    server = None
    try:
        slug, category_id = setup(env, args.places)
        port = free_port()
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "conference:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        body_file = tmp / "bodies.jsonl"
        bodies(body_file, category_id, args.requests)
        load = subprocess.run(
            [
                sys.executable,
                str(LOADGEN),
                "--url",
                f"http://127.0.0.1:{port}/api/v1/events/{slug}/registrations",
                "--bodies",
                str(body_file),
                "--concurrency",
                str(args.concurrency),
                "--label",
                "registration_rush",
                "--status-field",
                "status",
                "--max-seconds",
                "120",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        line = load.stdout.strip().splitlines()[-1]
        print(line)
        engine = create_engine(url)
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    text("SELECT status, count(*) FROM registration GROUP BY status")
                ).all()
            )
            taken = conn.execute(
                text("SELECT places_taken FROM category WHERE id = :id"), {"id": category_id}
            ).scalar()
            mails = conn.execute(text("SELECT count(*) FROM outbox_message")).scalar()
        engine.dispose()
        rps = float(re.search(r"rps=([\d.]+)", line).group(1))
        errors = int(re.search(r"http_errors=(\d+)", line).group(1))
        net_errors = int(re.search(r"net_errors=(\d+)", line).group(1))
        confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
        ok = (
            confirmed == args.places == taken
            and waitlisted == args.requests - args.places
            and errors == 0
            and net_errors == 0
            and rps >= 150
        )
        print(f"machine: {machine()}")
        print(
            f"confirmed={confirmed} waitlisted={waitlisted} places_taken={taken} "
            f"outbox={mails} http_errors={errors} net_errors={net_errors}"
        )
        print(
            f"registration_rush: {rps:.0f} registrations/s, {confirmed} placed, "
            f"{waitlisted} waitlisted -> {'PASS' if ok else 'FAIL'} (bar: 150/s, exact counts)"
        )
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
