"""Run bookkeeping: a runs-table row per crawl and one summary line at its end."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError

from crawler.storage.db import DatabaseError, database
from crawler.storage.runs import finish_run, start_run

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "merged", "unchanged")


def run_figures(stats: dict[str, Any], reason: str) -> dict[str, Any]:
    """Compute a run's row from its Scrapy stats and finish reason."""
    rejected = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("rejected/")}
    stored = {o: stats.get(f"store/{o}", 0) for o in OUTCOMES}
    errors = stats.get("log_count/ERROR", 0)
    failed = stats.get("run/failed")
    status = "finished" if reason == "finished" and not failed else f"failed: {failed or reason}"
    return {
        "status": status,
        "seen": sum(stored.values()) + sum(rejected.values()),
        **stored,
        "rejected": sum(rejected.values()),
        "errors": errors,
        "stats": {"rejected": rejected, **{k: _plain(v) for k, v in stats.items()}},
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def summary_line(spider: str, run_id: int | None, figures: dict[str, Any]) -> str:
    """Render the one-line summary every run ends with."""
    rejected = figures["stats"]["rejected"]
    reasons = ", ".join(f"{k}: {v}" for k, v in sorted(rejected.items()))
    run = f"Run {run_id}" if run_id is not None else "Run"
    return (
        f"{run} ({spider}) {figures['status']}: seen {figures['seen']}, new {figures['new']}, "
        f"updated {figures['updated']}, merged {figures['merged']}, "
        f"unchanged {figures['unchanged']}, rejected {figures['rejected']}"
        + (f" ({reasons})" if reasons else "")
        + f", errors {figures['errors']}"
    )


class RunRecorder:
    """Records each crawl in the runs table and logs its summary. Setting: ``DATABASE_URL``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url: str = crawler.settings["DATABASE_URL"]
        self.run_id: int | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        return cls(crawler)

    async def spider_opened(self, spider: Spider) -> None:
        try:
            self.run_id = await asyncio.to_thread(self._start, spider.name)
        except (DatabaseError, SQLAlchemyError) as exc:
            logger.error("Could not record the run: %s", exc)

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        figures = run_figures(self.crawler.stats.get_stats(), reason)
        logger.info(summary_line(spider.name, self.run_id, figures))
        if self.run_id is None:
            return
        try:
            await asyncio.to_thread(self._finish, figures)
        except SQLAlchemyError as exc:
            logger.error("Could not record the end of run %s: %s", self.run_id, exc)

    def _start(self, spider: str) -> int:
        with database(self.database_url).begin() as session:
            return start_run(session, spider, datetime.now(UTC))

    def _finish(self, figures: dict[str, Any]) -> None:
        assert self.run_id is not None
        with database(self.database_url).begin() as session:
            finish_run(session, self.run_id, {**figures, "finished_at": datetime.now(UTC)})
