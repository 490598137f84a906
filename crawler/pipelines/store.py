"""Storage: batches of items written, deduplicated, off the reactor thread."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import SQLAlchemyError

from crawler.items import Article
from crawler.storage.db import database, safe_url
from crawler.storage.repository import BatchResult, store_batch

logger = logging.getLogger(__name__)


class StoragePipeline:
    """Stores articles in SQL through ``store_batch``, one transaction per batch.

    Settings: ``DATABASE_URL``; ``STORAGE_BATCH_SIZE`` (items per transaction, default 500).
    Stats: ``store/new``, ``store/updated``, ``store/merged``, ``store/unchanged``,
    ``store/errors``; a failed write sets ``run/failed``.
    """

    def __init__(
        self, database_url: str, batch_size: int = 500, stats: StatsCollector | None = None
    ) -> None:
        self.database_url = database_url
        self.batch_size = max(1, batch_size)
        self.stats = stats
        self.pending: list[Article] = []
        self._lock = asyncio.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        return cls(s["DATABASE_URL"], s.getint("STORAGE_BATCH_SIZE", 500), crawler.stats)

    async def open_spider(self) -> None:
        self.sessions = await asyncio.to_thread(database, self.database_url)

    async def process_item(self, item: Article) -> Article:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        """Write the pending items; one writer at a time, in arrival order."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        async with self._lock:
            try:
                result = await asyncio.to_thread(self._store, batch)
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                logger.error(
                    "Could not store %d articles in %s: %s",
                    len(batch), safe_url(self.database_url), reason,
                )  # fmt: skip
                self._count("store/errors", len(batch))
                if self.stats:
                    self.stats.set_value("run/failed", "database error")
                return
        for outcome in result.outcomes:
            self._count(f"store/{outcome}")

    def _store(self, batch: list[Article]) -> BatchResult:
        with self.sessions.begin() as session:
            return store_batch(session, batch, now=datetime.now(UTC))

    def _count(self, key: str, count: int = 1) -> None:
        if self.stats:
            self.stats.inc_value(key, count)
