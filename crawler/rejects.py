"""One way to reject an input: a single log line naming it, and a stats counter by reason."""

from __future__ import annotations

import logging

from scrapy.statscollectors import StatsCollector

logger = logging.getLogger("crawler.rejects")


def count_rejection(stats: StatsCollector | None, reason: str) -> None:
    """Count a rejected input under ``rejected/<reason>``."""
    if stats is not None:
        stats.inc_value(f"rejected/{reason}")


def reject(stats: StatsCollector | None, origin: str, reason: str, detail: str) -> None:
    """Log one warning line for a rejected input and count it."""
    logger.warning("Rejected %s: %s", origin, detail)
    count_rejection(stats, reason)
