"""The entry point RQ workers call (runs a dispatched function inside the app), and the
housekeeping a worker does between jobs."""

import logging
import os
import threading

from conference.extensions import db
from conference.jobs.services import perform as _perform
from conference.jobs.services import resolve

log = logging.getLogger(__name__)

APP = None
WORKER_PID = None  # the `flask worker` process; its work horses are forked from it

# Run at worker start and every JOB_REAP_SECONDS: each flushes, then is committed.
HOUSEKEEPING = (
    "conference.jobs.services:reap_dead_jobs",
    "conference.papers.cleanup:remove_orphan_files",
    "conference.registration.jobs:remove_old_exports",
)


def perform(target: str, *args) -> None:
    """Run ``target(*args)`` with the worker's app (created once per worker process)."""
    global APP
    if APP is None:
        from conference import create_app

        APP = create_app()
    if WORKER_PID is not None and os.getpid() != WORKER_PID:
        # A forked work horse: the pooled connections are the worker's (its housekeeping
        # uses them), not to be shared; the horse opens its own. It runs one job and ends,
        # so its lower priority leaves the worker's own as it was.
        with APP.app_context():
            db.engine.dispose(close=False)
        yield_cpu(APP.config["JOB_NICENESS"])
    _perform(APP, target, *args)


def yield_cpu(niceness: int) -> None:
    """Lower this process's CPU priority by ``niceness`` (requests on the same host go
    first); a platform without it leaves the priority as it is."""
    if niceness > 0 and hasattr(os, "nice"):
        try:
            os.nice(niceness)
        except OSError:
            log.warning("could not lower the job's priority", exc_info=True)


def housekeeping(app) -> None:
    """Reap the jobs of dead workers, remove files that uploads cut short left and
    exports kept long enough."""
    for target in HOUSEKEEPING:
        with app.app_context():
            try:
                resolve(target)()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("housekeeping %s failed", target)


def keep_house(app, stop: threading.Event) -> threading.Thread:
    """Do the housekeeping every JOB_REAP_SECONDS in a thread, until ``stop`` is set."""

    def loop():
        while not stop.wait(app.config["JOB_REAP_SECONDS"]):
            housekeeping(app)

    thread = threading.Thread(target=loop, name="conference-housekeeping", daemon=True)
    thread.start()
    return thread
