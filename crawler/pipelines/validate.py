"""Validation: an article needs a title and a body; anything else is rejected with a reason."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler.items import Article
from crawler.rejects import count_rejection
from crawler.storage.fit import LIMITS

MAX_ORIGIN = LIMITS["origin"] or 2048


def missing_field(item: Article) -> str | None:
    """Return the reason an item cannot be stored, or None when it can."""
    if not item.title:
        return "no_title"
    if not item.body:
        return "no_body"
    if len(item.origin) > MAX_ORIGIN:
        return "origin_too_long"
    return None


class ValidationPipeline:
    """Drops items without a title or a body, or whose origin URI is longer than storage keeps
    (2048 characters); stats ``rejected/<reason>``."""

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        return cls(crawler.stats)

    def process_item(self, item: Article) -> Article:
        reason = missing_field(item)
        if reason is not None:
            count_rejection(self.stats, reason)
            raise DropItem(f"{reason.replace('_', ' ')} after cleaning")
        return item
