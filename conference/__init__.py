"""Conference registration and event management."""

import importlib
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
    "agenda",
    "papers",
    "jobs",
    "mail",
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

    from conference import web

    web.init_app(app)

    importlib.import_module("conference.registration.organiser")  # more routes on that bp
    importlib.import_module("conference.registration.jobs")  # background job functions
    importlib.import_module("conference.badges.jobs")
    for module in ("editor", "public", "personal"):  # the agenda's pages, one module each
        importlib.import_module(f"conference.agenda.{module}")
    for feature in FEATURES:
        routes = importlib.import_module(f"conference.{feature}.routes")
        app.register_blueprint(routes.bp)

    from conference.cli import register_commands

    register_commands(app)
    return app
