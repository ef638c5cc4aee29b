#!/usr/bin/env python3
"""Scale: one event of 1,000, 10,000 and 100,000 registrations on PostgreSQL (issue 13).

For each size, on a fresh database: the demo event (``flask demo``: its categories,
questions, delegations, programme and morning queue), then copies of its 271 delegates up
to the size, inserted in bulk with the columns the app itself writes (``search_text`` folded
by ``search_text()``, a management nonce each, answers, delegations of their own, a status
mix of about 92% confirmed, 5% cancelled, 3% pending approval) and 40% of everyone checked
in today at the door (check-in and scan-log rows as a scan writes them). Two app calls check
the copies: a copy's page renders for the organiser, and a copy's badge scans in.

Then gunicorn (2 sync workers) and an RQ worker (``flask worker``) serve it, and the script
measures:

- the scanner's offline data, full (Accept-Encoding: gzip; median of 5, response read
  whole; bytes as transferred) and a delta (``?since=<cursor>``) after a new registration,
  a cancellation and 3 check-ins;
- the organisers' live arrivals JSON, registration list and a name search (medians);
- CSV and XLSX exports of everyone, and the badge PDF for everyone (``flask badges pdf``):
  wall time and peak memory of the process that did the work;
- the door: 20 threads scanning badges of delegates not checked in yet (the shared load
  generator), alone and while 10 threads download the offline data again and again;
- the gunicorn workers' memory after all of it.

It prints a line per size, PASS/FAIL for each bar at the largest size, the README's table
and the machine. Exit status 1 if a bar is missed there.

    .venv/bin/pip install -e '.[serve]'
    .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000]

Needs PostgreSQL (BENCH_DATABASE_URL) and Redis (SCALE_REDIS_URL, default database 12 on
127.0.0.1; the jobs use a queue of their own). At 100,000 it takes a quiet machine and
about 10 minutes.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    FLASK,
    ROOT,
    children,
    figure,
    fresh_app_env,
    gunicorn_server,
    loadgen,
    machine,
    memory_mib,
    run_measured,
    run_python,
)

SIZES = (1_000, 10_000, 100_000)
SCANNERS, DOWNLOADERS = 20, 10
DELEGATION_SETS = 30  # at most ~1,000 delegations, whatever the size (see load())
RELOAD_SECONDS = 5  # how often every door phone reloads at once in the door test
DOOR_SCANS = 4_000  # per pass
REDIS_URL = os.environ.get("SCALE_REDIS_URL", "redis://127.0.0.1:6379/12")
SLUG = "asean3-2024"  # the demo event's
CHECK_IN_SHARE = 0.40

# Bars at the largest size: (label, figure key, comparison, limit, unit).
BARS = (
    ("offline full, server time", "offline_ms", "<=", 1000, "ms"),
    ("offline full, the first (built then)", "offline_first_ms", "<=", 1000, "ms"),
    ("offline full, transferred", "offline_mb", "<=", 6, "MB"),
    ("offline delta", "delta_ms", "<=", 50, "ms"),
    ("arrivals JSON", "arrivals_ms", "<=", 50, "ms"),
    ("organiser list", "list_ms", "<=", 50, "ms"),
    ("organiser search", "search_ms", "<=", 50, "ms"),
    ("CSV export peak memory", "csv_mib", "<", 300, "MiB"),
    ("XLSX export peak memory", "xlsx_mib", "<", 300, "MiB"),
    ("badge PDF peak memory", "badges_mib", "<", 300, "MiB"),
    ("door with downloaders, scans/s", "door_busy_rps", ">=", 300, "/s"),
    ("door with downloaders, p99", "door_busy_p99", "<=", 100, "ms"),
)


# Loading (runs in a subprocess with the app's environment) ---------------------------


def load(size: int) -> dict:
    """Build the demo event and copy its delegates up to ``size``; what the measures need."""
    import random
    import secrets
    from datetime import timedelta
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, insert, select, text, update
    from sqlalchemy.orm import selectinload

    from conference import create_app, localtime
    from conference.auth.services import create_api_token, find_user
    from conference.badges.services import Signer
    from conference.checkin.models import CheckIn, ScanLog
    from conference.dbtypes import utcnow
    from conference.demo import build_demo, demo_password
    from conference.extensions import db
    from conference.localtime import day_bounds
    from conference.registration.models import (
        HOLDS_PLACE,
        Answer,
        Category,
        Delegation,
        Registration,
        RegistrationStatus,
    )
    from conference.registration.search import search_text

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        event, accounts = build_demo(localtime.today(ZoneInfo("Asia/Bangkok")))
        db.session.flush()
        demo_seconds = time.perf_counter() - started
        people = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id)
            .options(selectinload(Registration.answers))
            .order_by(Registration.id)
        ).all()
        categories = {c.name: c for c in db.session.scalars(select(Category)).all()}
        # An event of this size has no 10-place category: the organisers lifted the limits.
        for category in categories.values():
            category.capacity = None
        door_staff = find_user("checkin@example.org")
        delegations = db.session.scalars(
            select(Delegation).where(Delegation.event_id == event.id).order_by(Delegation.id)
        ).all()
        db.session.flush()

        copying = time.perf_counter()
        rng = random.Random(13)
        copies = max(size - len(people), 0)
        batches = (copies + len(people) - 1) // len(people)
        now = utcnow()
        table = Registration.__table__

        def insert_rows(table, rows):
            """Insert rows in batches; their new ids, taken from the table's sequence."""
            ids = sorted(
                db.session.execute(
                    text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                         "FROM generate_series(1, :count)"),
                    {"table": table.name, "count": len(rows)},
                ).scalars()
            )  # fmt: skip
            for row, new_id in zip(rows, ids, strict=True):
                row["id"] = new_id
            for at in range(0, len(rows), 5_000):
                db.session.execute(insert(table), rows[at : at + 5_000])
            return ids

        # Copies travel in delegations of their own ("Nanjing 2", ...): a new set for each
        # batch of copies, up to DELEGATION_SETS sets, which later batches share (a city
        # sends a delegation of some 100 people to an event of 100,000, not of 8).
        sets = min(batches, DELEGATION_SETS)
        delegation_rows = [
            {
                "event_id": event.id,
                "name": f"{d.name} {batch + 2}",
                "country": d.country,
                "created_at": now,
            }
            for batch in range(sets)
            for d in delegations
        ]
        delegation_ids = insert_rows(Delegation.__table__, delegation_rows)
        delegation_of = {}
        for n, delegation_id in enumerate(delegation_ids):
            batch, d = divmod(n, len(delegations))
            for shared in range(batch, batches, sets):
                delegation_of[shared, delegations[d].id] = delegation_id

        rows, statuses, answers_of = [], [], []
        press, delegate = categories["Press"], categories["Delegate"]
        for n in range(copies):
            batch, person = divmod(n, len(people))
            template = people[person]
            local, _, domain = template.email.partition("@")
            created = now - timedelta(minutes=rng.randrange(1, 60 * 24 * 60))
            draw = rng.random()
            if draw < 0.05:
                status, category = RegistrationStatus.CANCELLED, template.category_id
            elif draw < 0.08:
                status, category = RegistrationStatus.PENDING_APPROVAL, press.id
            else:
                status = RegistrationStatus.CONFIRMED
                category = delegate.id if template.category_id == press.id else template.category_id
            row = {
                "event_id": event.id,
                "category_id": category,
                "delegation_id": delegation_of.get((batch, template.delegation_id)),
                "is_delegation_head": template.is_delegation_head,
                "user_id": None,
                "status": status.value,
                "email": f"{local}+{batch + 2}@{domain}",
                **{
                    name: getattr(template, name)
                    for name in (
                        "title",
                        "given_name",
                        "family_name",
                        "name_order",
                        "native_name",
                        "badge_name",
                        "phone",
                        "country",
                        "organisation",
                        "position",
                        "dietary",
                        "accessibility",
                        "list_consent",
                        "source",
                    )
                },
                "visa_requested": False,  # no passport details copied
                "badge_reissue": 0,
                "badge_printed_count": 0,
                "organiser_note": "",
                "manage_nonce": secrets.token_hex(8),
                "privacy_accepted_at": created,
                "email_verified_at": created if template.email_verified_at else None,
                "created_at": created,
                "updated_at": created,
                "status_changed_at": created,
                "waitlisted_at": None,
            }
            row["search_text"] = search_text(SimpleNamespace(**row))
            rows.append(row)
            statuses.append(status)
            answers_of.append(template.answers)
        ids = insert_rows(table, rows)
        answer_rows = [
            {"registration_id": rid, "question_id": a.question_id, "value": a.value}
            for rid, answers in zip(ids, answers_of, strict=True)
            for a in answers
        ]
        for at in range(0, len(answer_rows), 10_000):
            db.session.execute(insert(Answer.__table__), answer_rows[at : at + 10_000])

        # 40% of everyone checked in at the doors this morning (the demo has its own few).
        today = localtime.today(event.tz)
        midnight = day_bounds(today, event.tz)[0]
        earliest = max(midnight, now - timedelta(hours=3))
        confirmed = [rid for rid, s in zip(ids, statuses, strict=True) if s == "confirmed"]
        rng.shuffle(confirmed)
        arrived_already = db.session.scalar(
            select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id)
        )
        wanted = max(round(CHECK_IN_SHARE * max(size, len(people))) - arrived_already, 0)
        arriving, waiting = confirmed[:wanted], confirmed[wanted:]
        index_of = {rid: n for n, rid in enumerate(ids)}
        check_ins, logs = [], []
        span = max((now - earliest).total_seconds() - 60, 1)
        for n, rid in enumerate(arriving):
            at = earliest + timedelta(seconds=span * n / max(len(arriving), 1))
            values = {
                "event_id": event.id,
                "registration_id": rid,
                "scope": f"day:{today.isoformat()}",
                "station": ("Door A", "Door B", "Door C")[n % 3],
                "scanned_at": at,
                "recorded_at": at,
                "user_id": door_staff.id,
            }
            person = rows[index_of[rid]]  # the check-in keeps its category and country
            check_ins.append(
                {
                    **values,
                    "day": today,
                    "session_id": None,
                    "category_id": person["category_id"],
                    "country": person["country"],
                }
            )
            logs.append(
                {
                    **values,
                    "action": "checkin",
                    "result": "ok",
                    "message": "Checked in.",
                    "client_ref": str(uuid.UUID(int=rng.getrandbits(128))),
                    "scan_digest": None,
                }
            )
        for at in range(0, len(check_ins), 10_000):
            db.session.execute(insert(CheckIn.__table__), check_ins[at : at + 10_000])
            db.session.execute(insert(ScanLog.__table__), logs[at : at + 10_000])

        # The places each category holds, counted as the app keeps them.
        for category in categories.values():
            db.session.execute(
                update(Category)
                .where(Category.id == category.id)
                .values(
                    places_taken=select(func.count(Registration.id))
                    .where(
                        Registration.category_id == category.id,
                        Registration.status.in_([s.value for s in HOLDS_PLACE]),
                    )
                    .scalar_subquery()
                )
            )
        copy_seconds = time.perf_counter() - copying
        _, api_token = create_api_token(door_staff, "Door phones")
        signer = Signer(event)

        def token(rid):
            return signer.token(SimpleNamespace(id=rid, badge_reissue=0))

        pending = (
            next(rid for rid, s in zip(ids, statuses, strict=True) if s == "pending_approval")
            if copies
            else None
        )
        organiser = next(a for a in accounts if a.role == "organiser")
        pool = waiting[: 2 * DOOR_SCANS + 10]
        result = {
            "slug": event.slug,
            "api_token": api_token,
            "organiser": [organiser.email, demo_password(organiser.email)],
            "cancel_id": pool[0],
            "delta_tokens": [token(rid) for rid in pool[1:4]],
            "tokens": [token(rid) for rid in pool[4:]],
            "warm": token(pending) if pending else None,
            "copy": {"id": ids[-1], "email": rows[-1]["email"]} if copies else None,
            "search": people[0].family_name,
            "counts": dict(
                db.session.execute(
                    select(Registration.status, func.count())
                    .where(Registration.event_id == event.id)
                    .group_by(Registration.status)
                ).all()
            ),
            "check_ins": arrived_already + len(arriving),
            "demo_seconds": demo_seconds,
            "copy_seconds": copy_seconds,
        }
        db.session.commit()
        # What autovacuum does within a minute of such a load (PostgreSQL's default; this
        # benchmark's server may run without it): statistics for the planner, and the
        # visibility map, without which counts read every row instead of an index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        return result


CHANGE = """
from sqlalchemy import select
from conference import create_app
from conference.extensions import db
from conference.events.services import get_event
from conference.registration.models import Category, Question, Registration
from conference.registration.places import change_status
from conference.registration.registering import Context, register
from conference.registration.validation import RegistrationData
app = create_app()
with app.app_context():
    event = get_event({slug!r})
    delegate = db.session.scalar(select(Category).where(Category.event_id == event.id,
        Category.name == "Delegate"))
    choice = db.session.scalar(select(Question).where(Question.event_id == event.id,
        Question.type == "single_choice"))
    register(event, RegistrationData(category_id=delegate.id, given_name="Linh",
        family_name="Trần", native_name="Trần Thị Linh", email="late.arrival@example.org",
        country="VN", organisation="Son La People's Committee", privacy_accepted=True,
        answers={{choice.id: choice.choices[0]}}), Context(notify=False, by_organiser=True))
    change_status(db.session.get(Registration, {cancel_id}), "cancel", notify_delegate=False)
    db.session.commit()
"""


# Measuring ---------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict
    seconds: float

    def json(self):
        body = self.body
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return json.loads(body)


@dataclass
class Client:
    """One keep-alive loopback connection, with the headers every request sends."""

    port: int
    headers: dict = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None) -> Reply:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body, {**self.headers, **(headers or {})})
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            found = {k.lower(): v for k, v in response.getheaders()}
            if found.get("connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return Reply(response.status, data, found, seconds)
        raise AssertionError("unreachable")

    def get(self, path: str, headers=None) -> Reply:
        return self.request("GET", path, headers=headers)

    def median_ms(self, path: str, times: int, headers=None) -> tuple[float, Reply]:
        """Median milliseconds of ``times`` GETs after one to warm up; the last answer."""
        answer = self.get(path, headers)
        samples = []
        for _ in range(times):
            answer = self.get(path, headers)
            expect(answer.status == 200, f"GET {path} answered {answer.status}")
            samples.append(answer.seconds * 1000)
        return statistics.median(samples), answer


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"scale: {message}")


def cookies(answer: Reply, jar: dict) -> dict:
    # http.client folds repeated Set-Cookie headers into one, comma-separated; a cookie's
    # expiry date has a comma too, so split before each "name=".
    for part in re.split(r",\s*(?=[A-Za-z0-9_-]+=)", answer.headers.get("set-cookie", "")):
        name, _, value = part.split(";", 1)[0].partition("=")
        if name.strip():
            jar[name.strip()] = value
    return jar


def organiser_client(port: int, email: str, password: str) -> Client:
    """A client signed in through the login form (with its CSRF token)."""
    client = Client(port)
    page = client.get("/login")
    jar = cookies(page, {})
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body.decode())
    expect(csrf is not None, "no CSRF token on the login page")
    form = urlencode({"email": email, "password": password, "csrf_token": csrf.group(1)})
    answer = client.request(
        "POST",
        "/login",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    expect(answer.status == 302, f"signing in answered {answer.status}")
    cookies(answer, jar)
    client.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    return client


class PeakSampler:
    """The largest resident memory of some processes, sampled every 20 ms meanwhile."""

    def __init__(self, pids):
        self.pids, self.peak = pids, 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            for pid in self.pids():
                self.peak = max(self.peak, memory_mib(pid)[0])
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    found = [pid]
    for child in children(pid):
        found += tree(child)
    return found


def measure_export(fmt, organiser, rq_pid) -> dict:
    """An export of everyone as the organiser makes it: the page's button starts a
    background job, its status is followed, then the file is downloaded. Seconds from the
    button to the file, peak MiB of the job worker (and the work horse it forks)."""
    page = organiser.get(f"/events/{SLUG}/registrations/export.{fmt}")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body.decode())
    expect(page.status == 200 and csrf is not None, f"the {fmt} export page: {page.status}")
    started = time.perf_counter()
    with PeakSampler(lambda: tree(rq_pid)) as sampler:
        answer = organiser.request(
            "POST",
            f"/events/{SLUG}/registrations/export.{fmt}",
            urlencode({"csrf_token": csrf.group(1)}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        expect(answer.status == 302, f"starting the {fmt} export answered {answer.status}")
        job = answer.headers["location"].rstrip("/").rsplit("/", 1)[-1]
        while True:
            state = organiser.get(f"/jobs/{job}.json").json()
            if state["status"] in ("finished", "failed"):
                break
            time.sleep(0.2)
    seconds = time.perf_counter() - started
    ok = state["status"] == "finished"
    download = organiser.get(state["result"]["url"]) if ok else None
    ok = ok and download.status == 200
    return {
        "s": seconds,
        "mib": sampler.peak,
        "mb": len(download.body) / 1e6 if ok else 0,
        "ok": ok,
        "how": "background job",
        "note": "" if ok else f"job {state['status']}: {state.get('error', '')}",
    }


def door(port, lists_port, tmp, data, tokens, downloaders: int, label: str) -> dict:
    """20 scanning threads (the load generator) sending DOOR_SCANS scans (the tokens again
    when there are fewer: a second scan is answered "already checked in"), while
    ``downloaders`` phones reload their offline list all at once, and again every
    RELOAD_SECONDS (a Wi-Fi that keeps dropping): the whole list, then the changes since.
    The phones' own work (unpacking, parsing) is theirs, not the server's: here only the
    cursor is read from the list's first bytes."""
    bodies = tmp / f"{label}.jsonl"
    with bodies.open("w") as fh:
        for n in range(DOOR_SCANS):
            ref = str(uuid.uuid4())
            body = {"token": tokens[n % len(tokens)], "station": "Door C", "client_ref": ref}
            fh.write(json.dumps(body) + "\n")
    auth = {"Authorization": f"Bearer {data['api_token']}"}
    stop = threading.Event()
    downloads = []
    offline = f"/api/v1/events/{SLUG}/checkin/offline"

    def download():
        client = Client(lists_port, {**auth, "Accept-Encoding": "gzip"})
        while not stop.is_set():
            try:
                whole = client.get(offline)
                downloads.append((whole.seconds, whole.status))
                if whole.status == 200:
                    head = zlib.decompressobj(wbits=31).decompress(whole.body[:4096])
                    cursor = re.search(rb'"cursor":"([0-9-]+)"', head).group(1).decode()
                    client.get(f"{offline}?since={cursor}")
            except OSError:
                downloads.append((0, -1))
            stop.wait(RELOAD_SECONDS)

    threads = [threading.Thread(target=download) for _ in range(downloaders)]
    for thread in threads:
        thread.start()
    # The phones reload as the queue arrives (the load generator takes a moment to start).
    line = loadgen(
        port, f"/api/v1/events/{SLUG}/checkins", bodies,
        "--concurrency", str(SCANNERS),
        "--header", f"Authorization: Bearer {data['api_token']}",
        "--label", label,
        "--status-field", "result",
        "--ok-codes", "200,201",
        "--max-seconds", "60",
    )  # fmt: skip
    stop.set()
    for thread in threads:
        thread.join()
    done = [s for s, status in downloads if status == 200]
    return {
        "line": line,
        "rps": figure(line, "rps"),
        "p99": figure(line, "p99_ms"),
        "errors": figure(line, "http_errors") + figure(line, "net_errors"),
        "downloads": len(done),
        "download_s": statistics.median(done) if done else 0,
        "download_failed": len(downloads) - len(done),
    }


def measure(size: int, workers: int) -> dict:
    """Every figure for one size, on a database of its own."""
    with fresh_app_env(f"scale{size}") as (env, url, tmp):
        # Exports of every size go the way a large one goes: a background job.
        env = {**env, "REDIS_URL": REDIS_URL, "RQ_QUEUE": f"scale-{os.getpid()}"}
        env["EXPORT_INLINE_LIMIT"] = "0"
        started = time.perf_counter()
        loaded = subprocess.run(
            [sys.executable, __file__, "--load", str(size)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        expect(loaded.returncode == 0, f"loading failed:\n{loaded.stderr[-3000:]}")
        data = json.loads(loaded.stdout.strip().splitlines()[-1])
        figures = {"size": size, "load_s": time.perf_counter() - started, "load": data}
        print(
            f"  loaded {sum(data['counts'].values())} registrations {data['counts']}, "
            f"{data['check_ins']} checked in, in {figures['load_s']:.1f} s "
            f"(the demo event {data['demo_seconds']:.1f} s, the copies "
            f"{data['copy_seconds']:.1f} s)",
            flush=True,
        )
        rq_log = (tmp / "worker.log").open("wb")
        rq = subprocess.Popen([*FLASK, "worker"], env=env, cwd=ROOT, stdout=rq_log, stderr=rq_log)
        try:
            # As docs/deployment.md runs it: the site, and the door phones' offline lists
            # on workers of their own (nginx routes them there; here the phones ask it).
            with gunicorn_server(env, workers) as server, gunicorn_server(env, 2) as lists:
                figures.update(measure_served(server, lists.port, env, tmp, data, rq.pid))
        finally:
            stop(rq)
            rq_log.close()
    return figures


def stop(worker: subprocess.Popen) -> None:
    """Stop the RQ worker: a warm shutdown, then a cold one (a second signal), then kill."""
    for _ in range(2):
        worker.terminate()
        try:
            worker.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            pass
    worker.kill()
    worker.wait()


def measure_served(server, lists_port: int, env, tmp, data, rq_pid: int) -> dict:
    port, f = server.port, {}
    scanner = Client(port, {"Authorization": f"Bearer {data['api_token']}"})
    organiser = organiser_client(port, *data["organiser"])
    offline = f"/api/v1/events/{SLUG}/checkin/offline"
    gzip_ok = {"Accept-Encoding": "gzip"}

    # The copies are what the app would write: a copy's page renders, and searching its
    # address finds it.
    if data["copy"]:
        copy = data["copy"]
        page = organiser.get(f"/events/{SLUG}/registrations/{copy['id']}")
        expect(
            page.status == 200 and copy["email"].encode() in page.body,
            f"the page of copy {copy['id']} answered {page.status}",
        )
        found = organiser.get(f"/events/{SLUG}/registrations/?q={quote(copy['email'])}")
        expect(f"/registrations/{copy['id']}".encode() in found.body, "search misses a copy")

    # The first request builds the list (the event's first, or after a wipe); the
    # others are sent the prepared file.
    first = scanner.get(offline, gzip_ok)
    expect(first.status == 200, f"the offline list answered {first.status}")
    f["offline_first_ms"] = first.seconds * 1000
    ms, full = scanner.median_ms(offline, 5, gzip_ok)
    f["offline_ms"], f["offline_mb"] = ms, len(full.body) / 1e6
    f["offline_encoding"] = full.headers.get("content-encoding", "identity")
    document = full.json()
    f["offline_raw_mb"] = len(json.dumps(document, ensure_ascii=False).encode()) / 1e6
    cursor = document.get("cursor")

    # A few changes at the door and the desk, then the delta since the full download.
    run_python(env, CHANGE.format(slug=SLUG, cancel_id=data["cancel_id"]))
    for token in data["delta_tokens"]:
        answer = scanner.request(
            "POST",
            f"/api/v1/events/{SLUG}/checkins",
            json.dumps({"token": token, "station": "Door A"}),
            {"Content-Type": "application/json"},
        )
        expect(answer.status == 201, f"a copy's badge scanned {answer.status}: {answer.body!r}")
    # Each asked once: the same question again within OFFLINE_LISTS_SECONDS would be
    # answered from what the process prepared. Cursors a little earlier than the list's
    # ask for the same changes (and a few more), each prepared anew; the first of them
    # warms the worker.
    below = int(cursor.split("-")[0])
    times = []
    for earlier in range(1, 7):
        answer = scanner.get(f"{offline}?since={below - earlier}", gzip_ok)
        expect(answer.status == 200, f"a delta answered {answer.status}")
        times.append(answer.seconds * 1000)
    delta = scanner.get(f"{offline}?since={quote(str(cursor))}", gzip_ok)
    expect(delta.status == 200, f"the delta answered {delta.status}")
    f["delta_ms"], f["delta_kb"] = statistics.median(times[1:]), len(delta.body) / 1e3
    changes = delta.json()
    status = changes["fields"].index("status")
    changed = {row[0]: row[status] for row in changes["registrations"]}
    expect(changes["kind"] == "delta", f"the delta came {changes['kind']}")
    expect(changed.get(data["cancel_id"]) == "cancelled", "the delta misses the cancellation")
    expect(len(changed) >= 2, "the delta misses the new registration")
    expect(len(changes["checked_in_today"]) >= len(data["delta_tokens"]), "check-ins missing")

    f["arrivals_ms"], _ = organiser.median_ms(f"/events/{SLUG}/arrivals.json", 20)
    f["list_ms"], page = organiser.median_ms(f"/events/{SLUG}/registrations/", 10)
    f["list_kb"] = len(page.body) / 1e3
    f["search_ms"], _ = organiser.median_ms(
        f"/events/{SLUG}/registrations/?q={quote(data['search'])}", 10
    )

    for fmt in ("csv", "xlsx"):
        result = measure_export(fmt, organiser, rq_pid)
        f[f"{fmt}_s"], f[f"{fmt}_mib"], f[f"{fmt}_ok"] = result["s"], result["mib"], result["ok"]
        f[f"{fmt}_how"], f[f"{fmt}_note"] = result["how"], result["note"]
        print(
            f"  {fmt} export ({result['how']}): {result['s']:.1f} s, peak "
            f"{result['mib']:.0f} MiB, {result['mb']:.1f} MB {result['note']}",
            flush=True,
        )

    pdf = tmp / "badges.pdf"
    command = [*FLASK, "badges", "pdf", "--event", SLUG, "--out", str(pdf)]
    seconds, peak, code, output = run_measured(command, env, timeout=1800)
    f["badges_s"], f["badges_mib"], f["badges_ok"] = seconds, peak, code == 0 and pdf.exists()
    f["badges_note"] = "" if f["badges_ok"] else output.strip().splitlines()[-1][:200]
    print(f"  badges: {seconds:.1f} s, peak {peak:.0f} MiB {f['badges_note']}", flush=True)

    if data["warm"]:  # refused (pending approval), so no check-in
        warm = tmp / "warm.jsonl"
        warm.write_text((json.dumps({"token": data["warm"], "station": "Warm-up"}) + "\n") * 64)
        loadgen(
            port,
            f"/api/v1/events/{SLUG}/checkins",
            warm,
            "--concurrency",
            str(SCANNERS),
            "--ok-codes",
            "422",
            "--header",
            f"Authorization: Bearer {data['api_token']}",
        )
    tokens = data["tokens"]
    half = max(min(DOOR_SCANS, len(tokens) // 2), 1)
    quiet = door(port, lists_port, tmp, data, tokens[:half], 0, "door_quiet")
    busy = door(
        port, lists_port, tmp, data, tokens[half : 2 * half] or tokens, DOWNLOADERS, "door_busy"
    )
    for name, result in (("door_quiet", quiet), ("door_busy", busy)):
        f[f"{name}_rps"], f[f"{name}_p99"] = result["rps"], result["p99"]
        f[f"{name}_errors"] = result["errors"]
        print(f"  {result['line']}", flush=True)
    f["busy_downloads"], f["busy_download_s"] = busy["downloads"], busy["download_s"]
    f["busy_download_failed"] = busy["download_failed"]
    print(
        f"  downloads meanwhile: {busy['downloads']} done (median {busy['download_s']:.2f} s), "
        f"{busy['download_failed']} failed",
        flush=True,
    )

    time.sleep(1)
    f["workers"] = [memory_mib(pid) for pid in server.worker_pids()]
    return f


# Reporting ---------------------------------------------------------------------------


def fmt_ms(value) -> str:
    if value is None:
        return "TODO"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"


def fmt_job(f: dict, name: str) -> str:
    done = "" if f[f"{name}_ok"] else f" — failed: {f[f'{name}_note']}"
    return f"{f[f'{name}_s']:.1f} s, peak {f[f'{name}_mib']:.0f} MiB{done}"


ROWS = (
    ("scanner offline data, full (gzip asked)",
     lambda f: f"{fmt_ms(f['offline_ms'])} (the first, built then: "
     f"{fmt_ms(f['offline_first_ms'])}), {f['offline_mb']:.2f} MB {f['offline_encoding']}"),
    ("scanner offline data, delta",
     lambda f: "TODO" if f["delta_ms"] is None
     else f"{fmt_ms(f['delta_ms'])}, {f['delta_kb']:.1f} kB"),
    ("live arrivals JSON", lambda f: fmt_ms(f["arrivals_ms"])),
    ("organiser list / search",
     lambda f: f"{fmt_ms(f['list_ms'])} / {fmt_ms(f['search_ms'])}"),
    ("CSV export", lambda f: f"{fmt_job(f, 'csv')} ({f['csv_how']})"),
    ("XLSX export", lambda f: f"{fmt_job(f, 'xlsx')} ({f['xlsx_how']})"),
    ("badges for everyone (CLI)", lambda f: fmt_job(f, "badges")),
    (f"door: {SCANNERS} scanning",
     lambda f: f"{f['door_quiet_rps']:.0f} scans/s, p99 {fmt_ms(f['door_quiet_p99'])}"),
    (f"door: {SCANNERS} scanning + {DOWNLOADERS} downloading",
     lambda f: f"{f['door_busy_rps']:.0f} scans/s, p99 {fmt_ms(f['door_busy_p99'])}, "
     f"{f['busy_downloads']} downloads"),
    ("gunicorn workers after (RSS / peak)",
     lambda f: ", ".join(f"{now:.0f}/{peak:.0f} MiB" for now, peak in f["workers"])),
    ("loading the event", lambda f: f"{f['load_s']:.0f} s"),
)  # fmt: skip


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def verdicts(f: dict) -> list[tuple[str, str]]:
    """(PASS, FAIL or TODO, the bar) for each bar, on one size's figures."""
    out = []
    for label, key, op, limit, unit in BARS:
        value = f.get(key)
        if value is None:
            out.append(("TODO", f"{label}: not measurable yet (bar {op} {limit} {unit})"))
            continue
        ok = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[op]
        if key in ("csv_mib", "xlsx_mib", "badges_mib"):
            ok = ok and f[key.replace("_mib", "_ok")]
        if key.startswith("door_busy"):
            ok = ok and f["door_busy_errors"] == 0
        out.append(("PASS" if ok else "FAIL", f"{label}: {value:.1f} {unit} (bar {op} {limit})"))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)  # the loading subprocess
    args = parser.parse_args()
    if args.load:
        print(json.dumps(load(args.load)))
        return 0

    sizes = sorted(int(s) for s in args.sizes.split(","))
    results = []
    for size in sizes:
        print(f"size {size}:", flush=True)
        f = measure(size, args.workers)
        results.append(f)
        print(
            f"scale size={size} "
            + " ".join(
                f"{key}={value:.1f}" for key, value in f.items() if isinstance(value, float)
            ),
            flush=True,
        )

    largest = results[-1]
    print(f"\nbars at {largest['size']}:")
    checks = verdicts(largest)
    for verdict, line in checks:
        print(f"  {verdict} {line}")
    print("\n| operation | " + " | ".join(size_label(f["size"]) for f in results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for label, cell in ROWS:
        print(f"| {label} | " + " | ".join(cell(f) for f in results) + " |")
    print(f"\nmachine: {machine()}")
    failed = [line for verdict, line in checks if verdict == "FAIL"]
    todo = [line for verdict, line in checks if verdict == "TODO"]
    state = "FAIL" if failed else "PASS"
    print(f"scale: {state} at {largest['size']} ({len(failed)} bars missed, {len(todo)} TODO)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
