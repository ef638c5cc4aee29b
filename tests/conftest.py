"""Fixtures: an app per test on a fresh database (SQLite, and PostgreSQL when configured).

The suite runs in parallel with pytest-xdist (see ``pytest_cmdline_main`` below); each
worker process then has its own PostgreSQL database and its own Redis database.
"""

import contextvars
import os
import socket

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from conference import create_app
from conference.extensions import db as _db
from tests.api.contract import check_answer

# "gw0", "gw1", ... in a pytest-xdist worker; empty in a serial run.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database_url(url: str) -> str:
    """The configured database in a serial run; `<database>_gw0`, ... in an xdist worker."""
    if not url or not XDIST_WORKER:
        return url
    parsed = make_url(url)
    own = parsed.set(database=f"{parsed.database}_{XDIST_WORKER}")
    return own.render_as_string(hide_password=False)


CONFIGURED_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_DATABASE_URL = _worker_database_url(CONFIGURED_DATABASE_URL)  # this process's own
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def postgres_url() -> str:
    """The PostgreSQL test database, or skip with the reason."""
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    return TEST_DATABASE_URL


@pytest.fixture(scope="session", autouse=True)
def _worker_database():
    """An xdist worker's PostgreSQL database: made at the start, dropped at the end."""
    if TEST_DATABASE_URL == CONFIGURED_DATABASE_URL:
        yield  # a serial run uses the configured database itself
        return
    name = make_url(TEST_DATABASE_URL).database
    admin = create_engine(CONFIGURED_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # a crashed run's
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request):
    """Each backend once per session; PostgreSQL gets the schema built once, emptied per test."""
    if request.param == "sqlite":
        yield "sqlite://"
        return
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        # Whatever an earlier run left (even an older schema) goes.
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, "SECRET_KEY": "x" * 32})
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    yield TEST_DATABASE_URL


def _empty_postgres(app) -> None:
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
        with _db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def base_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "TASKS_MODE": "sync",
        "OFFLINE_LISTS_SECONDS": 0,  # a test renames and reads at once (one test keeps them)
        "MAIL_SERVER": "",
        "REDIS_URL": "",
        "SERVER_NAME": "conference.test",
        "BASE_URL": "http://conference.test",
    }


class RequestClient(FlaskClient):
    """A test client whose requests get their own app context, as in production, and
    whose API answers are checked against the OpenAPI document.

    Without its own context, a request made while a test holds an app context (the ``db``
    fixture) would share that context's ``g`` and database session: the signed-in user
    of one client would leak into the next request of another. Every /api/v1 answer must
    be one the document describes (status, media type, body), in every test that gets one.
    """

    def open(self, *args, **kwargs):
        context = contextvars.Context()
        response = context.run(super().open, *args, **kwargs)
        context.run(response.get_data)  # a streamed body is read in the same context
        context.run(response.close)  # and a file behind it (send_file) is closed
        check_answer(self.application, response.request, response)
        return response


@pytest.fixture
def make_app(database_url, tmp_path, monkeypatch):
    """Build an app on the test database with extra config; the database is emptied after.

    Its instance folder (imports, badge batches, secret key) is the test's own.
    """
    apps = []
    monkeypatch.setenv("CONFERENCE_INSTANCE_PATH", str(tmp_path / "instance"))

    def factory(**overrides):
        app = create_app({**base_config(database_url, tmp_path), **overrides})
        app.test_client_class = RequestClient
        if database_url.startswith("sqlite"):
            with app.app_context():
                _db.create_all()
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            _db.session.remove()
    if apps and not database_url.startswith("sqlite"):
        _empty_postgres(apps[0])
    for app in apps:
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def db(app):
    """The database, inside an app context for this test only."""
    with app.app_context():
        yield _db
        _db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def log_in(client, email: str, password: str, follow=False):
    """Sign in through the real form."""
    return client.post(
        "/login", data={"email": email, "password": password}, follow_redirects=follow
    )


@pytest.fixture
def login(client):
    def do(user_or_email, password="correct horse battery staple"):
        email = getattr(user_or_email, "email", user_or_email)
        response = log_in(client, email, password)
        assert response.status_code == 302, "login failed"
        return response

    return do


def redis_db_url(number: int) -> str:
    """Redis database `number` on 127.0.0.1:6379 in a serial run. An xdist worker has one
    database of its own for every number (gw0 → 1, gw1 → 2, ...): workers running tests at
    once never share counters or queues, as the tests of one process never ran at once."""
    if XDIST_WORKER:
        number = 1 + int(XDIST_WORKER.removeprefix("gw"))
        if number > 15:
            pytest.fail("Redis has 16 databases: run the tests with at most 15 workers (-n 15)")
    return f"redis://127.0.0.1:6379/{number}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPRecorder:
    """What a real SMTP server on loopback received."""

    def __init__(self):
        self.envelopes = []
        self.refuse = None  # e.g. "550 No such user" to refuse every message

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        from email import message_from_bytes
        from email.policy import default

        return [message_from_bytes(e.content, policy=default) for e in self.envelopes]


@pytest.fixture
def smtp_server():
    """An aiosmtpd server on a free loopback port."""
    from aiosmtpd.controller import Controller

    recorder = SMTPRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
    yield recorder
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_server):
    """An app that delivers mail to the loopback SMTP server."""
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)


def pytest_runtest_makereport(item, call):
    # Lets browser fixtures know whether the test failed (to keep a screenshot).
    if call.when == "call":
        item.test_failed = call.excinfo is not None


# Parallel runs (pytest-xdist) ------------------------------------------------------------

# Modules whose tests share servers started once per module (a module-scoped fixture): the
# deployment's gunicorn and nginx, the fault injection's gunicorn and `flask worker`, the
# journeys' app serving the demo event. In a parallel run all the tests of each go to one
# worker, so that their servers start (and the demo is built) once.
ONE_WORKER_MODULES = {
    "tests/test_deployment.py",
    "tests/faults/test_kill_workers.py",
    "tests/browser/test_journeys.py",
}
_DEFAULT_DISTRIBUTION = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """`python -m pytest` runs on every core (`-n auto`) unless told otherwise (`-n 0`,
    `-n 3`, `--pdb`), and serially without pytest-xdist (`-p no:xdist`). Set here rather
    than in addopts, which `-p no:xdist` would refuse."""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None and not config.option.usepdb:
        config.option.numprocesses = "auto"
    config.stash[_DEFAULT_DISTRIBUTION] = config.option.dist == "no"  # no --dist given


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto`: one worker more than the cores, as the tests spend much of their time
    waiting on servers, browsers and the database (on 2 cores, SQLite only: 243 s with 3
    workers, 286 s with 2). PYTEST_XDIST_AUTO_NUM_WORKERS=N still decides, if set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # read by xdist itself
    return min(len(os.sched_getaffinity(0)) + 1, 15)  # 15: the Redis databases, above


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """Unless `--dist` says otherwise: test by test to whichever worker is free, but the
    tests of ONE_WORKER_MODULES module by module (xdist's `loadgroup` would do it from
    marks, but does not with pytest 9.2: pytest-dev/pytest-xdist#1386)."""
    if not config.stash.get(_DEFAULT_DISTRIBUTION, False):
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return Scheduling(config, log)
