"""Configuration: defaults here, then ``instance/config.py``, then the environment."""

import json
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.sansio.utils import host_is_trusted


class Defaults:
    """Settings for the embedded default: SQLite in ``instance/``, no Redis, no SMTP."""

    # Production mode: the app refuses to start without the settings an installation facing
    # the internet needs (``production_problems`` lists them; docs/deployment.md explains).
    PRODUCTION = False

    # The site's name: the navbar, page titles, footers, and the display name e-mails are
    # sent under (unless MAIL_DEFAULT_SENDER names one itself). One line, at most 60 characters.
    SITE_NAME = "Conference"

    SECRET_KEY = None  # generated into instance/secret_key on first run (not in production)
    DATABASE_URL = None  # None means sqlite:///<instance>/conference.db
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Uploads and request bodies.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    PAPERS_STORAGE = "local"  # where uploaded papers are kept; "local" only for now
    PAPERS_UPLOAD_DIR = ""  # empty: <instance>/uploads/papers
    # Every version of a paper is kept; these bound the disk they take (bytes).
    PAPER_STORAGE_QUOTA = 100 * 1024 * 1024  # all versions of one paper
    DELEGATE_STORAGE_QUOTA = 250 * 1024 * 1024  # all files one registration uploaded
    LOGOS_UPLOAD_DIR = ""  # empty: <instance>/uploads/logos (events' logos, re-encoded)
    LOGO_MAX_BYTES = 2 * 1024 * 1024  # the largest logo an organiser may upload

    # Cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    # The site's public address (scheme, host, optional path). Every absolute link (e-mails,
    # exports, calendars, PDFs) is built from it, never from the request's Host header.
    # Empty: SERVER_NAME's, else http://127.0.0.1:5000 (development only).
    BASE_URL = ""
    # The host names the site answers to (comma-separated in the environment; ".example.org"
    # matches its subdomains); a request for any other host gets a 400. Empty: any host.
    TRUSTED_HOSTS: list = []

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_FIX = 0

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Rate limits (Flask-Limiter reads RATELIMIT_*).
    RATELIMIT_ENABLED = True
    # Where the counters live. Empty: REDIS_URL when set (shared by every worker and
    # server), else memory:// (each worker counts alone: one process only).
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_STORAGE_OPTIONS: dict = {}  # redis: connect and read timeouts default to 2 s
    RATELIMIT_KEY_PREFIX = ""  # tells apart installations sharing one Redis
    # The store unreachable: count in the worker's memory meanwhile, never fail a request.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    # Per account, from browsers that never signed in to it; a browser that did has a
    # signed known-device cookie and a budget of its own, so nobody filling this one
    # locks the owner out.
    LOGIN_EMAIL_RATE_LIMIT = "5 per minute; 20 per hour"
    KNOWN_DEVICE_DAYS = 365  # how long a browser stays known after a sign-in
    REGISTRATION_RATE_LIMIT = "60 per minute"  # per client address, form and API
    UPLOAD_RATE_LIMIT = "30 per hour"  # paper submissions and new versions, per delegate
    SCANNER_AUTH_CACHE_SECONDS = 5  # a scanner's token and role, checked this often
    SCAN_MAX_AGE_HOURS = 12  # an offline scan synced later than this is refused
    # The scanners' offline list: rebuilt in the background when older than this, and sent
    # whole instead of a delta when more changed than this (conference/checkin/offline.py).
    OFFLINE_SNAPSHOT_SECONDS = 60
    OFFLINE_DELTA_LIMIT = 20_000
    OFFLINE_LISTS_SECONDS = 3  # keys, categories, delegations, sessions: read once per burst
    BADGE_BACKGROUND_THRESHOLD = 200  # larger batches are rendered as background jobs
    CERTIFICATE_BACKGROUND_THRESHOLD = 100  # more certificates are rendered in the background
    EXPORT_INLINE_LIMIT = 5000  # larger registration exports are made as background jobs
    EXPORT_KEEP_SECONDS = 24 * 3600  # how long a background export's file is kept

    PASSWORD_RESET_MAX_AGE = 3600
    INVITATION_MAX_AGE = 14 * 24 * 3600
    PASSWORD_MIN_LENGTH = 10

    # E-mail. Without MAIL_SERVER, messages are written as .eml files to OUTBOX_DIR.
    MAIL_SERVER = ""
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    # The sender's address; without a display name of its own, SITE_NAME is shown as its name.
    MAIL_DEFAULT_SENDER = "no-reply@conference.invalid"
    MAIL_TIMEOUT = 20
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_CLAIM_TIMEOUT = 600
    MAIL_BATCH_SIZE = 200
    OUTBOX_DIR = None  # None means <instance>/outbox
    # Deliver right after each commit that queued mail; off when only `flask mail send
    # --loop` (or a timer) should deliver.
    MAIL_DELIVER_AFTER_COMMIT = True

    # Background work: "rq" (needs REDIS_URL), "thread" (in-process) or "sync" (tests).
    REDIS_URL = ""
    TASKS_MODE = None  # None means "rq" when REDIS_URL is set, else "thread"
    RQ_QUEUE = "conference"
    # A running job holds a lease that its heartbeat renews; a job whose lease runs out
    # (its worker was killed) is restarted if it can safely run again, else failed.
    JOB_LEASE_SECONDS = 60
    JOB_REAP_SECONDS = 30  # how often a worker looks for such jobs
    JOB_MAX_ATTEMPTS = 3
    # Background work (exports, badge batches, the scanners' offline list) yields the CPU
    # to requests: each job's process lowers its priority by this much (0: not at all).
    JOB_NICENESS = 10
    # A stored paper file without its database row (an upload cut short between the two)
    # is removed once this old; younger ones may belong to an upload still finishing.
    PAPERS_ORPHAN_SECONDS = 3600

    LOG_FORMAT = "text"  # or "json"
    LOG_LEVEL = "INFO"


class UnsafeConfiguration(RuntimeError):
    """Production mode was asked for without the settings it requires."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"PRODUCTION is on, but the app would not be safe on the internet:\n{lines}\n"
            'See docs/deployment.md, "Production mode and the settings it requires".'
        )


def _hosts(value) -> list[str]:
    """Host names from a list or a comma- or space-separated string."""
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    return [host.strip().lower() for host in value or () if host and host.strip()]


def _coerce(raw: str, default):
    """Turn an environment string into the type of the default it overrides."""
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"expected a whole number, got {raw!r}") from None
    if isinstance(default, list):
        return _hosts(raw)
    if isinstance(default, dict):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise ValueError(f"expected a JSON object, got {raw!r}")
        return value
    return raw


def load_config(app, test_config=None) -> None:
    """Fill ``app.config``: defaults, instance/config.py, environment, test mapping."""
    app.config.from_object(Defaults)
    app.config.from_pyfile(str(Path(app.instance_path) / "config.py"), silent=True)
    for key in list(app.config):
        if key.isupper() and key in os.environ:
            try:
                app.config[key] = _coerce(os.environ[key], app.config[key])
            except ValueError as exc:
                raise ValueError(f"environment variable {key}: {exc}") from None
    # A few settings have no default of their own but may come from the environment.
    for key in ("DATABASE_URL", "SECRET_KEY", "OUTBOX_DIR", "TASKS_MODE", "SERVER_NAME"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if test_config:
        app.config.update(test_config)

    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            app.config["DATABASE_URL"] or f"sqlite:///{instance / 'conference.db'}"
        )
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A pooled connection that the server dropped (a restart, a failover, an idle
        # timeout) is replaced before use, instead of failing one request each.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
        options.setdefault("pool_pre_ping", True)
    if not app.config["OUTBOX_DIR"]:
        app.config["OUTBOX_DIR"] = str(instance / "outbox")
    if not app.config["TASKS_MODE"]:
        app.config["TASKS_MODE"] = "rq" if app.config["REDIS_URL"] else "thread"
    production = app.config["PRODUCTION"]
    if not app.config["SECRET_KEY"] and not production:  # production sets its own
        app.config["SECRET_KEY"] = instance_secret_key(instance)
    if not app.config["BASE_URL"] and not production:  # production says where it is
        app.config["BASE_URL"] = development_base_url(app.config)
    app.config["BASE_URL"] = (app.config["BASE_URL"] or "").rstrip("/")
    # Flask refuses a request for any other host (400) when this is a list; None: any host.
    app.config["TRUSTED_HOSTS"] = _hosts(app.config["TRUSTED_HOSTS"]) or None
    if not app.config["RATELIMIT_STORAGE_URI"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        options = app.config["RATELIMIT_STORAGE_OPTIONS"] = dict(
            app.config["RATELIMIT_STORAGE_OPTIONS"]
        )
        # An unreachable Redis must not hold a sign-in for long: fall back to memory.
        options.setdefault("socket_connect_timeout", 2)
        options.setdefault("socket_timeout", 2)
    app.config["SITE_NAME"] = site_name(app.config.get("SITE_NAME"))
    if app.config["SESSION_COOKIE_SECURE"]:  # the remember-me cookie is as precious
        app.config["REMEMBER_COOKIE_SECURE"] = True


SITE_NAME_LIMIT = 60


def site_name(value) -> str:
    """SITE_NAME as one line (it goes into titles and the From header); ValueError if it is
    empty or too long, so a typo is found at start, not in a delegate's inbox."""
    name = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", str(value or "")).split())
    if not name:
        raise ValueError("SITE_NAME: give the site a name, e.g. 'ASEAN+3 Events'.")
    if len(name) > SITE_NAME_LIMIT:
        raise ValueError(f"SITE_NAME: at most {SITE_NAME_LIMIT} characters, not {len(name)}.")
    return name


def development_base_url(config) -> str:
    """The site's address when BASE_URL is not set: SERVER_NAME's, else the dev server's.

    Never the request's Host header, which whoever sends the request chooses.
    """
    server = config.get("SERVER_NAME")
    if not server:
        return "http://127.0.0.1:5000"
    root = (config.get("APPLICATION_ROOT") or "/").rstrip("/")
    return f"{config['PREFERRED_URL_SCHEME']}://{server}{root}"


def production_problems(config) -> list[str]:
    """What keeps this configuration from being safe on the internet (empty: nothing)."""
    problems = []
    if len(config.get("SECRET_KEY") or "") < 32:
        problems.append(
            "SECRET_KEY: set a random value of at least 32 characters, the same on every "
            "app server (python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if config.get("DEBUG"):
        problems.append("DEBUG: must be off (the debugger runs code for whoever asks).")
    base = urlsplit(config.get("BASE_URL") or "")
    if base.scheme != "https" or not base.hostname or base.query or base.fragment:
        problems.append(
            "BASE_URL: the site's public https:// address, e.g. https://conference.example.org "
            "(every link in e-mails, exports and calendars is built from it)."
        )
    trusted = _hosts(config.get("TRUSTED_HOSTS"))
    if not trusted:
        problems.append(
            "TRUSTED_HOSTS: the host names the site answers to, comma-separated (at least "
            "BASE_URL's); requests for any other host are refused."
        )
    elif base.hostname and not host_is_trusted(base.hostname, trusted):
        problems.append(f"TRUSTED_HOSTS: does not include BASE_URL's host {base.hostname!r}.")
    if not config.get("RATELIMIT_ENABLED"):
        problems.append("RATELIMIT_ENABLED: rate limits must be on (sign-in, registration).")
    storage = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if storage.startswith("memory"):
        problems.append(
            "RATELIMIT_STORAGE_URI (or REDIS_URL): a store every worker shares, e.g. "
            "redis://cache.internal:6379/1; memory:// counts in each worker alone."
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE: must be true (the site is served over HTTPS).")
    if int(config.get("PROXY_FIX") or 0) < 1:
        problems.append(
            "PROXY_FIX: the number of reverse proxies in front of the app (at least 1: the "
            "supported deployment has nginx in front), so client addresses and https are known."
        )
    return problems


def check_production(config) -> None:
    """Raise UnsafeConfiguration, listing every problem, unless production is safe."""
    problems = production_problems(config)
    if problems:
        raise UnsafeConfiguration(problems)


def instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it once (safe when workers race)."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker is writing it right now: wait for its content.
        for _ in range(100):
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.05)
        raise RuntimeError(f"{path} exists but is empty") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
