"""Log formatting: a dropped item is one line naming its origin and the reason."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class CrawlerLogFormatter(LogFormatter):
    """Logs rejected items as ``Rejected <origin>: <reason>`` instead of dumping the item."""

    def dropped(self, item: Any, exception: BaseException, response, spider) -> LogFormatterResult:
        origin = getattr(item, "origin", None) or "item"
        return {
            "level": logging.WARNING,
            "msg": "Rejected %(origin)s: %(reason)s",
            "args": {"origin": origin, "reason": exception},
        }
