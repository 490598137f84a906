"""Date, byline and language normalization: thin adapters over crawler.normalize and pages."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from crawler.normalize.bylines import normalize_authors
from crawler.normalize.dates import DateError, normalize_date
from crawler.normalize.language import detect_language
from crawler.normalize.urls import canonical_url

logger = logging.getLogger(__name__)


class DatePipeline:
    """Normalizes ``published`` and ``modified`` to ISO 8601.

    An unparseable or future date is dropped from the item (the article is kept) with one
    warning naming the origin; stats ``dates/<reason>``. Setting: ``DATES_DEFAULT_TIMEZONE``
    (zone of times given without an offset, default UTC).
    """

    def __init__(self, stats: StatsCollector | None = None, default_tz: str = "UTC") -> None:
        self.stats = stats
        self.default_tz = ZoneInfo(default_tz)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatePipeline:
        return cls(crawler.stats, crawler.settings.get("DATES_DEFAULT_TIMEZONE", "UTC"))

    def process_item(self, item: Article) -> Article:
        item.published = self._normalize(item, item.published)
        item.modified = self._normalize(item, item.modified)
        return item

    def _normalize(self, item: Article, value: str | None) -> str | None:
        try:
            return normalize_date(value, default_tz=self.default_tz)
        except DateError as exc:
            logger.warning("Date dropped for %s: %s", item.origin, exc)
            if self.stats:
                self.stats.inc_value(f"dates/{exc.reason}")
            return None


class UrlPipeline:
    """Canonicalizes ``url`` (tracking parameters and fragment dropped); non-web URLs -> None."""

    def process_item(self, item: Article) -> Article:
        item.url = canonical_url(item.url)
        return item


class BylinePipeline:
    """Turns raw bylines into a clean, ordered list of person names. A page's authors come
    cleaned by its extraction (``extraction`` names their source), which keeps an
    organisation when no person is named: they are left as they are."""

    def process_item(self, item: Article) -> Article:
        if "authors" not in item.extraction:
            item.authors = normalize_authors(item.authors)
        return item


class LanguagePipeline:
    """Fills ``language`` (ISO 639-1) from the text when neither the source declared it nor
    its reader told it (page extraction and the seed readers do, in worker processes)."""

    def process_item(self, item: Article) -> Article:
        if not item.language:
            item.language = detect_language(item.body or item.title)
        return item
