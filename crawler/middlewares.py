"""Downloader middleware for incremental crawls: conditional requests for stored pages."""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler

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
