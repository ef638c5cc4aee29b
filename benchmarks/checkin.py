#!/usr/bin/env python3
"""Check-in rush: 1,000 distinct badge scans, then the same 1,000 again.

gunicorn with 2 sync workers on a fresh PostgreSQL database; 8 concurrent keep-alive clients
from the shared loopback load generator (../shared/bench/loadgen.py). Before the measured
passes, 64 scans of a pending delegate's badge (refused, so no check-in) warm the workers
up. Bars on a 2-core machine: at least 500 scans/s and p99 at most 50 ms for both passes;
exactly 1,000 check-ins recorded.

    .venv/bin/pip install -e '.[serve]'
    .venv/bin/python benchmarks/checkin.py [--scans 1000]
"""

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import figure, fresh_app_env, gunicorn, loadgen, machine, run_python  # noqa: E402

SETUP = """
import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
from conference import create_app
from conference.extensions import db
from conference.auth.services import create_user, create_api_token, grant_role
from conference.badges.services import Signer
from conference.events.services import EventDetails, create_event
from conference.registration.registering import Context, register
from conference.registration.settings import save_category
from conference.registration.validation import RegistrationData
app = create_app()
with app.app_context():
    organiser = create_user("bench@example.org", password="bench password 1")
    # The event-local day: check-ins are refused on days outside the event.
    today = datetime.now(ZoneInfo("Asia/Bangkok")).date()
    event = create_event(EventDetails(title="Door", slug="door", country="TH",
        timezone="Asia/Bangkok", start_date=today, end_date=today), organiser)
    category = save_category(event, None, name="Delegate")
    staff = create_user("door@example.org", password="bench password 2")
    grant_role(event, staff, "checkin")
    _, token = create_api_token(staff, "Door A")
    people = []
    for n in range({count}):
        people.append(register(event, RegistrationData(category_id=category.id,
            given_name="Somchai", family_name=f"Door{{n}}", native_name="สมชาย",
            email=f"door{{n}}@example.org", country="TH", organisation="Khon Kaen",
            privacy_accepted=True), Context(notify=False, by_organiser=True)))
    press = save_category(event, None, name="Press", requires_approval=True)
    pending = register(event, RegistrationData(category_id=press.id, given_name="Warm",
        family_name="Up", email="warm@example.org", country="TH", organisation="Press",
        privacy_accepted=True), Context(notify=False, by_organiser=True))
    db.session.flush()
    signer = Signer(event)
    tokens = [signer.token(p) for p in people]
    warm = signer.token(pending)
    db.session.commit()
    json.dump({{"api_token": token, "tokens": tokens, "warm": warm}}, sys.stdout)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with fresh_app_env("checkin") as (env, url, tmp):
        data = json.loads(run_python(env, SETUP.format(count=args.scans)).strip().splitlines()[-1])
        bodies = tmp / "scans.jsonl"
        with bodies.open("w") as fh:
            for token in data["tokens"]:
                fh.write(json.dumps({"token": token, "station": "Door A"}) + "\n")
        # Warm the workers up (connections, compiled statements, keys) with the badge of a
        # pending registration: refused, so it adds no check-in.
        warm = tmp / "warm.jsonl"
        warm.write_text((json.dumps({"token": data["warm"], "station": "Warm-up"}) + "\n") * 64)
        auth = ("--header", f"Authorization: Bearer {data['api_token']}")
        path = "/api/v1/events/door/checkins"
        lines = []
        with gunicorn(env, args.workers) as port:
            loadgen(
                port,
                path,
                warm,
                "--concurrency",
                str(args.concurrency),
                "--ok-codes",
                "422",
                *auth,
                "--label",
                "warm_up",
            )
            for label in ("first_pass", "second_pass"):
                line = loadgen(
                    port,
                    path,
                    bodies,
                    "--concurrency",
                    str(args.concurrency),
                    *auth,
                    "--label",
                    f"checkin_{label}",
                    "--status-field",
                    "result",
                    "--ok-codes",
                    "200,201",
                    "--max-seconds",
                    "120",
                )
                print(line)
                lines.append(line)
        engine = create_engine(url)
        with engine.connect() as conn:
            check_ins = conn.execute(text("SELECT count(*) FROM check_in")).scalar()
            logs = conn.execute(text("SELECT count(*) FROM scan_log")).scalar()
        engine.dispose()
    ok = check_ins == args.scans and all(
        figure(line, "rps") >= 500
        and figure(line, "p99_ms") <= 50
        and figure(line, "http_errors") == 0
        for line in lines
    )
    print(f"machine: {machine()}")
    print(f"check_ins={check_ins} scan_log={logs}")
    print(
        f"checkin: {'PASS' if ok else 'FAIL'} (bars: >= 500 scans/s, p99 <= 50 ms, "
        f"exactly {args.scans} check-ins)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
