"""Engine and session factories; the schema is migrated to the package's head on first use."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote_plus

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.storage.schema import MigrationError, ensure_schema

ENV_VAR = "CRAWLER_DATABASE_URL"
SQLITE_BUSY_SECONDS = 30.0
"""How long a SQLite connection waits for another process's lock before giving up."""


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


def redact(text: str, url: str) -> str:
    """Remove the URL's password (as written, or URL-quoted) from a message."""
    try:
        password = make_url(url).password
    except ArgumentError:
        return "<message withheld: unparseable database URL>"
    if password:
        for form in {str(password), quote_plus(str(password))}:
            text = text.replace(form, "***")
    return text


def error_reason(exc: BaseException, url: str) -> str:
    """The one-line reason of a database error, safe to show (drivers may quote the DSN)."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines() or [type(orig).__name__]
    return redact(lines[0], url)


@contextmanager
def reported_as(what: str, url: str) -> Iterator[None]:
    """Turn any database or migration error in the block into a safe one-line DatabaseError:
    ``<what> <safe url>: <reason>``."""
    try:
        yield
    except (SQLAlchemyError, MigrationError) as exc:
        raise DatabaseError(f"{what} {safe_url(url)}: {error_reason(exc, url)}") from None


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, foreign keys, a busy timeout and a
    Unicode ``lower()`` (PostgreSQL's), so queries behave the same on both."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"invalid database URL {safe_url(url)!r}") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS})
            event.listen(engine, "connect", _sqlite_setup)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(f"cannot use database {safe_url(url)}: {exc}") from None
    return engine


def _sqlite_setup(dbapi_connection, _record) -> None:
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _use_wal(cursor: sqlite3.Cursor) -> None:
    """Put the database file in WAL mode (it stays so; an in-memory database keeps its own).
    Two processes that open a new database at once may both switch it; SQLite answers the one
    that loses "database is locked" at once, without waiting its busy timeout, so the switch
    is tried again for as long as that timeout lasts."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def open_database(url: str) -> sessionmaker[Session]:
    """Connect, migrate the schema to the head revision when needed, and return a session
    factory. Raises DatabaseError with a one-line reason when the database cannot be used."""
    engine = make_engine(url)
    try:
        ensure_schema(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = error_reason(exc, url)
        raise DatabaseError(f"database {safe_url(url)} is unreachable: {reason}") from None
    except MigrationError as exc:  # e.g. a revision newer than this crawler knows
        engine.dispose()
        reason = error_reason(exc, url)
        raise DatabaseError(f"database {safe_url(url)} cannot be migrated: {reason}") from None
    return sessionmaker(engine, expire_on_commit=False)


_opened: dict[str, sessionmaker[Session]] = {}
_opening = threading.Lock()


def database(url: str) -> sessionmaker[Session]:
    """Return the process-wide session factory for ``url``, opened (schema migrated) once."""
    with _opening:
        if url not in _opened:
            _opened[url] = open_database(url)
        return _opened[url]


def close_databases() -> None:
    """Close the connections of every database ``database`` opened in this process; the next
    call opens it again."""
    with _opening:
        factories = list(_opened.values())
        _opened.clear()
    for factory in factories:
        factory.kw["bind"].dispose()
