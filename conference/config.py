"""Configuration: defaults here, then ``instance/config.py``, then the environment."""

import os
import secrets
import time
from pathlib import Path


class Defaults:
    """Settings for the embedded default: SQLite in ``instance/``, no Redis, no SMTP."""

    SECRET_KEY = None  # generated into instance/secret_key on first run
    DATABASE_URL = None  # None means sqlite:///<instance>/conference.db
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}

    # Uploads and request bodies.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    PAPERS_STORAGE = "local"  # where uploaded papers are kept; "local" only for now
    PAPERS_UPLOAD_DIR = ""  # empty: <instance>/uploads/papers
    # Every version of a paper is kept; these bound the disk they take (bytes).
    PAPER_STORAGE_QUOTA = 100 * 1024 * 1024  # all versions of one paper
    DELEGATE_STORAGE_QUOTA = 250 * 1024 * 1024  # all files one registration uploaded

    # Cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    # The site's address, for links in e-mails sent outside a request (CLI, workers).
    BASE_URL = "http://127.0.0.1:5000"

    # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
    PROXY_FIX = 0

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Rate limits (Flask-Limiter reads RATELIMIT_*).
    RATELIMIT_ENABLED = True
    # Empty: REDIS_URL when it is set (every worker and server counts together), else
    # memory:// (each worker process counts alone: right for one process only).
    RATELIMIT_STORAGE_URI = ""
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_EMAIL_RATE_LIMIT = "5 per minute"
    REGISTRATION_RATE_LIMIT = "60 per minute"  # per client address, form and API
    UPLOAD_RATE_LIMIT = "30 per hour"  # paper submissions and new versions, per delegate
    SCANNER_AUTH_CACHE_SECONDS = 5  # a scanner's token and role, checked this often
    SCAN_MAX_AGE_HOURS = 12  # an offline scan synced later than this is refused
    BADGE_BACKGROUND_THRESHOLD = 200  # larger batches are rendered as background jobs

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
    MAIL_DEFAULT_SENDER = "Conference <no-reply@conference.invalid>"
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
    # A stored paper file without its database row (an upload cut short between the two)
    # is removed once this old; younger ones may belong to an upload still finishing.
    PAPERS_ORPHAN_SECONDS = 3600

    LOG_FORMAT = "text"  # or "json"
    LOG_LEVEL = "INFO"


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
    if not app.config["OUTBOX_DIR"]:
        app.config["OUTBOX_DIR"] = str(instance / "outbox")
    if not app.config["RATELIMIT_STORAGE_URI"]:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"] or "memory://"
    if not app.config["TASKS_MODE"]:
        app.config["TASKS_MODE"] = "rq" if app.config["REDIS_URL"] else "thread"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(instance)


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
