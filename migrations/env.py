"""Alembic environment for Flask-Migrate with Flask-SQLAlchemy 3 (one database)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from conference.dbtypes import schema_filter

config = context.config
# Keep the app's own loggers when migrations run inside a process (tests, app start).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline():
    """Emit SQL to the script output instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on a connection of the app's engine."""

    def process_revision_directives(context, revision, directives):
        # No empty migration files when the models did not change.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy tables; foreign keys would block the copy.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()  # end the implicit transaction; Alembic opens its own
        conf_args.setdefault("include_object", schema_filter(connection.dialect.name))
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
