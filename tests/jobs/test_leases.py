"""Jobs hold a lease while they run; a job whose worker died is re-queued or failed, never
left `running` with half a file behind. The clock is passed in, so no test waits for a lease
to run out (but one, which proves the heartbeat thread renews it)."""

import time
import uuid
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from flask import current_app

from conference.api.openapi import JOB
from conference.dbtypes import utcnow
from conference.extensions import db as _db
from conference.jobs.models import Job
from conference.jobs.services import job, reap_dead_jobs, renew_lease, start_job
from tests.conftest import redis_db_url
from tests.factories import make_category, make_event, make_registration, make_user

RUNS = []


@job("test.lease.count", retry=True)
def count_again(progress, upto: int):
    for n in range(1, upto + 1):
        progress(n, upto, f"counted {n}")
    RUNS.append(("count", progress.record.attempts))
    return {"counted": upto}


@job("test.lease.once")
def send_once(progress):
    RUNS.append(("once", progress.record.attempts))
    return {"sent": 1}


@job("test.lease.watch")
def watch_lease(progress):
    """Reports what its own row says while it runs."""
    row = _db.session.get(Job, progress.record.id)
    _db.session.refresh(row)
    return {
        "lease_left": (row.lease_expires_at - utcnow()).total_seconds(),
        "claimed_by": row.claimed_by,
        "attempts": row.attempts,
    }


@job("test.lease.overtaken")
def overtaken(progress):
    """Its lease is taken away half way (as if it had stalled past it), then it reports."""
    progress(1, 2, "half way")
    reap_dead_jobs(now=utcnow() + timedelta(hours=1))
    _db.session.commit()
    progress(2, 2, "all done")
    RUNS.append(("overtaken", "went on"))


def _partial_folder() -> Path:
    folder = Path(current_app.instance_path) / "test-partials"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def remove_partials(job_id: str) -> None:
    for path in _partial_folder().glob(f"{job_id}.*"):
        path.unlink()


@job("test.lease.half-written", cleanup=remove_partials)
def half_written(progress):
    (_partial_folder() / f"{progress.record.id}.part").write_bytes(b"half a file")
    raise OSError("No space left on device")


def dead_job(kind, *, attempts=1, expired=timedelta(seconds=5), status="running", **params):
    """A job as a killed worker leaves it: running (or queued), its lease run out."""
    record = Job(
        kind=kind,
        title=f"Dead {kind}",
        params=params,
        status=status,
        attempts=attempts,
        started_at=utcnow() - timedelta(minutes=2) if status == "running" else None,
        lease_expires_at=utcnow() - expired,
        claimed_by="worker-7:4242:dead" if status == "running" else None,
        done=83 if status == "running" else 0,
        total=331,
        user=params.pop("user", None),
    )
    _db.session.add(record)
    _db.session.commit()
    return record.id


def reload(job_id) -> Job:
    _db.session.expire_all()
    return _db.session.get(Job, job_id)


def test_a_running_job_holds_a_lease_that_ends_with_it(db, app):
    job_id = start_job("test.lease.watch", "Watch").id
    db.session.commit()
    record = reload(job_id)
    assert record.status == "finished"
    seen = record.result
    assert seen["attempts"] == 1
    assert seen["claimed_by"]
    lease = app.config["JOB_LEASE_SECONDS"]
    assert lease - 10 < seen["lease_left"] <= lease
    assert record.lease_expires_at is None


def test_an_expired_lease_of_a_restartable_job_runs_it_again_from_scratch(db):
    RUNS.clear()
    job_id = dead_job("test.lease.count", upto=4)

    reaped = reap_dead_jobs()
    db.session.commit()

    assert [r.id for r in reaped] == [job_id]
    record = reload(job_id)
    assert (record.status, record.done, record.total) == ("finished", 4, 4)
    assert record.attempts == 2
    assert record.notice == "The worker stopped; restarted, attempt 2 of 3."
    assert RUNS == [("count", 2)]


def test_a_lease_still_running_is_not_reaped(db):
    job_id = dead_job("test.lease.count", expired=timedelta(seconds=-30), upto=2)
    assert reap_dead_jobs() == []
    assert reap_dead_jobs(now=utcnow() + timedelta(seconds=29)) == []
    record = reload(job_id)
    assert (record.status, record.attempts, record.done) == ("running", 1, 83)


def test_a_renewed_lease_keeps_a_slow_job_alive(db, app):
    lease = timedelta(seconds=app.config["JOB_LEASE_SECONDS"])
    start = utcnow()
    job_id = dead_job("test.lease.once", expired=-lease)
    holder = reload(job_id).claimed_by

    assert renew_lease(job_id, holder, now=start + lease - timedelta(seconds=10))
    db.session.commit()

    assert reap_dead_jobs(now=start + lease + timedelta(seconds=1)) == []
    assert reload(job_id).status == "running"
    later = start + 2 * lease
    assert [r.id for r in reap_dead_jobs(now=later)] == [job_id]


def test_a_worker_that_lost_its_job_cannot_renew_the_lease(db):
    job_id = dead_job("test.lease.once")
    holder = reload(job_id).claimed_by
    reap_dead_jobs()
    db.session.commit()
    assert not renew_lease(job_id, holder)
    assert not renew_lease(job_id, "someone-else")


def test_a_job_that_must_not_run_twice_fails_and_says_why(db):
    RUNS.clear()
    job_id = dead_job("test.lease.once")

    reap_dead_jobs()
    db.session.commit()

    record = reload(job_id)
    assert record.status == "failed"
    assert record.error == (
        "The worker stopped while running this job, and it cannot safely be restarted: "
        "please start it again."
    )
    assert record.notice == "The worker stopped."
    assert record.finished_at is not None
    assert record.lease_expires_at is None
    assert RUNS == []


def test_a_restartable_job_out_of_attempts_fails(db):
    RUNS.clear()
    job_id = dead_job("test.lease.count", attempts=3, upto=2)
    reap_dead_jobs()
    db.session.commit()
    record = reload(job_id)
    assert record.status == "failed"
    assert record.error == "The worker stopped while running this job (attempt 3 of 3)."
    assert RUNS == []


def test_a_queued_job_never_delivered_is_sent_again(db):
    RUNS.clear()
    job_id = dead_job("test.lease.once", status="queued", attempts=0)
    reaped = reap_dead_jobs()
    db.session.commit()
    assert [r.id for r in reaped] == [job_id]
    record = reload(job_id)
    assert (record.status, record.attempts, record.notice) == ("finished", 1, "")
    assert RUNS == [("once", 1)]


def test_a_worker_that_lost_its_lease_stops_and_leaves_the_job_alone(db):
    RUNS.clear()
    job_id = start_job("test.lease.overtaken", "Overtaken").id
    db.session.commit()
    record = reload(job_id)
    # The reaper's verdict stands: the stalled run neither went on nor wrote "finished".
    assert record.status == "failed"
    assert "worker stopped" in record.error
    assert RUNS == []


def test_a_failing_job_removes_its_partial_files(db, app):
    job_id = start_job("test.lease.half-written", "Half").id
    db.session.commit()
    record = reload(job_id)
    assert record.status == "failed" and "No space left" in record.error
    assert list(_partial_folder().iterdir()) == []


def test_a_dead_jobs_partial_files_are_removed(db, app):
    job_id = dead_job("test.lease.half-written")
    (_partial_folder() / f"{job_id}.part").write_bytes(b"half a file")
    reap_dead_jobs()
    db.session.commit()
    assert reload(job_id).status == "failed"
    assert list(_partial_folder().iterdir()) == []


def test_a_killed_badge_batch_is_printed_again_and_its_half_pdf_removed(db, app):
    from conference.badges.jobs import badge_file

    event = make_event()
    category = make_category(event, "Delegate")
    ids = [make_registration(event, category).id for _ in range(3)]
    job_id = dead_job(
        "badges.render",
        event_id=event.id,
        ids=ids,
        layout="a6",
        cut_marks=False,
        back_side=False,
        download_url="/somewhere",
    )
    target = badge_file(job_id)
    half = target.with_name(f"{job_id}.1.part")
    half.write_bytes(b"%PDF-1.7\n half of 331 badges")

    reap_dead_jobs()
    db.session.commit()

    record = reload(job_id)
    assert record.status == "finished", record.error
    assert record.result["badges"] == 3
    assert record.attempts == 2
    assert target.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_badge_batch_out_of_attempts_leaves_no_file(db, app):
    from conference.badges.jobs import badge_file

    job_id = dead_job("badges.render", attempts=3, event_id=1, ids=[1], layout="a6")
    folder = badge_file(job_id).parent
    (folder / f"{job_id}.3.part").write_bytes(b"%PDF-1.7\n half")
    reap_dead_jobs()
    db.session.commit()
    assert reload(job_id).status == "failed"
    assert list(folder.iterdir()) == []


def test_the_progress_page_reaps_its_dead_job_and_says_what_happened(db, client, login):
    owner = make_user()
    restarted = dead_job("test.lease.count", upto=3, user=owner)
    failed = dead_job("test.lease.once", user=owner)
    login(owner)

    body = client.get(f"/jobs/{restarted}.json").get_json()
    jsonschema.validate(body, JOB)
    assert (body["status"], body["attempts"]) == ("finished", 2)
    assert body["notice"] == "The worker stopped; restarted, attempt 2 of 3."
    page = client.get(f"/jobs/{restarted}")
    assert "The worker stopped; restarted, attempt 2 of 3." in page.text

    page = client.get(f"/jobs/{failed}")
    assert "failed" in page.text
    assert "The worker stopped while running this job" in page.text
    assert reload(failed).status == "failed"


def test_the_job_schema_describes_attempts_and_notice():
    assert JOB["properties"]["attempts"]["type"] == "integer"
    assert JOB["properties"]["notice"]["type"] == "string"


@job("test.lease.quiet")
def work_quietly(progress, seconds: float):
    """Works without reporting progress, as a long single step would."""
    time.sleep(seconds)
    return {"slept": seconds}


def test_the_heartbeat_renews_the_lease_of_a_job_that_reports_nothing(
    make_app, database_url, tmp_path
):
    settings = {"TASKS_MODE": "thread", "JOB_LEASE_SECONDS": 1}
    if database_url.startswith("sqlite"):
        # Another thread must see the job's row: a database file, not memory.
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'heartbeat.db'}"
    app = make_app(**settings)
    with app.app_context():
        _db.create_all()
        job_id = start_job("test.lease.quiet", "Quiet", seconds=2.5).id
        _db.session.commit()
    reaped = []
    deadline = time.monotonic() + 10
    status = "queued"
    while status != "finished" and time.monotonic() < deadline:
        time.sleep(0.2)
        with app.app_context():
            reaped += reap_dead_jobs()
            _db.session.commit()
            status = _db.session.get(Job, job_id).status
    assert status == "finished"
    assert reaped == []


def redis_url():
    from redis import Redis
    from redis.exceptions import ConnectionError

    url = redis_db_url(7)
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run has it)")
    return url


def test_a_starting_worker_reaps_the_jobs_of_a_dead_one(make_app, database_url, tmp_path):
    from conference.jobs import worker
    from conference.jobs.services import rq_queue

    settings = {"TASKS_MODE": "rq", "REDIS_URL": redis_url(), "RQ_QUEUE": uuid.uuid4().hex}
    if database_url.startswith("sqlite"):
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'worker.db'}"
    app = make_app(**settings)
    try:
        with app.app_context():
            _db.create_all()
            job_id = dead_job("test.lease.count", upto=3)
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            record = _db.session.get(Job, job_id)
            assert (record.status, record.attempts) == ("finished", 2)
    finally:
        worker.APP = None
        rq_queue(app).delete(delete_jobs=True)
