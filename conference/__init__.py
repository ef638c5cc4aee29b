"""Conference registration and event management."""

import importlib
import importlib.util
import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
FEATURES = (
    "auth",
    "events",
    "registration",
    "badges",
    "checkin",
    "certificates",
    "agenda",
    "papers",
    "jobs",
    "mail",
    "messages",
    "api",
)


def create_app(test_config=None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("CONFERENCE_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from conference.json_provider import StrictJSONProvider
    from conference.web import IdConverter

    app.json = StrictJSONProvider(app)  # no NaN out, no NaN or deep nesting in
    app.url_map.converters["int"] = IdConverter  # before the blueprints add their routes

    from conference.config import check_production, load_config

    load_config(app, test_config)
    if app.config["PRODUCTION"]:
        check_production(app.config)  # raises UnsafeConfiguration, naming every problem

    from conference import request_text

    request_text.init_app(app)  # before any route is added: it sets the URL converter

    from conference import logs

    logs.configure(app)

    from conference import models  # noqa: F401  (every table, for db and Alembic)
    from conference.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from conference import i18n, web

    i18n.init_app(app)  # before web: its filters read the page's language
    web.init_app(app)

    # Every feature's routes and background jobs are registered here, and only here: its
    # ``views`` package holds its blueprint, its ``jobs`` module (if any) its job functions.
    for feature in FEATURES:
        app.register_blueprint(importlib.import_module(f"conference.{feature}.views").bp)
        if importlib.util.find_spec(f"conference.{feature}.jobs"):
            importlib.import_module(f"conference.{feature}.jobs")

    from conference.cli import register_commands

    register_commands(app)
    return app
