"""Background work: a function runs inline, in a thread, or on RQ workers on Redis.

Two layers. ``dispatch`` runs a plain function (named "module:function") with an app
context wherever the configuration says. ``start_job`` records a ``Job`` row that users
can follow, and dispatches ``run_job`` once the transaction that created it commits.
"""

import importlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from conference.dbtypes import utcnow
from conference.errors import NotFound, PermissionDenied
from conference.extensions import db
from conference.jobs.models import Job

log = logging.getLogger(__name__)

JOB_FUNCTIONS: dict[str, Callable] = {}
ATOMIC_JOBS: set[str] = set()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
AFTER_COMMIT_KEY = "conference.dispatch_after_commit"


def job(kind: str, *, atomic: bool = False):
    """Register ``fn(progress, **params)`` as the job of this kind.

    An atomic job does all its work in one transaction (an import: all rows or none); its
    progress is then written apart, so reporting it never commits half the work.
    """

    def register(fn):
        JOB_FUNCTIONS[kind] = fn
        if atomic:
            ATOMIC_JOBS.add(kind)
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
    record = Job(kind=kind, title=title, params=params, user=user)
    db.session.add(record)
    db.session.flush()
    dispatch_after_commit("conference.jobs.services:run_job", record.id)
    return record


class Progress:
    """Handed to a job function: ``progress(done, total, message)`` records how far it got.

    Progress is written through the job's own session and committed, at most a few
    times a second, so a page polling the job sees it move.
    """

    def __init__(self, record: Job, interval: float = 0.5, apart: bool = False):
        self.record = record
        self.interval = interval
        self.apart = apart
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None):
        self.record.done = done
        if total is not None:
            self.record.total = total
        if message is not None:
            self.record.message = message[:500]
        now = time.monotonic()
        if now - self._last >= self.interval or (total and done >= total):
            self._last = now
            if self.apart:
                self._write_apart()
            else:
                db.session.commit()

    def _write_apart(self) -> None:
        # SQLite has one writer at a time, and the job is it: progress shows at the end.
        if db.engine.dialect.name == "sqlite":
            return
        with db.engine.begin() as connection:
            connection.execute(
                update(Job)
                .where(Job.id == self.record.id)
                .values(done=self.record.done, total=self.record.total, message=self.record.message)
            )


def run_job(job_id: str) -> None:
    """Run a recorded job once: a second delivery of the same job does nothing."""
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", started_at=utcnow())
    )
    db.session.commit()
    if claimed.rowcount != 1:
        log.info("job %s was already taken", job_id)
        return
    record = db.session.get(Job, job_id)
    fn = JOB_FUNCTIONS[record.kind]
    try:
        result = fn(Progress(record, apart=record.kind in ATOMIC_JOBS), **record.params)
    except Exception as exc:
        db.session.rollback()
        record = db.session.get(Job, job_id)
        record.status = "failed"
        record.error = str(exc)[:2000] or exc.__class__.__name__
        log.exception("job %s (%s) failed", job_id, record.kind)
    else:
        record.status = "finished"
        record.result = result
        if record.total is not None:
            record.done = record.total
    record.finished_at = utcnow()
    db.session.commit()


def get_job_for(user, job_id: str) -> Job:
    """The job, if this user started it or is a site administrator."""
    record = db.session.get(Job, job_id)
    if record is None:
        raise NotFound("No such job.")
    if not (user.is_admin or record.user_id == user.id):
        raise PermissionDenied("This job belongs to someone else.")
    return record
