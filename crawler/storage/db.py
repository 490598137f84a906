"""Engine and session factories; the schema is created on first use."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.storage.models import Base

ENV_VAR = "CRAWLER_DATABASE_URL"


class DatabaseError(RuntimeError):
    """The database cannot be used; the message is safe to show (no password)."""


def default_database_url(project_root: Path) -> str:
    """Return the database URL from the environment, else SQLite in the project root."""
    return os.environ.get(ENV_VAR) or f"sqlite:///{project_root / 'crawler.sqlite3'}"


def safe_url(url: str) -> str:
    """Render a database URL for messages, with any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {safe_url(url)!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(parsed, pool_pre_ping=True)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_database(url: str) -> sessionmaker[Session]:
    """Connect, create the schema when missing, and return a session factory.

    Raises DatabaseError with a one-line reason when the database cannot be reached.
    """
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DatabaseError(f"database {safe_url(url)} is unreachable: {reason}") from None
    return sessionmaker(engine, expire_on_commit=False)


@lru_cache(maxsize=8)
def database(url: str) -> sessionmaker[Session]:
    """Return the process-wide session factory for ``url``, opened (schema created) once."""
    return open_database(url)
