"""Log formatting: one short line per item, dropped items name their origin and the reason."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class CrawlerLogFormatter(LogFormatter):
    """Logs a scraped item as its origin and title (not the whole article), and only when the
    run logs DEBUG; a rejected item as ``Rejected <origin>: <reason>``."""

    def scraped(self, item: Any, response, spider) -> LogFormatterResult | None:  # type: ignore[override]
        level = logging.getLevelName(str(spider.crawler.settings.get("LOG_LEVEL", "DEBUG")))
        if isinstance(level, int) and level > logging.DEBUG:
            return None  # Scrapy would build the record and let the handler throw it away
        return {
            "level": logging.DEBUG,
            "msg": "Scraped %(origin)s: %(title)r",
            "args": {
                "origin": getattr(item, "origin", "item"),
                "title": getattr(item, "title", None),
            },
        }

    def dropped(self, item: Any, exception: BaseException, response, spider) -> LogFormatterResult:
        origin = getattr(item, "origin", None) or "item"
        return {
            "level": logging.WARNING,
            "msg": "Rejected %(origin)s: %(reason)s",
            "args": {"origin": origin, "reason": exception},
        }
