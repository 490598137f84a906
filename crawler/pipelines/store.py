"""Storage: batches of items written, deduplicated, in a writer process off the reactor, each
batch kept in the spool until it is committed."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import BrokenExecutor, Executor
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy import make_url

from crawler.items import Article
from crawler.storage.db import database, safe_url
from crawler.storage.repository import BatchResult
from crawler.storage.spool import Spool, replay
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
    """Stores articles in SQL through ``store_batch``, one transaction per batch; a batch the
    database refuses goes to the spool (see ``crawler.storage.spool``).

    When the database refuses a batch (unreachable, say), that batch and every item after it
    stay in the spool, the run fails with one message saying where they are, and the next run
    (or ``scrapy db replay``) stores them; a run first stores what earlier runs left there.

    Settings: ``DATABASE_URL``; ``STORAGE_BATCH_SIZE`` (items per transaction, default 500);
    ``STORAGE_PROCESS`` (write in a dedicated process, default True; a thread otherwise);
    ``STORAGE_SPOOL_DIR`` (the spool folder, default ``spool/`` in the project root).
    Stats: ``store/new``, ``store/updated``, ``store/merged``, ``store/unchanged``,
    ``store/errors``; ``spool/replayed`` (items of earlier runs stored by this one),
    ``spool/kept`` (items left in the spool); a failed write sets ``run/failed``.
    """

    def __init__(
        self,
        database_url: str,
        spool_dir: str | Path,
        batch_size: int = 500,
        stats: StatsCollector | None = None,
        use_process: bool = True,
    ) -> None:
        self.database_url = database_url
        self.spool = Spool(spool_dir, safe_url(database_url))
        self.batch_size = max(1, batch_size)
        self.stats = stats
        self.use_process = use_process
        self.pending: list[Article] = []
        self.failure: str | None = None
        """The database's reason, once it has refused a batch: nothing more is sent to it."""
        self._writing = asyncio.Lock()
        """Held by the batch being written: the next is taken from ``pending`` after it."""
        self._taken = asyncio.Event()
        """Set when a batch is taken from ``pending``."""
        self._executor: Executor | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        s = crawler.settings
        return cls(
            s["DATABASE_URL"],
            s["STORAGE_SPOOL_DIR"],
            s.getint("STORAGE_BATCH_SIZE", 500),
            crawler.stats,
            s.getbool("STORAGE_PROCESS", True),
        )

    async def open_spider(self) -> None:
        await asyncio.to_thread(database, self.database_url)  # schema ready before any write
        self._executor = _writer(self.database_url, self.use_process)
        done = await asyncio.to_thread(replay, self.spool, self._store, self.batch_size)
        if done.items:
            logger.info(
                "Stored %d articles left in the spool %s by an earlier run",
                done.items, self.spool.folder,
            )  # fmt: skip
            self._count("spool/replayed", done.items)
            for outcome, number in done.outcomes.items():
                self._count(f"store/{outcome}", number)
        if done.error is not None:
            self._refused(done.error)

    async def process_item(self, item: Article) -> Article:
        while len(self.pending) >= self.batch_size:  # a full batch waits for the writer:
            self._taken.clear()  # this item waits too, so the spider holds back (bounded memory)
            await self._taken.wait()
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
        if self.failure is not None:
            kept = self.stats.get_value("spool/kept", 0) if self.stats else 0
            reason = (
                f"database {safe_url(self.database_url)} failed: {self.failure}; {kept} "
                f"articles kept in the spool {self.spool.folder}, to be stored by the next "
                "run or by `scrapy db replay`"
            )
            if self.stats:  # the run's summary line says it
                self.stats.set_value("run/failed", reason)

    async def flush(self) -> None:
        """Write the pending items: one batch in flight at a time, in arrival order, the next
        one filling meanwhile (and taken as soon as the writer is free)."""
        async with self._writing:
            batch, self.pending = self.pending, []
            self._taken.set()
            if batch:
                await self._write(batch)

    async def _write(self, batch: list[Article]) -> None:
        result = await self._send(batch)
        if isinstance(result, str):
            self._refused(result)
            self._count("store/errors", len(batch))
            self._count("spool/kept", len(batch))
            return
        for outcome in result.outcomes:
            self._count(f"store/{outcome}")

    async def _send(self, batch: list[Article]) -> BatchResult | str:
        """The writer's result for a batch; a batch the database refuses (and, once it has,
        every later one, not sent to it) is kept in the spool, written here."""
        if self.failure is None:
            loop = asyncio.get_running_loop()
            try:
                result = await loop.run_in_executor(
                    self._executor, write_batch, self.database_url, batch
                )
            except BrokenExecutor:  # killed from outside (the out-of-memory killer, say)
                result = "the writer process ended unexpectedly"
            if not isinstance(result, str):
                return result
            reason = result
        else:
            reason = self.failure
        await asyncio.to_thread(self.spool.keep, batch)
        return reason

    def _store(self, batch: list[Article]) -> BatchResult | str:
        """``write_batch`` in the writer, from a thread that may wait for it."""
        assert self._executor is not None, "open_spider() first"
        return self._executor.submit(write_batch, self.database_url, batch).result()

    def _refused(self, reason: str) -> None:
        if self.failure is None:
            self.failure = reason
            logger.error(
                "Could not store articles in %s: %s; until the run ends they go to the spool %s",
                safe_url(self.database_url), reason, self.spool.folder,
            )  # fmt: skip

    def _count(self, key: str, count: int = 1) -> None:
        if self.stats:
            self.stats.inc_value(key, count)
