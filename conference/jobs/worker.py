"""The entry point RQ workers call: runs a dispatched function inside the app."""

from conference.jobs.services import perform as _perform

APP = None


def perform(target: str, *args) -> None:
    """Run ``target(*args)`` with the worker's app (created once per worker process)."""
    global APP
    if APP is None:
        from conference import create_app

        APP = create_app()
    _perform(APP, target, *args)
