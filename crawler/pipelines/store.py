"""Storage: batches of items written, deduplicated, in a writer process off the reactor."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Executor

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy import make_url

from crawler.items import Article
from crawler.storage.db import database, safe_url
from crawler.storage.writer import write_batch
from crawler.workers import worker_pool

logger = logging.getLogger(__name__)


def _writer(database_url: str, use_process: bool) -> Executor:
    """One writer, so batches are stored one at a time and in order."""
    url = make_url(database_url)
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    # a process cannot share an in-memory database
    return worker_pool(1, processes=use_process and not in_memory, name="storage")


class StoragePipeline:
    """Stores articles in SQL through ``store_batch``, one transaction per batch.

    Settings: ``DATABASE_URL``; ``STORAGE_BATCH_SIZE`` (items per transaction, default 500);
    ``STORAGE_PROCESS`` (write in a dedicated process, default True; a thread otherwise).
    Stats: ``store/new``, ``store/updated``, ``store/merged``, ``store/unchanged``,
    ``store/errors``; a failed write sets ``run/failed``.
    """

    def __init__(
        self,
        database_url: str,
        batch_size: int = 500,
        stats: StatsCollector | None = None,
        use_process: bool = True,
    ) -> None:
        self.database_url = database_url
        self.batch_size = max(1, batch_size)
        self.stats = stats
        self.use_process = use_process
        self.pending: list[Article] = []
        self._lock = asyncio.Lock()
        self._executor: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        return cls(
            s["DATABASE_URL"],
            s.getint("STORAGE_BATCH_SIZE", 500),
            crawler.stats,
            s.getbool("STORAGE_PROCESS", True),
        )

    async def open_spider(self) -> None:
        await asyncio.to_thread(database, self.database_url)  # schema ready before any write
        self._executor = _writer(self.database_url, self.use_process)

    async def process_item(self, item: Article) -> Article:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        try:
            await self.flush()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)

    async def flush(self) -> None:
        """Write the pending items; one batch in flight at a time, in arrival order."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        assert self._executor is not None, "open_spider() first"
        async with self._lock:
            loop = asyncio.get_running_loop()
            result = await loop.run_in_executor(
                self._executor, write_batch, self.database_url, batch
            )
        if isinstance(result, str):
            logger.error(
                "Could not store %d articles in %s: %s",
                len(batch), safe_url(self.database_url), result,
            )  # fmt: skip
            self._count("store/errors", len(batch))
            if self.stats:
                self.stats.set_value("run/failed", "database error")
            return
        for outcome in result.outcomes:
            self._count(f"store/{outcome}")

    def _count(self, key: str, count: int = 1) -> None:
        if self.stats:
            self.stats.inc_value(key, count)
