import stat

from conference import create_app


def make(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("CONFERENCE_INSTANCE_PATH", str(tmp_path))
    for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "SERVER_NAME"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return create_app()


def test_embedded_default_is_sqlite_in_the_instance_folder(monkeypatch, tmp_path):
    app = make(monkeypatch, tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'conference.db'}"
    assert app.config["TASKS_MODE"] == "thread"
    assert app.config["OUTBOX_DIR"] == str(tmp_path / "outbox")


def test_secret_key_is_generated_once_into_the_instance_folder(monkeypatch, tmp_path):
    first = make(monkeypatch, tmp_path).config["SECRET_KEY"]
    second = make(monkeypatch, tmp_path).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = tmp_path / "other"
    assert make(monkeypatch, other).config["SECRET_KEY"] != first


def test_environment_overrides_instance_config_which_overrides_defaults(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text(
        "MAIL_SERVER = 'smtp.instance.example'\nMAIL_PORT = 2525\nLOG_LEVEL = 'WARNING'\n"
    )
    app = make(
        monkeypatch,
        tmp_path,
        MAIL_PORT="587",
        MAIL_USE_TLS="true",
        RATELIMIT_ENABLED="0",
        DATABASE_URL="postgresql+psycopg://u@db/conference",
        SECRET_KEY="from-env",
        REDIS_URL="redis://cache:6379/0",
    )
    assert app.config["MAIL_SERVER"] == "smtp.instance.example"
    assert app.config["LOG_LEVEL"] == "WARNING"
    assert app.config["MAIL_PORT"] == 587
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/conference"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["TASKS_MODE"] == "rq"
    assert not (tmp_path / "secret_key").exists()


def test_a_malformed_setting_is_refused_with_its_name(monkeypatch, tmp_path):
    import pytest

    with pytest.raises(ValueError, match="MAIL_PORT"):
        make(monkeypatch, tmp_path, MAIL_PORT="twenty-five")


def test_rate_limits_are_counted_in_redis_when_it_is_configured(monkeypatch, tmp_path):
    shared = make(monkeypatch, tmp_path, REDIS_URL="redis://cache:6379/0")
    assert shared.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    chosen = make(
        monkeypatch,
        tmp_path,
        REDIS_URL="redis://cache:6379/0",
        RATELIMIT_STORAGE_URI="redis://limits:6379/1",
    )
    assert chosen.config["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/1"
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI")
    alone = make(monkeypatch, tmp_path)
    assert alone.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_storage_quotas_default_to_100_mib_a_paper_and_250_mib_a_delegate(monkeypatch, tmp_path):
    app = make(monkeypatch, tmp_path, PAPER_STORAGE_QUOTA="1048576")
    assert app.config["PAPER_STORAGE_QUOTA"] == 1024 * 1024
    assert app.config["DELEGATE_STORAGE_QUOTA"] == 250 * 1024 * 1024


PRODUCTION = {
    "PRODUCTION": "true",
    "SECRET_KEY": "0123456789abcdef0123456789abcdef",
    "BASE_URL": "https://conference.example.org",
    "TRUSTED_HOSTS": "conference.example.org, www.conference.example.org",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SESSION_COOKIE_SECURE": "true",
    "PROXY_FIX": "1",
}


def test_production_mode_refuses_to_start_without_its_settings(monkeypatch, tmp_path):
    import pytest

    from conference.config import UnsafeConfiguration

    with pytest.raises(UnsafeConfiguration) as refused:
        make(monkeypatch, tmp_path, PRODUCTION="1")
    message = str(refused.value)
    for setting in (
        "SECRET_KEY",
        "BASE_URL",
        "TRUSTED_HOSTS",
        "RATELIMIT_STORAGE_URI",
        "SESSION_COOKIE_SECURE",
        "PROXY_FIX",
    ):
        assert setting in message
    assert len(refused.value.problems) == 6
    assert not (tmp_path / "secret_key").exists()  # production never invents its key


def test_production_mode_starts_with_its_settings(monkeypatch, tmp_path):
    app = make(monkeypatch, tmp_path, **PRODUCTION)
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    assert app.config["TRUSTED_HOSTS"] == ["conference.example.org", "www.conference.example.org"]
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    assert client.get("/healthz", base_url="http://evil.example").status_code == 400


def test_production_mode_names_each_missing_or_unsafe_setting(monkeypatch, tmp_path):
    import pytest

    from conference.config import UnsafeConfiguration

    for change, named in [
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"BASE_URL": "http://conference.example.org"}, "BASE_URL"),
        ({"TRUSTED_HOSTS": "other.example.org"}, "TRUSTED_HOSTS"),
        ({"REDIS_URL": "", "RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_ENABLED": "false"}, "RATELIMIT_ENABLED"),
        ({"SESSION_COOKIE_SECURE": "false"}, "SESSION_COOKIE_SECURE"),
        ({"PROXY_FIX": "0"}, "PROXY_FIX"),
    ]:
        with monkeypatch.context() as env, pytest.raises(UnsafeConfiguration) as refused:
            make(env, tmp_path, **{**PRODUCTION, **change})
        [problem] = refused.value.problems
        assert problem.startswith(named), (change, problem)


def test_base_url_is_never_taken_from_a_request_in_development(monkeypatch, tmp_path):
    assert make(monkeypatch, tmp_path).config["BASE_URL"] == "http://127.0.0.1:5000"
    named = make(monkeypatch, tmp_path, SERVER_NAME="conf.local:8000")
    assert named.config["BASE_URL"] == "http://conf.local:8000"
    given = make(monkeypatch, tmp_path, BASE_URL="https://example.org/conference/")
    assert given.config["BASE_URL"] == "https://example.org/conference"


def test_rate_limits_live_in_redis_whenever_redis_is_configured(monkeypatch, tmp_path):
    assert make(monkeypatch, tmp_path).config["RATELIMIT_STORAGE_URI"] == "memory://"
    shared = make(monkeypatch, tmp_path, REDIS_URL="redis://cache:6379/0")
    assert shared.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"
    apart = make(
        monkeypatch,
        tmp_path,
        REDIS_URL="redis://cache:6379/0",
        RATELIMIT_STORAGE_URI="redis://cache:6379/1",
    )
    assert apart.config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/1"


def test_the_site_name_comes_from_the_environment_as_one_line(monkeypatch, tmp_path):
    import pytest

    assert make(monkeypatch, tmp_path).config["SITE_NAME"] == "Conference"
    app = make(monkeypatch, tmp_path, SITE_NAME="  Mạng lưới\tThành phố   Học tập ")
    assert app.config["SITE_NAME"] == "Mạng lưới Thành phố Học tập"
    with pytest.raises(ValueError, match="SITE_NAME: give the site a name"):
        make(monkeypatch, tmp_path, SITE_NAME=" \n ")
    with pytest.raises(ValueError, match="SITE_NAME: at most 60 characters"):
        make(monkeypatch, tmp_path, SITE_NAME="x" * 61)
