"""Background work: a function runs inline, in a thread, or on RQ workers on Redis.

Two layers. ``dispatch`` runs a plain function (named "module:function") with an app
context wherever the configuration says. ``start_job`` records a ``Job`` row that users
can follow, and dispatches ``run_job`` once the transaction that created it commits.

A process can die mid-job (``kill -9``, out of memory, a machine lost). So a running job
holds a lease (``JOB_LEASE_SECONDS``) that a heartbeat renews while its process lives, and
``reap_dead_jobs`` (at worker start, every ``JOB_REAP_SECONDS`` in workers, and whenever
someone follows the job) finds the jobs whose lease ran out: one that can safely run again
starts over, up to ``JOB_MAX_ATTEMPTS`` runs; any other fails with a notice; the partial
files of the run cut short are removed. Every write of a run is conditional on it still
holding the lease, so a run that stalled past it can never overwrite the reaper's verdict.
"""

import importlib
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from conference.dbtypes import utcnow
from conference.errors import NotFound, PermissionDenied
from conference.extensions import db
from conference.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

JOB_FUNCTIONS: dict[str, Callable] = {}
ATOMIC_JOBS: set[str] = set()
RESTARTABLE_JOBS: set[str] = set()
CLEANUPS: dict[str, Callable[[str], None]] = {}
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
AFTER_COMMIT_KEY = "conference.dispatch_after_commit"


def job(kind: str, *, atomic: bool = False, retry: bool = False, cleanup=None):
    """Register ``fn(progress, **params)`` as the job of this kind.

    An atomic job does all its work in one transaction (an import: all rows or none); its
    progress is then written apart, so reporting it never commits half the work.
    A job with ``retry`` may start over from scratch when its worker dies: a second run
    repeats nothing of the first (its file is rewritten whole, its transaction never
    committed). ``cleanup(job_id)`` removes what a run cut short leaves (partial files).
    """

    def register(fn):
        JOB_FUNCTIONS[kind] = fn
        if atomic:
            ATOMIC_JOBS.add(kind)
        if retry:
            RESTARTABLE_JOBS.add(kind)
        if cleanup is not None:
            CLEANUPS[kind] = cleanup
        return fn

    return register


def resolve(target: str) -> Callable:
    """The function named "package.module:function"."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def perform(app, target: str, *args) -> None:
    """Run one dispatched function inside an app context; failures are logged, not raised."""
    with app.app_context():
        try:
            resolve(target)(*args)
        except Exception:
            log.exception("background task %s%r failed", target, args)
            db.session.rollback()


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="conference-task")
        return _executor


def rq_queue(app):
    """The RQ queue on the configured Redis."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(app.config["REDIS_URL"])
    return Queue(app.config["RQ_QUEUE"], connection=connection)


def dispatch(target: str, *args) -> None:
    """Run ``target(*args)`` in the background, as configured by TASKS_MODE."""
    app = current_app._get_current_object()
    mode = app.config["TASKS_MODE"]
    if mode == "rq":
        rq_queue(app).enqueue("conference.jobs.worker.perform", target, *args)
    elif mode == "thread":
        _thread_pool().submit(perform, app, target, *args)
    elif mode == "sync":
        # Still a thread of its own, so the task has its own session, as it would on RQ.
        worker = threading.Thread(target=perform, args=(app, target, *args))
        worker.start()
        worker.join()
    else:
        raise RuntimeError(f"unknown TASKS_MODE {mode!r}")


def dispatch_after_commit(target: str, *args) -> None:
    """Dispatch once the current transaction commits; nothing happens if it rolls back."""
    db.session.info.setdefault(AFTER_COMMIT_KEY, []).append((target, args))


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session):
    pending = session.info.pop(AFTER_COMMIT_KEY, None)
    if not pending:
        return
    seen = set()
    for target, args in pending:
        if (target, args) in seen:
            continue
        seen.add((target, args))
        try:
            dispatch(target, *args)
        except Exception:
            # The work is safe in the database (outbox, job row); a worker picks it up later.
            log.exception("could not dispatch %s%r", target, args)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session):
    session.info.pop(AFTER_COMMIT_KEY, None)


def start_job(kind: str, title: str, user=None, **params) -> Job:
    """Record a job and run it after the current transaction commits."""
    if kind not in JOB_FUNCTIONS:
        raise ValueError(f"no job of kind {kind!r}")
    record = Job(kind=kind, title=title, params=params, user=user, lease_expires_at=lease_end())
    db.session.add(record)
    db.session.flush()
    dispatch_after_commit("conference.jobs.services:run_job", record.id)
    return record


class LeaseLost(Exception):
    """This run no longer holds its job: its lease ran out and the reaper took the job."""


def lease_end(now: datetime | None = None) -> datetime:
    """When a lease taken or renewed now runs out."""
    return (now or utcnow()) + timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def _held_by(job_id: str, holder: str):
    return (Job.id == job_id, Job.claimed_by == holder, Job.status == JobStatus.RUNNING)


def _held_update(job_id: str, holder: str, **values):
    return (
        update(Job)
        .where(*_held_by(job_id, holder))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def renew_lease(job_id: str, holder: str, now: datetime | None = None) -> bool:
    """Extend the lease of the run ``holder``; False if that run has lost the job."""
    renewed = db.session.execute(_held_update(job_id, holder, lease_expires_at=lease_end(now)))
    return renewed.rowcount == 1


class Progress:
    """Handed to a job function: ``progress(done, total, message)`` records how far it got.

    Progress is written (and the lease renewed) at most a few times a second, so a page
    polling the job sees it move; a run that has lost its job gets ``LeaseLost`` instead.
    """

    def __init__(self, record: Job, holder: str, interval: float = 0.5, apart: bool = False):
        self.record = record
        self.holder = holder
        self.interval = interval
        self.apart = apart
        self.lost = threading.Event()  # set by the heartbeat too
        self.done, self.total, self.message = record.done, record.total, record.message
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None):
        if self.lost.is_set():
            raise LeaseLost(self.record.id)
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message[:500]
        # Kept on the record as if loaded, so that no flush of the job's own work writes it.
        for name in ("done", "total", "message"):
            set_committed_value(self.record, name, getattr(self, name))
        now = time.monotonic()
        if now - self._last >= self.interval or (total and done >= total):
            self._last = now
            self._write()

    @property
    def values(self) -> dict:
        return {"done": self.done, "total": self.total, "message": self.message}

    def _write(self) -> None:
        statement = _held_update(
            self.record.id, self.holder, lease_expires_at=lease_end(), **self.values
        )
        if self.apart:
            # SQLite has one writer at a time, and the job is it: progress shows at the end.
            if db.engine.dialect.name == "sqlite":
                return
            with db.engine.begin() as connection:
                held = connection.execute(statement).rowcount == 1
        else:
            held = db.session.execute(statement).rowcount == 1
            if held:
                db.session.commit()
            else:
                db.session.rollback()
        if not held:
            self.lost.set()
            raise LeaseLost(self.record.id)


class Heartbeat:
    """Renews a running job's lease from a thread of its own while the process lives, so a
    long step between progress reports does not make the job look dead."""

    def __init__(self, engine, progress: Progress, lease_seconds: float):
        self.engine = engine
        self.progress = progress
        self.lease = timedelta(seconds=lease_seconds)
        self.interval = lease_seconds / 3
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-heartbeat-{progress.record.id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        job_id = self.progress.record.id
        while not self._stop.wait(self.interval):
            statement = _held_update(
                job_id, self.progress.holder, lease_expires_at=utcnow() + self.lease
            )
            try:
                with self.engine.begin() as connection:
                    held = connection.execute(statement).rowcount == 1
            except Exception:
                # The database is busy or away: try again; the lease has slack for that.
                log.warning("could not renew the lease of job %s", job_id, exc_info=True)
                continue
            if not held:
                self.progress.lost.set()
                return


def _dies_with_the_process(engine) -> bool:
    # An in-memory SQLite database is gone with the process that runs the job, so no one
    # else could ever reap it; and its one shared connection takes no second thread.
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


def _holder() -> str:
    """Who runs a job: host and process, and a nonce that tells apart two runs in one."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:200]


def _clean_up(kind: str, job_id: str) -> None:
    cleanup = CLEANUPS.get(kind)
    if cleanup is None:
        return
    try:
        cleanup(job_id)
    except Exception:
        log.exception("could not remove what job %s (%s) left behind", job_id, kind)


def _finish(job_id: str, holder: str, **values) -> None:
    """Record the end of a run, if the run still holds its job; commits (or rolls back)."""
    finished = db.session.execute(
        _held_update(job_id, holder, finished_at=utcnow(), lease_expires_at=None, **values)
    )
    if finished.rowcount == 1:
        db.session.commit()
    else:
        db.session.rollback()  # an atomic job's work goes too: the job is someone else's
        log.warning("job %s ended after losing its lease; the reaper's verdict stands", job_id)


def run_job(job_id: str) -> None:
    """Run a recorded job once: a second delivery of the same job does nothing."""
    holder = _holder()
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            started_at=now,
            attempts=Job.attempts + 1,
            claimed_by=holder,
            lease_expires_at=lease_end(now),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if claimed.rowcount != 1:
        log.info("job %s was already taken", job_id)
        return
    record = db.session.get(Job, job_id)
    kind, params = record.kind, record.params
    progress = Progress(record, holder, apart=kind in ATOMIC_JOBS)
    heartbeat = None
    if not _dies_with_the_process(db.engine):
        heartbeat = Heartbeat(db.engine, progress, current_app.config["JOB_LEASE_SECONDS"])
        heartbeat.start()
    try:
        result = JOB_FUNCTIONS[kind](progress, **params)
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s lost its lease while running; stopped", job_id)
        return
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        _clean_up(kind, job_id)
        outcome = {"status": JobStatus.FAILED, "error": str(exc)[:2000] or exc.__class__.__name__}
    else:
        if progress.total is not None:
            progress.done = progress.total
        outcome = {"status": JobStatus.FINISHED, "result": result}
    finally:
        if heartbeat is not None:
            heartbeat.stop()
    _finish(job_id, holder, **progress.values, **outcome)


def reap_dead_jobs(now: datetime | None = None, job_ids=None) -> list[Job]:
    """Deal with the jobs whose lease ran out; returns them.

    A running one lost its worker: it starts over if it may run again and has attempts
    left, else it fails saying so; either way what the dead run left is removed. A queued
    one was never delivered (its dispatch died with a process): it is sent again. Flushes;
    the dispatches happen when the caller commits.
    """
    now = now or utcnow()
    config = current_app.config
    most = config["JOB_MAX_ATTEMPTS"]
    query = (
        select(Job)
        .where(
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
            or_(Job.lease_expires_at.is_(None), Job.lease_expires_at <= now),
        )
        .order_by(Job.created_at)
        .with_for_update(skip_locked=True)  # two reapers never take the same job
    )
    if job_ids is not None:
        query = query.where(Job.id.in_(job_ids))
    reaped = list(db.session.scalars(query))
    for record in reaped:
        if record.status == JobStatus.RUNNING:
            _clean_up(record.kind, record.id)
            attempt = f"attempt {record.attempts} of {most}"
            if record.kind in RESTARTABLE_JOBS and record.attempts < most:
                log.warning("job %s lost its worker during %s; restarting", record.id, attempt)
                record.status = JobStatus.QUEUED
                record.done = 0
                record.message = ""
                record.claimed_by = None
                record.notice = (
                    f"The worker stopped; restarted, attempt {record.attempts + 1} of {most}."
                )
            else:
                log.warning("job %s lost its worker during %s; failed", record.id, attempt)
                record.status = JobStatus.FAILED
                record.finished_at = now
                record.lease_expires_at = None
                record.notice = "The worker stopped."
                record.error = (
                    f"The worker stopped while running this job ({attempt})."
                    if record.kind in RESTARTABLE_JOBS
                    else "The worker stopped while running this job, and it cannot safely be "
                    "restarted: please start it again."
                )
        if record.status == JobStatus.QUEUED:
            record.lease_expires_at = lease_end(now)
            dispatch_after_commit("conference.jobs.services:run_job", record.id)
    db.session.flush()
    return reaped


def reap_if_dead(record: Job, now: datetime | None = None) -> bool:
    """Reap this one job if its lease ran out (cheap otherwise); True if it was."""
    if not record.lease_expired(now or utcnow()):
        return False
    return bool(reap_dead_jobs(now, job_ids=[record.id]))


def get_job_for(user, job_id: str) -> Job:
    """The job, if this user started it or is a site administrator."""
    record = db.session.get(Job, job_id)
    if record is None:
        raise NotFound("No such job.")
    if not (user.is_admin or record.user_id == user.id):
        raise PermissionDenied("This job belongs to someone else.")
    return record


def follow_job(user, job_id: str) -> Job:
    """The job for someone following it, reaped first if its worker died (the caller
    commits), so that what they see says what happened."""
    record = get_job_for(user, job_id)
    reap_if_dead(record)
    return record
