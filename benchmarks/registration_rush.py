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
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import figure, fresh_app_env, gunicorn, loadgen, machine, run_python  # noqa: E402


def setup(env: dict, places: int) -> tuple[str, int]:
    """Migrate, and create the event and its category; returns (slug, category id)."""
    script = f"""
from datetime import date, timedelta
from conference import create_app
from conference.extensions import db
from conference.auth.services import create_user
from conference.events.services import EventDetails, create_event
from conference.registration.settings import save_category
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
    return "rush", int(run_python(env, script).strip().splitlines()[-1])


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

    with fresh_app_env("rush") as (env, url, tmp):
        slug, category_id = setup(env, args.places)
        body_file = tmp / "bodies.jsonl"
        bodies(body_file, category_id, args.requests)
        with gunicorn(env, args.workers) as port:
            line = loadgen(
                port,
                f"/api/v1/events/{slug}/registrations",
                body_file,
                "--concurrency",
                str(args.concurrency),
                "--label",
                "registration_rush",
                "--max-seconds",
                "120",
                "--ok-codes",
                "202",  # registering answers 202 for every address (issue 11, #10)
            )
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
    rps = figure(line, "rps")
    errors, net_errors = int(figure(line, "http_errors")), int(figure(line, "net_errors"))
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


if __name__ == "__main__":
    sys.exit(main())
