import stat

from conference import create_app


def make(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("CONFERENCE_INSTANCE_PATH", str(tmp_path))
    for key in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "MAIL_SERVER"):
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
