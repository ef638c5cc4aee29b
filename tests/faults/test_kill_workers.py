"""Fault injection: real processes killed with SIGKILL mid-work, then the invariants checked.

gunicorn (two sync workers) and a `flask worker` run this checkout on a PostgreSQL database
of their own, with Redis (db 7, or the xdist worker's own) for the job queue and rate limits
off. Three attacks, one after the other on the same servers:

- a registration rush on a category with few places, one web worker killed in the middle:
  places taken = registrations holding one, never more than the capacity, no one twice;
- a badge batch for everyone, its worker (and the work horse printing) killed after the
  first badges: a new worker finishes it (or fails it with a notice), never stuck `running`,
  no half PDF left;
- paper uploads, the web workers killed again and again: every version row has its file,
  every stored file has its row, no partial file.
"""

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from conference import create_app
from conference.dbtypes import utcnow
from conference.extensions import db
from tests.conftest import TEST_DATABASE_URL, free_port, redis_db_url

requests = pytest.importorskip("requests")

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = redis_db_url(7)
PASSWORD = "correct horse battery staple"
CAPACITY = 12
BADGES = 200


def _redis_or_skip() -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run has it)")


@pytest.fixture(scope="module")
def fault_db():
    """A schema of its own in the test database, apart from the per-test one (``public``);
    a schema rather than a database, as dropping a database waits for a checkpoint."""
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL for several processes at once: set TEST_DATABASE_URL")
    _redis_or_skip()
    schema = f"faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


class Site:
    """The app as the servers see it: its environment, an app for setup and checks."""

    def __init__(self, url: str, instance: Path):
        self.instance = instance
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "fault-injection-secret-key-0123456789",
            "CONFERENCE_INSTANCE_PATH": str(instance),
            "REDIS_URL": REDIS_URL,
            "TASKS_MODE": "rq",
            "RQ_QUEUE": f"faults-{uuid.uuid4().hex}",
            "RATELIMIT_ENABLED": "false",
            "MAIL_DELIVER_AFTER_COMMIT": "false",
            "BADGE_BACKGROUND_THRESHOLD": "10",
            "JOB_LEASE_SECONDS": "3",
            "JOB_REAP_SECONDS": "1",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": self.env["SECRET_KEY"],
                "REDIS_URL": REDIS_URL,
                "TASKS_MODE": "rq",
                "RQ_QUEUE": self.env["RQ_QUEUE"],
                "MAIL_DELIVER_AFTER_COMMIT": False,
            }
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        with open(self.instance.parent / f"{args[0]}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", *args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    @property
    def gunicorn_args(self) -> tuple[str, ...]:
        return (
            # Workers forked from a master that has imported the app: a killed one is
            # replaced at once, so that the attacks, not the boots, take the time.
            "--preload",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
            "conference:create_app()",
        )

    def wait_for_gunicorn(self, server: subprocess.Popen) -> subprocess.Popen:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=5)
                return server
            except requests.RequestException:
                time.sleep(0.1)
        log = (self.instance.parent / "gunicorn.log").read_text()
        raise AssertionError(f"gunicorn did not start: {log}")

    def start_worker(self) -> subprocess.Popen:
        self.worker = self.start("flask", "--app", "conference", "worker")
        return self.worker

    def stop_all(self) -> None:
        for process in self.processes:
            spawned = children(process.pid)
            kill(process.pid)  # first, so that it spawns no more
            for pid in spawned:
                kill(pid)
            process.wait()


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(child) for child in listed]


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def web_workers(server, count=2, timeout=15.0) -> list[int]:
    """The gunicorn master's workers, once it has `count` of them again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = children(server.pid)
        if len(pids) >= count:
            return pids
        time.sleep(0.05)
    raise AssertionError("gunicorn did not replace its killed workers")


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def site(fault_db, tmp_path_factory):
    from conference.jobs.services import rq_queue

    instance = tmp_path_factory.mktemp("faults") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONFERENCE_INSTANCE_PATH", str(instance))
        site = Site(fault_db, instance)
        try:
            with site.app.app_context():
                db.create_all()
            site.start_worker()
            server = site.start("gunicorn", *site.gunicorn_args)  # boots while data is made
            with site.app.app_context():
                site.data = build_data()
            site.server = site.wait_for_gunicorn(server)
            yield site
        finally:
            site.stop_all()
            forget_queue(rq_queue(site.app))
            with site.app.app_context():
                db.session.remove()
                db.engine.dispose()


def forget_queue(queue) -> None:
    """Delete the queue and what killed workers left of it in Redis (which RQ keeps)."""
    redis = queue.connection
    queue.delete(delete_jobs=True)
    for key in redis.scan_iter(f"rq:*{queue.name}*"):
        if key.startswith(b"rq:workers:"):
            redis.srem("rq:workers", *redis.smembers(key))
        redis.delete(key)
    for key in redis.scan_iter("rq:job:*"):
        if redis.type(key) == b"hash" and redis.hget(key, "origin") == queue.name.encode():
            redis.delete(key)


def build_data() -> dict:
    """An event with a small category, BADGES confirmed delegates and an open call."""
    from conference.registration.links import manage_token
    from conference.registration.models import Registration
    from conference.registration.registering import Context, register
    from tests.factories import (
        make_category,
        make_event,
        make_track,
        make_user,
        open_call,
        registration_data,
        stored_paper,
    )

    organiser = make_user(email="organiser@faults.example", password=PASSWORD)
    event = make_event(organiser)
    limited = make_category(event, "Side visit", capacity=CAPACITY)
    delegates = make_category(event, "Delegate")
    for n in range(BADGES):
        register(
            event,
            registration_data(delegates, email=f"badge{n}@faults.example"),
            Context(notify=False),
        )
    db.session.commit()
    track = make_track(event)
    open_call(event, [track])
    authors = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).limit(4)
    ).all()
    papers = [
        (manage_token(r), stored_paper(event, r, f"Paper {n}").id) for n, r in enumerate(authors)
    ]
    return {"slug": event.slug, "limited": limited.id, "papers": papers}


def wait_for(condition, timeout: float, what: str, traffic=None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            seen = f" (answers so far: {dict(traffic.answers)})" if traffic else ""
            raise AssertionError(f"timed out waiting for {what}{seen}")
        time.sleep(0.02)


class Traffic:
    """Threads repeating a request until stopped; the answers counted by status."""

    def __init__(self, send, threads: int):
        self.answers = Counter()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(send, n)) for n in range(threads)]

    def _run(self, send, n: int) -> None:
        with requests.Session() as http:
            count = 0
            while not self.stop.is_set():
                count += 1
                try:
                    answer = send(http, f"{n}-{count}")
                except requests.RequestException:
                    answer = "dropped"
                with self.lock:
                    self.answers[answer] += 1

    def served(self, status: int) -> int:
        with self.lock:
            return self.answers[status]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()


def test_a_registration_rush_survives_a_killed_web_worker(site):
    from conference.registration.models import HOLDS_PLACE, Category, Registration

    slug, category_id = site.data["slug"], site.data["limited"]

    def register(http, n):
        body = {
            "category_id": category_id,
            "title": "Ms",
            "given_name": "Rush",
            "family_name": "Delegate",
            "email": f"rush{n}@faults.example",
            "phone": "+84 912 345 678",
            "country": "VN",
            "organisation": "Son La",
            "position": "Officer",
            "privacy_accepted": True,
        }
        url = f"{site.url}/api/v1/events/{slug}/registrations"
        return http.post(url, json=body, timeout=30).status_code

    with Traffic(register, threads=8) as rush:
        # Both web workers busy registering, then one of them dies mid-request.
        wait_for(lambda: rush.served(202) >= 4, 30, "the first registrations", rush)
        kill(random.choice(web_workers(site.server)))  # noqa: S311
        served = rush.served(202)
        wait_for(
            lambda: rush.served(202) >= max(served, CAPACITY) + 10, 30, "the rush to go on", rush
        )

    assert set(rush.answers) <= {202, "dropped"}, rush.answers  # placed, waiting or cut short
    with site.app.app_context():
        category = db.session.get(Category, category_id)
        holders = db.session.scalar(
            select(func.count(Registration.id)).where(
                Registration.category_id == category_id, Registration.status.in_(HOLDS_PLACE)
            )
        )
        assert category.places_taken == holders == CAPACITY
        emails_seen = db.session.scalars(
            select(Registration.email).where(Registration.category_id == category_id)
        ).all()
        assert len(emails_seen) == len(set(emails_seen))


def _log_in(http: "requests.Session", site: Site) -> None:
    page = http.get(f"{site.url}/login", timeout=10).text
    response = http.post(
        f"{site.url}/login",
        data={
            "email": "organiser@faults.example",
            "password": PASSWORD,
            "csrf_token": csrf_token(page),
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text


def test_a_badge_batch_whose_worker_is_killed_is_finished_by_the_next(site):
    from conference.jobs.models import Job

    first = site.worker
    slug = site.data["slug"]
    with requests.Session() as http:
        _log_in(http, site)
        page = http.get(f"{site.url}/events/{slug}/badges", timeout=10).text
        response = http.post(
            f"{site.url}/events/{slug}/badges",
            data={"layout": "a6", "csrf_token": csrf_token(page)},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text
        job_id = response.headers["Location"].rsplit("/", 1)[-1]

        # Once the first badges are printed, the worker and its work horse die.
        deadline = time.monotonic() + 20
        with site.app.app_context():
            while time.monotonic() < deadline:
                record = db.session.get(Job, job_id)
                if record.status == "running" and record.done > 0:
                    break
                db.session.rollback()
                time.sleep(0.05)
            horses = children(first.pid)
            kill(first.pid)
            for horse in horses:
                kill(horse)
            first.wait()
            time.sleep(0.3)
            db.session.expire_all()
            killed = db.session.get(Job, job_id)
            assert killed.status == "running", (killed.status, killed.error)
            assert 0 < killed.done < BADGES
            db.session.rollback()
        assert list(site.instance.joinpath("badges").glob("*.part")) != []

        site.start_worker()
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline:
            body = http.get(f"{site.url}/jobs/{job_id}.json", timeout=10).json()
            if body["status"] in ("finished", "failed"):
                break
            time.sleep(0.2)

    assert body["status"] == "finished", body
    assert body["attempts"] == 2
    assert body["notice"] == "The worker stopped; restarted, attempt 2 of 3."
    assert body["result"]["badges"] == body["total"] >= BADGES
    files = sorted(p.name for p in site.instance.joinpath("badges").iterdir())
    assert files == [f"{job_id}.pdf"]
    with site.app.app_context():
        stuck = db.session.scalars(
            select(Job.id).where(
                Job.status == "running", Job.lease_expires_at < utcnow() - timedelta(seconds=5)
            )
        ).all()
        assert stuck == []


def test_uploads_cut_short_leave_no_file_without_row_and_no_row_without_file(site):
    from conference.papers.models import PaperVersion
    from tests.papers.samples import pdf_bytes

    slug = site.data["slug"]
    papers = iter(site.data["papers"] * 100)
    lock = threading.Lock()

    def upload(http, n):
        with lock:
            token, paper_id = next(papers)
        base = f"{site.url}/events/{slug}/manage/{token}/papers/{paper_id}"
        page = http.get(base, timeout=30).text
        content = pdf_bytes(f"Version {n} of a paper")  # never the same as the last one
        return http.post(
            f"{base}/versions",
            data={"csrf_token": csrf_token(page)},
            files={"file": ("paper.pdf", content, "application/pdf")},
            allow_redirects=False,
            timeout=30,
        ).status_code

    with Traffic(upload, threads=4) as uploads:
        for _ in range(3):
            # Once uploads go through again, both web workers die at a moment left to chance.
            served = uploads.served(302)
            wait_for(lambda s=served: uploads.served(302) > s, 30, "an upload", uploads)
            time.sleep(random.uniform(0, 0.3))  # noqa: S311
            for pid in web_workers(site.server, count=1):
                kill(pid)
        web_workers(site.server)
    # What a cut-short upload leaves is removed by the housekeeping (`flask worker`, or
    # `flask papers sweep` from cron) once old enough; no upload is running now.
    swept = site.app.test_cli_runner().invoke(args=["papers", "sweep", "--older-than", "0"])
    assert swept.exit_code == 0, swept.output

    answers = uploads.answers
    assert set(answers) == {302, "dropped"}, answers  # uploaded or cut short, nothing else
    root = site.instance / "uploads" / "papers"
    with site.app.app_context():
        sizes = dict(db.session.execute(select(PaperVersion.storage_key, PaperVersion.size)).all())
    on_disk = {p.name: p.stat().st_size for p in root.rglob("*") if p.is_file()}
    assert {k: on_disk.get(k) for k in sizes} == sizes  # every row has its whole file
    assert set(on_disk) - set(sizes) == set()  # every file has its row (partial ones too)
