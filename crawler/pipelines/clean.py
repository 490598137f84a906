"""Footer and boilerplate removal: a thin adapter over crawler.normalize.boilerplate."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.items import Article
from crawler.normalize.boilerplate import split_footer
from crawler.normalize.text import fold_whitespace, join_paragraphs, split_paragraphs


class BoilerplatePipeline:
    """Strips known footer blocks and blocks learned as repeated for the item's group.

    ``TAGS:`` lines become ``tags`` and a licence notice gives ``publisher`` when the item has
    none. Learned blocks come from the spider's ``boilerplate`` attribute (a RepeatedBlocks)
    when it has one; stats: ``clean/footer_removed``, ``clean/blocks_removed``.
    """

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self._repeated: dict[str, frozenset[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BoilerplatePipeline:
        return cls(crawler)

    def _repeated_for(self, group: str | None) -> frozenset[str]:
        spider = self.crawler.spider if self.crawler else None
        learner: Any = getattr(spider, "boilerplate", None)
        if learner is None or group is None:
            return frozenset()
        if group not in self._repeated:
            self._repeated[group] = learner.repeated(group)
        return self._repeated[group]

    def process_item(self, item: Article) -> Article:
        item.title = fold_whitespace(item.title)
        item.lead = fold_whitespace(item.lead)
        body, footer = split_footer(split_paragraphs(item.body), self._repeated_for(item.group))
        if not body and item.lead:  # a one-paragraph text: its only paragraph is the body
            body, item.lead = [item.lead], None
        item.body = join_paragraphs(body) or None
        item.tags = list(dict.fromkeys([*item.tags, *footer.tags]))
        item.publisher = item.publisher or footer.publisher
        if footer.removed and self.crawler:
            self.crawler.stats.inc_value("clean/footer_removed")
            self.crawler.stats.inc_value("clean/blocks_removed", footer.removed)
        return item
