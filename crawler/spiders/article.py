"""The article spider: fetches exactly the given pages and stores them as articles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from crawler.normalize.urls import canonical_url
from crawler.spiders.common import PageSpider


def read_url_list(value: str) -> list[str]:
    """Parse ``urls``: comma-separated URLs, or ``@FILE`` with one URL a line (# comments)."""
    if value.startswith("@"):
        lines = Path(value[1:]).expanduser().read_text(encoding="utf-8").splitlines()
        candidates = [line.split("#", 1)[0].strip() for line in lines]
    else:
        candidates = [part.strip() for part in value.split(",")]
    return [c for c in candidates if c]


class ArticleSpider(PageSpider):
    """Fetches the given URLs and extracts each as an article, whatever the page claims.

    Usage: ``scrapy crawl article -a urls=URL[,URL...]`` or ``-a urls=@FILE``. Pages are not
    followed; a page without a title or body is rejected by validation.
    """

    name = "article"

    def __init__(self, urls: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls_arg = urls

    async def start(self) -> AsyncIterator[Request]:
        try:
            urls = read_url_list(self.urls_arg or "")
        except OSError as exc:
            urls, problem = [], f"cannot read {self.urls_arg[1:]}: {exc.strerror}"  # type: ignore[index]
        else:
            problem = "give the pages with -a urls=URL[,URL...] or -a urls=@FILE"
        if not urls:
            self.logger.error("No URL to fetch: %s", problem)
            self.crawler.stats.set_value("run/failed", "no urls")
            raise CloseSpider("no_urls")
        for url in urls:
            canonical = canonical_url(url)
            if canonical is None:
                self.logger.warning("Skipped %s: not an http(s) URL", url)
                self.crawler.stats.inc_value("discovery/skipped_scheme")
                continue
            yield self.page_request(canonical)

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        reading = await self.extract(response)
        if reading is not None:
            yield self.article_item(response, reading.page)
