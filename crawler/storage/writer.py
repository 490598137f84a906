"""Batch writes, run in a dedicated writer process (or a thread): dedupe and SQL get their own
core instead of competing with the reactor for the interpreter lock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from crawler.items import Article
from crawler.storage.concurrency import write_transaction
from crawler.storage.db import DatabaseError, database, error_reason
from crawler.storage.repository import BatchResult, prepare_batch, store_prepared


def write_batch(database_url: str, items: list[Article]) -> BatchResult | str:
    """Store one batch in one transaction, retried whole when it loses a race with another
    writer; a database error comes back as its one-line reason, password removed (a message,
    not an exception: DBAPI errors do not always survive pickling)."""
    batch = prepare_batch(items)  # before the writer lock: other writers need not wait for it
    try:
        return write_transaction(
            database(database_url),
            lambda session: store_prepared(session, batch, datetime.now(UTC)),
        )
    except DatabaseError as exc:
        return str(exc)
    except SQLAlchemyError as exc:
        return error_reason(exc, database_url)
