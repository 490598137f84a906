"""The runs table: one row per crawl with its figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from crawler.storage.models import Run


def start_run(session: Session, spider: str, started_at: datetime) -> int:
    """Insert a running row for a crawl and return its id."""
    return session.execute(
        insert(Run).returning(Run.id),
        [{"spider": spider, "started_at": started_at, "status": "running"}],
    ).scalar_one()


def finish_run(session: Session, run_id: int, figures: dict[str, Any]) -> None:
    """Record a crawl's end: status, counters and the full stats."""
    session.execute(update(Run).where(Run.id == run_id).values(**figures))
