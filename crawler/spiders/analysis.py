"""The analysis spider: keeps the database current with the sites the user follows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots
from sqlalchemy.exc import SQLAlchemyError

from crawler.discovery import (
    Entry,
    PatternGuard,
    XmlDocumentError,
    link_verdict,
    links_digest,
    read_feed,
    read_sitemap,
)
from crawler.distributed import use_redis
from crawler.normalize.urls import canonical_url
from crawler.sites import SiteConfigError, SiteProfile, ad_hoc_profiles, load_sites
from crawler.spiders.common import PageSpider
from crawler.storage.concurrency import write_transaction
from crawler.storage.db import DatabaseError, database, error_reason
from crawler.storage.repository import KnownOrigin, known_listings, known_origins, store_listings


@dataclass
class SiteState:
    """One site's progress in a run: the pages scheduled (the page budget) and the trap guard."""

    profile: SiteProfile
    guard: PatternGuard
    scheduled: set[str] = field(default_factory=set)
    feeds: set[str] = field(default_factory=set)
    sitemaps: int = 0
    deferred: dict[str, int] = field(default_factory=dict)
    """Stored pages found without a date (through links), by URL, with their link depth:
    requested once the crawl is otherwise idle, when every sitemap and feed has been read."""
    listings: dict[str, str] = field(default_factory=dict)
    """The links digest of each page read that is not an article and whose links count."""
    held: dict[str, int] = field(default_factory=dict)
    """The links of listings that link to the same pages as when last followed, with their
    link depth: followed once the crawl is idle only if no sitemap listed the site's pages."""
    indexed: bool = False
    """A sitemap listed pages of the site in this run."""
    truncated: bool = False
    """The page budget left pages out: this run's listings are not stored."""


class AnalysisSpider(PageSpider):
    """Crawls the listed analysis sites through robots.txt sitemaps, feeds, listings and links.

    Usage: ``scrapy crawl analysis [-a site=NAME] [-a start_urls=URL[,URL...]]``; with
    ``-s REDIS_URL=redis://...`` any number of such workers share one crawl (see
    ``crawler.distributed``).
    Settings: ``SITES_FILE`` (default ``seeds/sites.toml``), ``ANALYSIS_MAX_PATTERN_PAGES``
    (pages of one URL shape, bounding calendars and faceted filters), ``ANALYSIS_MAX_SITEMAPS``
    (sitemap documents per site), ``SITEMAP_MAX_SIZE`` (bytes of one sitemap or feed).

    Incremental: a stored page is not fetched again when its sitemap ``lastmod`` or feed date
    is not newer than when it was last seen; otherwise it is fetched with ``If-None-Match`` /
    ``If-Modified-Since`` from its stored validators. A stored page reached through a link
    waits until the crawl is otherwise idle, so that a sitemap or feed read later in the run
    still spares its request. A page that is not an article and links to the same pages as
    when a finished run last followed its links (``listings`` table) is not followed again
    when a sitemap lists the site's pages: nothing new was published there since.
    """

    name = "analysis"
    sites_file: Path
    pattern_limit: int
    max_sitemaps: int
    max_xml_size: int

    def __init__(self, site: str | None = None, start_urls: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.site_name = site
        self.start_urls_arg = start_urls
        self.sites: dict[str, SiteState] = {}
        self.known_origins: dict[str, KnownOrigin] = {}
        self.known_listings: dict[str, str] = {}
        self.fresh: set[str] = set()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        use_redis(settings, cls.name)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AnalysisSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.sites_file = Path(s["SITES_FILE"])
        spider.pattern_limit = s.getint("ANALYSIS_MAX_PATTERN_PAGES", 100)
        spider.max_sitemaps = s.getint("ANALYSIS_MAX_SITEMAPS", 200)
        spider.max_xml_size = s.getint("SITEMAP_MAX_SIZE", 50 * 1024 * 1024)
        crawler.signals.connect(spider.request_deferred, signal=signals.spider_idle)
        crawler.signals.connect(spider.save_listings, signal=signals.spider_closed)
        return spider

    def _profiles(self) -> list[SiteProfile]:
        if self.start_urls_arg:
            return ad_hoc_profiles(self.start_urls_arg)
        profiles = load_sites(self.sites_file)
        if self.site_name:
            profiles = [p for p in profiles if p.name == self.site_name]
            if not profiles:
                raise SiteConfigError(f"no site named {self.site_name!r} in {self.sites_file}")
        if not profiles:
            raise SiteConfigError(f"{self.sites_file} lists no site")
        return profiles

    async def start(self) -> AsyncIterator[Request]:
        try:
            profiles = self._profiles()
        except SiteConfigError as exc:
            self.logger.error("Cannot crawl: %s", exc)
            self.crawler.stats.set_value("run/failed", "bad site configuration")
            raise CloseSpider("bad_sites") from None
        hosts = {h for p in profiles for h in p.hosts}
        self.known_origins, self.known_listings = await asyncio.to_thread(self._load_known, hosts)
        for profile in profiles:
            self.sites[profile.name] = SiteState(profile, PatternGuard(self.pattern_limit))
        for profile in profiles:
            base = profile.start_urls[0]
            meta = {"site": profile.name}
            yield Request(
                urljoin(base, "/robots.txt"), self.parse_robots, errback=self.on_error, meta=meta
            )
            for url in profile.sitemaps:
                yield self._xml_request(url, self.parse_sitemap, profile.name)
            for url in profile.feeds:
                self.sites[profile.name].feeds.add(canonical_url(url) or url)
                yield self._xml_request(url, self.parse_feed, profile.name)
            for url in profile.start_urls:
                if request := self._page(url, profile.name, depth=0, listing=True):
                    yield request

    def _load_known(self, hosts: set[str]) -> tuple[dict[str, KnownOrigin], dict[str, str]]:
        with database(self.settings["DATABASE_URL"])() as session:
            return known_origins(session, hosts), known_listings(session, hosts)

    async def save_listings(self, reason: str) -> None:
        """Store the links digests of the listings read, after a run that finished (one that
        stopped early may not have followed their links), except on sites whose page budget
        left pages out."""
        listings = {
            url: digest
            for state in self.sites.values()
            if not state.truncated
            for url, digest in state.listings.items()
        }
        if reason != "finished" or not listings:
            return
        url = self.settings["DATABASE_URL"]
        now = datetime.now(UTC)
        try:
            await asyncio.to_thread(
                write_transaction, database(url), lambda s: store_listings(s, listings, now)
            )
        except DatabaseError as exc:
            self._listings_not_stored(str(exc))
        except SQLAlchemyError as exc:
            self._listings_not_stored(error_reason(exc, url))

    def _listings_not_stored(self, reason: str) -> None:
        self.logger.warning("Listings not stored (the next run follows their links): %s", reason)

    # -- requests ---------------------------------------------------------------------------

    def _xml_request(self, url: str, callback: Any, site: str) -> Request:
        return Request(url, callback, errback=self.on_error, meta={"site": site})

    def _page(
        self,
        url: str,
        site: str,
        depth: int,
        modified: datetime | None = None,
        listing: bool = False,
        is_canonical: bool = False,
        defer: bool = True,
    ) -> Request | None:
        """The request for a discovered page (``is_canonical``: the URL is canonical already),
        or None when it must not or need not be fetched, or (a stored page found without a
        date, unless not to ``defer``) not yet."""
        stats, state = self.crawler.stats, self.sites[site]
        if is_canonical and (url in self.fresh or url in state.scheduled):
            return None  # the common case, decided before any other work
        canonical = url if is_canonical else canonical_url(url)
        if not canonical:
            stats.inc_value("discovery/skipped_scheme")
            return None
        if canonical in self.fresh or canonical in state.scheduled:
            return None
        known = self.known_origins.get(canonical)
        if known and modified and modified <= known.last_seen:
            self.fresh.add(canonical)  # unchanged since stored: no request, now or via links
            stats.inc_value("pages/skipped_unchanged")
            return None
        verdict = link_verdict(canonical, state.profile)
        if verdict is not None:
            stats.inc_value(f"discovery/skipped_{verdict}")
            return None
        if known and modified is None and defer and not listing:
            state.deferred[canonical] = min(depth, state.deferred.get(canonical, depth))
            return None
        if len(state.scheduled) >= state.profile.max_pages:
            stats.inc_value("discovery/skipped_max_pages")
            state.truncated = True
            return None
        if not listing and not state.guard.admit(canonical):
            stats.inc_value("discovery/skipped_pattern")
            return None
        state.scheduled.add(canonical)
        return self.page_request(canonical, site=site, link_depth=depth)

    def request_deferred(self) -> None:
        """When the crawl is idle: request the stored pages links led to that no sitemap or
        feed entry spared (conditionally: an unchanged one costs a ``304``), and the links of
        unchanged listings of a site no sitemap indexed (their pages could have changed)."""
        requests = []
        for site, state in self.sites.items():
            held, state.held = state.held, {}
            if state.indexed:
                self.crawler.stats.inc_value("discovery/skipped_unchanged_listing", len(held))
                held = {}
            deferred, state.deferred = state.deferred, {}
            for url, depth in [*held.items(), *deferred.items()]:
                if request := self._page(url, site, depth, is_canonical=True, defer=False):
                    requests.append(request)
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    # -- callbacks --------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        site = response.meta["site"]
        urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        for url in urls or [urljoin(response.url, "/sitemap.xml")]:
            yield self._xml_request(url, self.parse_sitemap, site)

    def _xml_body(self, response: Response) -> bytes | None:
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.max_xml_size)
            except (OSError, ValueError) as exc:
                self._bad_xml(response, f"cannot be decompressed ({exc})")
                return None
        if len(body) > self.max_xml_size:
            self._bad_xml(response, f"{len(body)} bytes is over SITEMAP_MAX_SIZE")
            return None
        return body

    def _bad_xml(self, response: Response, reason: str) -> None:
        self.logger.warning("Skipped %s: %s", response.url, reason)
        self.crawler.stats.inc_value("errors/bad_xml")

    async def _read_xml(self, response: Response, read: Callable[[bytes, str], Any]) -> Any:
        """Read a sitemap or feed off the reactor (``read_sitemap``, ``read_feed``: parsed, URLs
        canonical); None (logged, counted) when unreadable."""
        body = self._xml_body(response)
        if body is None:
            return None
        try:
            return await asyncio.to_thread(read, body, response.url)
        except XmlDocumentError as exc:
            self._bad_xml(response, str(exc))
            return None

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        site = response.meta["site"]
        parsed = await self._read_xml(response, read_sitemap)
        if parsed is None:
            return
        kind, entries = parsed
        state = self.sites[site]
        state.indexed = state.indexed or (kind == "urlset" and bool(entries))
        for entry in entries:
            if kind == "sitemapindex":
                url = entry.url
                followed = (
                    link_verdict(url, state.profile) in (None, "not_allowed") if url else False
                )
                if url and followed and state.sitemaps < self.max_sitemaps:
                    state.sitemaps += 1
                    yield self._xml_request(url, self.parse_sitemap, site)
            elif request := self._entry(entry, site):
                yield request

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        site = response.meta["site"]
        for entry in await self._read_xml(response, read_feed) or []:
            if request := self._entry(entry, site):
                yield request

    def _entry(self, entry: Entry, site: str) -> Request | None:
        """The request for a sitemap or feed entry (its URL canonical already, or empty)."""
        return self._page(entry.url, site, depth=1, modified=entry.modified, is_canonical=True)

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        site = response.meta["site"]
        state = self.sites[site]
        profile = state.profile
        depth = response.meta.get("link_depth", 0)
        reading = await self.extract(response, profile.hosts, articles_only=True)
        if reading is None:
            return
        if reading.page.is_article:
            yield self.article_item(response, reading.page)
        else:
            self.crawler.stats.inc_value("pages/non_article")
        for url in reading.feeds:  # most pages name the site's feed: requested once
            if url not in state.feeds and link_verdict(url, profile) is None:
                state.feeds.add(url)
                yield self._xml_request(url, self.parse_feed, site)
        if depth >= profile.max_depth:
            return
        # most links of a page are scheduled already (navigation, related articles): passed
        # over here in one sweep, before a call for each of the rest
        scheduled, fresh = state.scheduled, self.fresh
        links = [u for u in reading.links if u not in scheduled and u not in fresh]
        if not reading.page.is_article:
            page = canonical_url(response.url) or response.url
            digest = state.listings[page] = links_digest(reading.links)
            if self.known_listings.get(page) == digest:  # leads where it led last time
                self.crawler.stats.inc_value("pages/listing_unchanged")
                for url in links:
                    state.held[url] = min(depth + 1, state.held.get(url, depth + 1))
                return
        for url in links:
            if request := self._page(url, site, depth=depth + 1, is_canonical=True):
                yield request
