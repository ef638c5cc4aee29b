import os
import time
import uuid

import pytest

from conference.extensions import db as _db
from conference.jobs.models import Job
from conference.jobs.services import job, run_job, start_job
from tests.conftest import redis_db_url
from tests.factories import make_user

CALLS = []


@job("test.count")
def count_to(progress, upto: int):
    for n in range(1, upto + 1):
        progress(n, upto, f"counted {n}")
    CALLS.append(upto)
    return {"counted": upto}


@job("test.niceness")
def niceness(progress):
    return {"niceness": os.nice(0)}


@job("test.fail")
def fail(progress):
    progress(1, 3, "about to fail")
    raise RuntimeError("the printer is on fire")


def test_job_runs_after_the_commit_and_records_its_result(app):
    with app.app_context():
        record = start_job("test.count", "Count", upto=5)
        job_id = record.id
        assert record.status == "queued"
        _db.session.commit()
        _db.session.expire_all()
        done = _db.session.get(Job, job_id)
        assert (done.status, done.done, done.total, done.percent) == ("finished", 5, 5, 100)
        assert done.result == {"counted": 5}
        assert done.message == "counted 5"


def test_job_is_not_run_when_its_transaction_rolls_back(app):
    CALLS.clear()
    with app.app_context():
        start_job("test.count", "Count", upto=3)
        _db.session.rollback()
    assert CALLS == []


def test_failed_job_says_why(app):
    with app.app_context():
        job_id = start_job("test.fail", "Fail").id
        _db.session.commit()
        _db.session.expire_all()
        failed = _db.session.get(Job, job_id)
        assert failed.status == "failed"
        assert "on fire" in failed.error


def test_a_job_delivered_twice_runs_once(app):
    CALLS.clear()
    with app.app_context():
        job_id = start_job("test.count", "Count", upto=2).id
        _db.session.commit()
        run_job(job_id)
    assert CALLS == [2]


def test_thread_mode_runs_the_job_in_the_background(make_app, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        # The in-process default runs on a SQLite file, not on an in-memory database.
        database_url = f"sqlite:///{tmp_path / 'jobs.db'}"
        app = make_app(TASKS_MODE="thread", SQLALCHEMY_DATABASE_URI=database_url)
        with app.app_context():
            _db.create_all()
    else:
        app = make_app(TASKS_MODE="thread")
    with app.app_context():
        job_id = start_job("test.count", "Count", upto=3).id
        _db.session.commit()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with app.app_context():
            if _db.session.get(Job, job_id).status == "finished":
                break
        time.sleep(0.05)
    with app.app_context():
        assert _db.session.get(Job, job_id).status == "finished"


def redis_url():
    from redis import Redis
    from redis.exceptions import ConnectionError

    url = redis_db_url(14)
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run has it)")
    return url


def test_jobs_go_through_redis_to_an_rq_worker(make_app):
    from rq import SimpleWorker

    from conference.jobs import worker
    from conference.jobs.services import rq_queue

    queue_name = f"test-{uuid.uuid4().hex}"
    app = make_app(TASKS_MODE="rq", REDIS_URL=redis_url(), RQ_QUEUE=queue_name)
    queue = rq_queue(app)
    try:
        with app.app_context():
            job_id = start_job("test.count", "Count", upto=4).id
            _db.session.commit()
            assert _db.session.get(Job, job_id).status == "queued"
        assert queue.count == 1
        worker.APP = app
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        with app.app_context():
            _db.session.expire_all()
            finished = _db.session.get(Job, job_id)
            assert finished.status == "finished"
            assert finished.result == {"counted": 4}
    finally:
        worker.APP = None
        queue.delete(delete_jobs=True)


def test_job_progress_page_is_for_its_owner_only(db, client, login):
    owner = make_user()
    other = make_user()
    job_id = start_job("test.count", "Count the delegates", user=owner, upto=2).id
    db.session.commit()
    login(other)
    assert client.get(f"/jobs/{job_id}.json").status_code == 403
    client.post("/logout")
    login(owner)
    body = client.get(f"/jobs/{job_id}.json").get_json()
    assert body["status"] == "finished"
    assert body["percent"] == 100
    page = client.get(f"/jobs/{job_id}")
    assert "Count the delegates" in page.text


def test_flask_worker_command_runs_the_queued_jobs(make_app, database_url, tmp_path):
    from conference.jobs import worker
    from conference.jobs.services import rq_queue

    settings = {"TASKS_MODE": "rq", "REDIS_URL": redis_url(), "RQ_QUEUE": uuid.uuid4().hex}
    if database_url.startswith("sqlite"):
        # The worker forks a process per job: it needs a database file, not memory.
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'worker.db'}"
    app = make_app(**settings)
    try:
        with app.app_context():
            _db.create_all()
            job_ids = [start_job("test.count", f"Count {n}", upto=n).id for n in (1, 2, 3)]
            _db.session.commit()
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            statuses = [_db.session.get(Job, job_id).status for job_id in job_ids]
        assert statuses == ["finished"] * 3
    finally:
        worker.APP = None
        rq_queue(app).delete(delete_jobs=True)


def test_jobs_run_at_a_lower_priority_than_requests(make_app, database_url, tmp_path):
    """Rebuilding the scanners' offline list in the background must not slow the scans
    served on the same cores: the work horse of each job is niced, the worker is not."""
    from conference.jobs import worker
    from conference.jobs.services import rq_queue

    settings = {"TASKS_MODE": "rq", "REDIS_URL": redis_url(), "RQ_QUEUE": uuid.uuid4().hex}
    if database_url.startswith("sqlite"):
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'worker.db'}"
    app = make_app(**settings)
    ours = os.nice(0)
    try:
        with app.app_context():
            _db.create_all()
            job_id = start_job("test.niceness", "Niceness").id
            _db.session.commit()
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            done = _db.session.get(Job, job_id)
            assert done.status == "finished"
            assert done.result == {"niceness": min(ours + app.config["JOB_NICENESS"], 19)}
        assert os.nice(0) == ours  # the worker itself (here, this process) kept its own
    finally:
        worker.APP = None
        rq_queue(app).delete(delete_jobs=True)


def test_worker_command_without_redis_explains_itself(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "Set REDIS_URL" in result.output


@job("test.atomic", atomic=True)
def atomic_then_fail(progress, email: str):
    from conference.auth.services import create_user

    create_user(email, password="a long passphrase")
    progress(1, 2, "half way")  # must not commit the user above
    raise RuntimeError("second half failed")


def test_atomic_job_reports_progress_without_committing_half_its_work(app):
    from conference.auth.services import find_user

    with app.app_context():
        job_id = start_job("test.atomic", "Atomic", email="half@example.org").id
        _db.session.commit()
        _db.session.expire_all()
        record = _db.session.get(Job, job_id)
        assert record.status == "failed" and "second half" in record.error
        assert find_user("half@example.org") is None
