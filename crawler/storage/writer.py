"""Batch writes, run in a dedicated writer process (or a thread): dedupe and SQL get their own
core instead of competing with the reactor for the interpreter lock."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from crawler.items import Article
from crawler.storage.db import database
from crawler.storage.repository import BatchResult, store_batch


def write_batch(database_url: str, items: list[Article]) -> BatchResult | str:
    """Store one batch in one transaction; a database error comes back as its one-line reason
    (a message, not an exception: DBAPI errors do not always survive pickling)."""
    try:
        with database(database_url).begin() as session:
            return store_batch(session, items, now=datetime.now(UTC))
    except SQLAlchemyError as exc:
        return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
