"""The runs table: one row per crawl with its figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
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


@dataclass(frozen=True)
class RunRow:
    """One run as ``scrapy runs`` shows it."""

    id: int
    spider: str
    job: str | None
    started: str
    finished: str | None
    status: str
    pages: int
    new: int
    updated: int
    merged: int
    errors: int


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def recent_runs(session: Session, limit: int = 20, spider: str | None = None) -> list[RunRow]:
    """The latest runs, newest first, optionally of one spider."""
    query = select(Run).order_by(Run.id.desc()).limit(limit)
    if spider:
        query = query.where(Run.spider == spider)
    return [
        RunRow(
            id=run.id,
            spider=run.spider,
            job=(run.stats or {}).get("run/job"),
            started=_iso(run.started_at) or "",
            finished=_iso(run.finished_at),
            status=run.status,
            pages=run.pages,
            new=run.new,
            updated=run.updated,
            merged=run.merged,
            errors=run.errors,
        )
        for run in session.scalars(query)
    ]
