"""Real-browser tests: the app on a loopback port, Debian's Chromium driven by Playwright."""

import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from conference import create_app
from conference.extensions import db
from tests.conftest import base_config

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _browser_missing_reason() -> str | None:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def playwright():
    """The one Playwright driver of this test process: its sync API runs an event loop of
    its own, so a second one in the same process fails; every browser is launched from it."""
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


class LiveServer:
    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


@contextmanager
def serving(tmp_path, smtp_port, monkeypatch):
    """The app on a free loopback port, with a fresh SQLite database built by the
    migrations, its mail going to the loopback SMTP server on ``smtp_port``."""
    from flask_migrate import upgrade

    monkeypatch.setenv("CONFERENCE_INSTANCE_PATH", str(tmp_path / "instance"))
    config = base_config(f"sqlite:///{tmp_path / 'browser.db'}", tmp_path)
    config.update(
        WTF_CSRF_ENABLED=True,
        SERVER_NAME=None,
        TASKS_MODE="thread",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_port,
    )
    app = create_app(config)
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # links in e-mails
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, server)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path, smtp_server, monkeypatch):
    """The app on a free loopback port, with a fresh SQLite database built by the migrations.

    Its mail goes to the loopback SMTP server of the ``smtp_server`` fixture.
    """
    with serving(tmp_path, smtp_server.port, monkeypatch) as server:
        yield server


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; a screenshot lands in test-artifacts/ when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    if getattr(request.node, "test_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def wait_for_mail(smtp_server, count, timeout=10):
    """The messages the loopback SMTP server got, once there are ``count`` (or the time is up)."""
    deadline = time.monotonic() + timeout
    while len(smtp_server.envelopes) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return smtp_server.messages()
