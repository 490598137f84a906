"""Alembic owns the schema: migrations ship in the package and run on first use, one process
at a time; a database made by the old ``create_all`` is adopted at the initial revision."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from crawler.storage.concurrency import take_writer_lock

logger = logging.getLogger(__name__)
# Alembic logs its plugins and context at INFO on every open: noise; our lines say what changed.
logging.getLogger("alembic").setLevel(logging.WARNING)

MIGRATIONS = Path(__file__).with_name("migrations")
INITIAL_REVISION = "0001"
"""The schema ``Base.metadata.create_all`` made before Alembic: such databases are stamped."""


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the package's migrations, run on ``connection``
    (no ini file, no URL, so nothing depends on the current directory or shows a password)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the package ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for an empty (or pre-Alembic) database."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``revision`` under the writer lock; return (before, after).

    A database that has the crawler's tables but no version (made by ``create_all``) is
    stamped at the initial revision first, so its rows are kept and later migrations apply.
    """
    with engine.begin() as connection:
        take_writer_lock(connection)
        before = current_revision(connection)
        if before is None and inspect(connection).has_table("articles"):
            command.stamp(alembic_config(connection), INITIAL_REVISION)
            logger.info("Database made before migrations: stamped at %s", INITIAL_REVISION)
        command.upgrade(alembic_config(connection), revision)
        after = current_revision(connection)
    if after != before:
        logger.info("Database schema upgraded from %s to %s", before or "empty", after)
    return before, after


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database to the head revision unless it is there already."""
    with engine.connect() as connection:
        if current_revision(connection) == head_revision():
            return
    upgrade(engine)
