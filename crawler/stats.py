"""The crawl's stats collector."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class StatsCollector(MemoryStatsCollector):
    """Scrapy's in-memory stats, without the check for the deprecated ``spider`` argument.

    Scrapy 2.19 makes that check on every attribute access of the collector, its own methods'
    access to ``_stats`` included, and each costs an AttributeError raised and caught: with
    several stats updates per request, a tenth of a web crawl's reactor time went there
    (scrapy/scrapy#7842 speeds the check up upstream). Nothing here passes ``spider``; a
    caller that does is still served, only not warned."""

    __getattribute__ = object.__getattribute__
