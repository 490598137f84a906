"""How concurrent writers take turns, and which database errors make a batch worth retrying."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

T = TypeVar("T")

WRITER_LOCK_KEY = 0x63726177  # "craw": PostgreSQL advisory lock held by a writing transaction

ATTEMPTS = 5
"""Tries of one write transaction before its error is reported."""

RETRY_DELAY = 0.05
"""Seconds before the second try; doubled for each try after it."""

RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "23505"})
"""PostgreSQL: serialization failure, deadlock, unique violation (another writer came first)."""

RETRYABLE_SQLITE = frozenset(
    {"SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_CONSTRAINT_UNIQUE",
     "SQLITE_CONSTRAINT_PRIMARYKEY"}
)  # fmt: skip
"""SQLite: locked past the busy timeout, or a key another writer stored first."""


def take_writer_lock(connection: Connection) -> None:
    """Make this transaction the only writer until it ends, so what it reads stays true.

    SQLite: ``BEGIN IMMEDIATE`` (must be the transaction's first statement); PostgreSQL: a
    transaction-level advisory lock. Other databases rely on constraints and retries alone.
    """
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(WRITER_LOCK_KEY)))


def is_retryable(exc: DBAPIError) -> bool:
    """Whether a failed transaction lost a race with another writer (so a retry can succeed)."""
    orig = exc.orig
    return (
        getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES
        or getattr(orig, "sqlite_errorname", None) in RETRYABLE_SQLITE
    )


def write_transaction(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction holding the writer lock; when it loses a race with
    another writer (conflict, deadlock, serialization failure), run all of it again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                take_writer_lock(session.connection())
                return work(session)
        except DBAPIError as exc:
            if attempt == ATTEMPTS or not is_retryable(exc):
                raise
            logger.info("Write conflict, retrying (%d/%d): %s", attempt, ATTEMPTS, exc.orig)
            time.sleep(RETRY_DELAY * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
