"""Alembic owns the schema: migrations ship in the package and run on first use, one process
at a time; a database made by the old ``create_all`` is adopted at the initial revision.

Alembic itself is imported only when a migration runs or a ``scrapy db`` command asks for it:
a database already at ``HEAD_REVISION`` (every run but the first) is told by its version table,
and an empty one is built at the head as Alembic's documentation says to build a database from
scratch: the models' ``create_all``, then the head revision stamped (the migrations build the
same schema: ``tests/test_migrations.py`` compares them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    inspect,
    text,
)

from crawler.storage.concurrency import take_writer_lock
from crawler.storage.models import Base

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script

logger = logging.getLogger(__name__)
# Alembic logs its plugins and context at INFO on every open: noise; our lines say what changed.
logging.getLogger("alembic").setLevel(logging.WARNING)

MIGRATIONS = Path(__file__).with_name("migrations")
INITIAL_REVISION = "0001"
"""The schema ``Base.metadata.create_all`` made before Alembic: such databases are stamped."""
HEAD_REVISION = "0004"
"""The newest revision the package ships (``head_revision()``; a test keeps them equal)."""


VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)
"""Alembic's version table, as Alembic makes it."""


class MigrationError(RuntimeError):
    """Alembic cannot migrate the database (a revision this crawler does not know, say)."""


@contextmanager
def _alembic_errors() -> Iterator[None]:
    """Raise Alembic's own errors as MigrationError (callers need not import Alembic)."""
    from alembic.util.exc import CommandError

    try:
        yield
    except CommandError as exc:
        raise MigrationError(str(exc)) from exc


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code: the package's migrations, run on ``connection``
    (no ini file, no URL, so nothing depends on the current directory or shows a password)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the package ships, as Alembic reads it from the migrations."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations"
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for an empty (or pre-Alembic) database."""
    from alembic.runtime.migration import MigrationContext

    with _alembic_errors():
        return MigrationContext.configure(connection).get_current_revision()


def stored_revision(connection: Connection) -> str | None:
    """The revision in the database's version table when it holds exactly one (else None),
    read without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``revision`` under the writer lock; return (before, after).

    A database that has the crawler's tables but no version (made by ``create_all``) is
    stamped at the initial revision first, so its rows are kept and later migrations apply.
    Raises MigrationError when Alembic cannot.
    """
    from alembic import command

    with engine.begin() as connection, _alembic_errors():
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


def new_revision(connection: Connection, message: str) -> list[Script]:
    """Write the migration from the head revision to the models (Alembic's autogenerate),
    numbered after the head; the scripts written."""
    from alembic import command

    with _alembic_errors():
        script = command.revision(
            alembic_config(connection),
            message,
            autogenerate=True,
            rev_id=f"{int(head_revision()) + 1:04d}",
        )
    scripts = script if isinstance(script, list) else [script]
    return [s for s in scripts if s is not None]


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the head revision unless it is there already: build an empty
    one, upgrade one at an older revision."""
    with engine.connect() as connection:
        if stored_revision(connection) == HEAD_REVISION:
            return
    if not build_empty(engine):
        upgrade(engine)


def build_empty(engine: Engine) -> bool:
    """Build the head schema in an empty database, under the writer lock; False when the
    database holds tables already (and is not at the head: it needs Alembic)."""
    with engine.begin() as connection:
        take_writer_lock(connection)
        if stored_revision(connection) == HEAD_REVISION:
            return True  # another process built it meanwhile
        if inspect(connection).get_table_names():
            return False
        Base.metadata.create_all(connection)
        VERSION_TABLE.create(connection)
        connection.execute(VERSION_TABLE.insert().values(version_num=HEAD_REVISION))
    logger.info("Database schema created at %s", HEAD_REVISION)
    return True
