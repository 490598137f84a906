"""The seeds spider: imports a folder of text exports and saved pages as articles."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from crawler.items import Article
from crawler.normalize.boilerplate import RepeatedBlocks
from crawler.rejects import reject
from crawler.seedfolder import CHUNK, iter_seed_files, learn_chunk, learning_sample, read_chunk
from crawler.workers import worker_count, worker_pool


class SeedsSpider(Spider):
    """Imports every ``.txt`` export and saved ``.html``/``.htm`` page under a path.

    Usage: ``scrapy crawl seeds [-a path=DIR_OR_FILE]``. Settings: ``SEEDS_PATH`` (default
    folder), ``SEEDS_MAX_FILE_SIZE`` (bytes), ``SEEDS_BOILERPLATE_MIN_DOCUMENTS``,
    ``SEEDS_BOILERPLATE_SAMPLE`` (files read, spread over the folders, to learn boilerplate),
    ``SEEDS_WORKERS`` (processes that read and parse; 0: one per core). Files are read
    twice: a first pass learns the blocks repeated across each folder's documents (footers of
    publishers not known in advance), the second yields one item per file.
    """

    name = "seeds"
    max_size: int
    min_documents: int
    learning_sample: int
    max_pending: int
    workers: int
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 - Scrapy's API

    def __init__(self, path: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.boilerplate: RepeatedBlocks | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SeedsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.path = spider.path or settings["SEEDS_PATH"]
        spider.max_size = settings.getint("SEEDS_MAX_FILE_SIZE")
        spider.min_documents = settings.getint("SEEDS_BOILERPLATE_MIN_DOCUMENTS", 5)
        spider.learning_sample = settings.getint("SEEDS_BOILERPLATE_SAMPLE", 4000)
        spider.max_pending = 4 * settings.getint("STORAGE_BATCH_SIZE", 500)
        spider.workers = worker_count(settings.getint("SEEDS_WORKERS"))
        return spider

    async def start(self) -> AsyncIterator[Article]:
        root = Path(self.path or ".").expanduser()
        if not root.exists():
            self.logger.error("Seed path %s does not exist", root)
            self.crawler.stats.set_value("run/failed", "seed path not found")
            raise CloseSpider("path_not_found")
        files = await asyncio.to_thread(lambda: list(iter_seed_files(root)))
        self.crawler.stats.set_value("seeds/files", len(files))
        chunks = _chunks(files)
        sample = learning_sample(files, self.learning_sample)
        with _executor(len(chunks), self.workers) as pool:
            self.boilerplate = RepeatedBlocks(min_documents=self.min_documents)
            started = time.monotonic()
            async for learned in _in_order(pool, learn_chunk, _chunks(sample), self.max_size):
                for group, digests in learned:
                    self.boilerplate.add_digests(group, digests)
            self.logger.info(
                "Learned repeated blocks from %d files in %.1f s",
                len(sample),
                time.monotonic() - started,
            )
            async for results in _in_order(pool, read_chunk, chunks, self.max_size):
                for path, outcome in results:
                    if isinstance(outcome, Article):
                        yield outcome
                    else:
                        reject(self.crawler.stats, Path(path).resolve().as_uri(), *outcome)
                await self._wait_for_pipelines()

    async def _wait_for_pipelines(self) -> None:
        """Hold back while too many items are in the pipelines (bounded memory)."""
        slot = self.crawler.engine.scraper.slot if self.crawler.engine else None
        while slot is not None and slot.itemproc_size > self.max_pending:
            await asyncio.sleep(0.005)


def _chunks(paths: Sequence[str]) -> list[Sequence[str]]:
    return [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]


def _executor(chunks: int, workers: int) -> Executor:
    """Reader processes for large folders; a thread for small ones (no start-up cost)."""
    return worker_pool(workers, processes=chunks > 1, name="seeds")


async def _in_order(
    pool: Executor, function: Any, chunks: Sequence[Sequence[str]], *args: Any
) -> AsyncIterator[Any]:
    """Run ``function(chunk, *args)`` for every chunk on the pool, a few ahead, in order."""
    loop = asyncio.get_running_loop()
    ahead = max(2, getattr(pool, "_max_workers", 1) * 2)
    pending: deque[asyncio.Future[Any]] = deque()
    for chunk in chunks:
        pending.append(loop.run_in_executor(pool, function, chunk, *args))
        if len(pending) >= ahead:
            yield await pending.popleft()
    while pending:
        yield await pending.popleft()
