"""Downloader middlewares: conditional requests, a contactable user agent, robots.txt for all,
meta refresh redirects looked for only where a page mentions one."""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.normalize.urls import canonical_url
from crawler.storage.repository import KnownOrigin


def conditional_headers(known: KnownOrigin | None) -> dict[str, str]:
    """Request headers that let the server answer 304 for a page we already stored."""
    headers = {}
    if known and known.etag:
        headers["If-None-Match"] = known.etag
    if known and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


class ConditionalRequestMiddleware:
    """Adds ``If-None-Match`` / ``If-Modified-Since`` to every request for a page stored
    before (redirect targets included), from the validators kept with its origin, and lets
    the 304 answer reach the spider. The stored origins come from the spider's
    ``known_origins`` mapping (canonical URL -> KnownOrigin); spiders without one are not
    affected."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        known_origins = getattr(self.crawler.spider, "known_origins", None)
        if not known_origins or "If-None-Match" in request.headers:
            return None
        headers = conditional_headers(known_origins.get(canonical_url(request.url) or ""))
        if headers:
            request.headers.update(headers)
            allowed = request.meta.get("handle_httpstatus_list", [])
            if 304 not in allowed:
                request.meta["handle_httpstatus_list"] = [*allowed, 304]
        return None


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Sends ``USER_AGENT`` with ``{contact}`` replaced by ``CRAWLER_CONTACT_URL``, so site
    owners can reach whoever runs the crawl."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        agent = settings["USER_AGENT"].replace("{contact}", settings["CRAWLER_CONTACT_URL"])
        middleware = cls(agent)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware, fixed for requests that wait together for one robots.txt.

    In Scrapy 2.19 every request that arrives while a host's robots.txt is being fetched
    awaits the same Deferred; each waiter chains a callback, so all but the first receive
    ``None`` ("no robots.txt") and are let through unchecked. When many requests start at
    once (a resumed JOBDIR crawl), disallowed pages were fetched. The parser is stored before
    the Deferred fires, so a waiter that got ``None`` takes it from there.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        if parser is None:
            stored = self._parsers.get(urlparse_cached(request).netloc)
            if stored is not None and not isinstance(stored, Deferred):
                return stored
        return parser


REFRESH_SCAN_BYTES = 16_384
"""Bytes that hold the 4,096 characters Scrapy searches for a refresh, in any encoding."""


def may_refresh(body: bytes) -> bool:
    """Whether a page's head may hold a ``<meta http-equiv="refresh">``: false only when the
    word is not among its first bytes (in every ASCII-compatible encoding, the word's ASCII
    bytes), true for a head with NUL bytes (UTF-16 or UTF-32, where it is spelled otherwise)."""
    head = body[:REFRESH_SCAN_BYTES]
    return b"refresh" in head.lower() or b"\x00" in head


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta refresh redirects, for the pages that ``may_refresh`` only: Scrapy's
    middleware works out every HTML page's encoding and base URL before it looks (a tenth of
    a millisecond a page, most of them without a refresh)."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if not may_refresh(response.body):
            return response
        return super().process_response(request, response)
