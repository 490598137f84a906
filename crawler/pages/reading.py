"""One page read in an extraction worker: its article fields and, when asked, its links."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from crawler.pages.base import ExtractedPage, parse_html
from crawler.pages.links import page_links


@dataclass(slots=True)
class PageReading:
    """What a worker returns for a page: the extraction, and same-site links and feeds."""

    page: ExtractedPage
    links: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)


def read_page(
    html: str, url: str, hosts: Collection[str] | None = None, articles_only: bool = False
) -> PageReading:
    """Extract the page's article (``articles_only``: see ``extract_article``); with
    ``hosts``, also collect its links on those hosts. The page is parsed once; links are read
    first (extraction may prune the tree)."""
    # imported here: workers have it preloaded, the reactor process that sends them pages never
    from crawler.pages.generic import extract_article

    tree = parse_html(html)
    if tree is None:
        return PageReading(extract_article(html, url, articles_only=articles_only))
    links, feeds = page_links(tree, url, hosts) if hosts else ([], [])
    return PageReading(extract_article(tree, url, articles_only=articles_only), links, feeds)
