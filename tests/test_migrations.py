"""The migrations build the same schema as the models, on SQLite and on PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from conference import create_app
from conference.dbtypes import EXPRESSION_INDEXES, schema_filter
from conference.extensions import db
from tests.conftest import TEST_DATABASE_URL, base_config


def schema_differences(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": schema_filter(conn.dialect.name)}
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, db.metadata)


def check_migrations(url: str, tmp_path) -> None:
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
    assert {"user", "event", "event_role", "api_token", "job", "outbox_message"} <= tables
    assert schema_differences(app) == []
    with app.app_context():  # the indexes on expressions, left out of the comparison
        if db.engine.dialect.name == "postgresql":
            made = {
                index["name"]
                for table in inspect(db.engine).get_table_names()
                for index in inspect(db.engine).get_indexes(table)
            }
            assert EXPRESSION_INDEXES <= made
    # Every migration can be undone and redone.
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
    try:
        assert schema_differences(app) == []
    finally:
        with app.app_context():
            db.engine.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path):
    check_migrations(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path)


def test_migrations_match_the_models_on_postgresql(tmp_path):
    if not TEST_DATABASE_URL:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (.ci/run does)")
    name = f"conference_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(TEST_DATABASE_URL).set(database=name)
        check_migrations(url.render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_an_event_from_before_keys_came_with_events_gets_one(tmp_path):
    from conference.badges.models import BadgeKey
    from conference.badges.services import public_keys_json, signing_key
    from tests.factories import make_event

    app = create_app(base_config(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path))
    with app.app_context():
        upgrade()
        event = make_event()
        db.session.query(BadgeKey).delete()  # as an event made before had none
        db.session.commit()
        downgrade(revision="a7c3e91d5b20")
        upgrade()
        assert signing_key(event).event_id == event.id
        assert len(public_keys_json(event)) == 1
        db.session.remove()
        db.engine.dispose()


def test_stored_search_text_gets_han_characters_and_kana_apart_and_back(tmp_path):
    from conference.registration.models import Registration
    from tests.factories import delegate, make_category, make_event

    app = create_app(base_config(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path))
    with app.app_context():
        upgrade()
        event = make_event()
        person = delegate(event, make_category(event), native_name="王晓明 佐藤ゆき")
        spaced = person.search_text
        assert "王 晓 明 佐 藤 ゆ き" in spaced
        downgrade(revision="b8d4f2a6c913")  # as the search text was stored before
        stored = db.session.scalar(text("SELECT search_text FROM registration"))
        assert "王晓明佐藤ゆき" in stored and "trung chien" in stored
        upgrade()
        db.session.expire_all()
        assert db.session.get(Registration, person.id).search_text == spaced
        db.session.remove()
        db.engine.dispose()


def test_registrations_from_before_name_orders_take_their_countrys_order(tmp_path):
    from conference.registration.models import Registration
    from tests.factories import delegate, make_category, make_event

    app = create_app(base_config(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path))
    with app.app_context():
        upgrade()
        event = make_event()
        category = make_category(event, "Delegate")
        for country in ("VN", "KH", "JP", "TH", "ID"):
            delegate(event, category, country=country, native_name="", name_order="given_first")
        downgrade(revision="de928afa5dd2")  # before name orders
        upgrade()
        db.session.expire_all()
        orders = dict(
            db.session.execute(select(Registration.country, Registration.name_order)).all()
        )
        assert orders == {
            "VN": "family_first",
            "KH": "family_first",
            "JP": "family_first",
            "TH": "given_first",
            "ID": "given_first",
        }
        db.session.remove()
        db.engine.dispose()
