"""Run bookkeeping: a runs-table row per crawl and one summary line at its end."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from sqlalchemy.exc import SQLAlchemyError

from crawler.storage.db import DatabaseError, database, error_reason
from crawler.storage.runs import finish_run, start_run

logger = logging.getLogger(__name__)

OUTCOMES = ("new", "updated", "merged", "unchanged")


def _by_kind(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith(prefix)}


DEFAULT_MAX_ERROR_RATE = 0.5


def error_rate(errors: int, pages: int) -> float:
    """Failed requests per page fetched, at most 1 (also when nothing could be fetched)."""
    if not errors:
        return 0.0
    return min(1.0, errors / pages) if pages else 1.0


def _error_counts(stats: dict[str, Any]) -> dict[str, int]:
    errors = _by_kind(stats, "errors/")
    if stats.get("store/errors"):
        errors["store"] = stats["store/errors"]
    return errors


def run_failure(
    stats: dict[str, Any], reason: str | None, max_error_rate: float = DEFAULT_MAX_ERROR_RATE
) -> str | None:
    """Why a run failed, None when it did not: a component set ``run/failed``, the crawl
    ended for another reason than ``finished``, or its error rate passed
    ``max_error_rate`` (``RUN_MAX_ERROR_RATE``; 0: any error fails a run, 1: never)."""
    if failed := stats.get("run/failed"):
        return str(failed)
    if reason != "finished":
        return reason or "unknown"
    errors = sum(_error_counts(stats).values())
    pages = stats.get("response_received_count", 0)
    rate = error_rate(errors, pages)
    if rate > max_error_rate:
        return (
            f"error rate {rate:.2f} ({errors} errors, {pages} pages) is over "
            f"RUN_MAX_ERROR_RATE {max_error_rate:g}"
        )
    return None


def run_figures(
    stats: dict[str, Any], reason: str, max_error_rate: float = DEFAULT_MAX_ERROR_RATE
) -> dict[str, Any]:
    """Compute a run's row from its Scrapy stats and finish reason."""
    rejected = _by_kind(stats, "rejected/")
    errors = _error_counts(stats)
    stored = {o: stats.get(f"store/{o}", 0) for o in OUTCOMES}
    failure = run_failure(stats, reason, max_error_rate)
    return {
        "status": f"failed: {failure}" if failure else "finished",
        "pages": stats.get("response_received_count", 0),
        "seen": sum(stored.values()) + sum(rejected.values()),
        **stored,
        "rejected": sum(rejected.values()),
        "errors": sum(errors.values()),
        "stats": {
            "rejected": rejected,
            "errors": errors,
            **{k: _plain(v) for k, v in stats.items()},
        },
    }


def max_error_rate(settings: BaseSettings) -> float:
    """The ``RUN_MAX_ERROR_RATE`` setting."""
    return settings.getfloat("RUN_MAX_ERROR_RATE", DEFAULT_MAX_ERROR_RATE)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _kinds(counts: dict[str, int]) -> str:
    return f" ({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))})" if counts else ""


def summary_line(spider: str, run_id: int | None, figures: dict[str, Any]) -> str:
    """Render the one-line summary every run ends with."""
    stats = figures["stats"]
    pages = ""
    if figures["pages"]:
        pages = (
            f"pages {figures['pages']} (not modified {stats.get('pages/not_modified', 0)}, "
            f"skipped unchanged {stats.get('pages/skipped_unchanged', 0)}, "
            f"non-article {stats.get('pages/non_article', 0)}), "
        )
    run = f"Run {run_id}" if run_id is not None else "Run"
    return (
        f"{run} ({spider}) {figures['status']}: {pages}seen {figures['seen']}, "
        f"new {figures['new']}, updated {figures['updated']}, merged {figures['merged']}, "
        f"unchanged {figures['unchanged']}, rejected {figures['rejected']}"
        f"{_kinds(stats['rejected'])}, errors {figures['errors']}{_kinds(stats['errors'])}"
    )


class RunRecorder:
    """Records each crawl in the runs table and logs its summary. Settings: ``DATABASE_URL``,
    ``RUN_MAX_ERROR_RATE`` (a run whose error rate passes it is failed, default 0.5)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url: str = crawler.settings["DATABASE_URL"]
        self.max_error_rate = max_error_rate(crawler.settings)
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
            logger.error("Could not record the run: %s", error_reason(exc, self.database_url))

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        figures = run_figures(self.crawler.stats.get_stats(), reason, self.max_error_rate)
        log = logger.info if figures["status"] == "finished" else logger.error
        log(summary_line(spider.name, self.run_id, figures))
        if self.run_id is None:
            return
        try:
            await asyncio.to_thread(self._finish, figures)
        except SQLAlchemyError as exc:
            reason = error_reason(exc, self.database_url)
            logger.error("Could not record the end of run %s: %s", self.run_id, reason)

    def _start(self, spider: str) -> int:
        with database(self.database_url).begin() as session:
            return start_run(session, spider, datetime.now(UTC))

    def _finish(self, figures: dict[str, Any]) -> None:
        assert self.run_id is not None
        with database(self.database_url).begin() as session:
            finish_run(session, self.run_id, {**figures, "finished_at": datetime.now(UTC)})
