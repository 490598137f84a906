"""A page's links: same-site links to follow and feeds to read (pure; runs in extraction
workers, so the reactor never parses pages for links)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.etree import LxmlError, ParserError
from lxml.html import HtmlElement

from crawler.normalize.urls import canonical_url
from crawler.pages.base import compiled

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json"})
_FROM_ROOT = re.compile(r"/|[a-z][a-z0-9+.-]*://", re.IGNORECASE)
"""A link that does not depend on the page's path: ``/path``, ``//host/path``, ``http://...``."""
_NOT_WEB = ("mailto:", "javascript:", "tel:", "data:", "file:", "ftp:", "#")


def page_links(
    html: str | HtmlElement, url: str, hosts: Collection[str]
) -> tuple[list[str], list[str]]:
    """Return the canonical URLs of the page's links on ``hosts`` (``<a>``/``<area>``, in
    order, once each) and of its feeds (``<link rel="alternate">`` of a feed type)."""
    try:
        tree = html if isinstance(html, HtmlElement) else lxml.html.fromstring(html)
    except (LxmlError, ParserError, ValueError):
        return [], []
    base = urljoin(url, (compiled("string(//base/@href)")(tree) or "").strip())
    links = _on_site(compiled("//a/@href | //area/@href")(tree), base, hosts)
    feeds = _on_site(
        [
            link.get("href", "")
            for link in compiled("//link[@href]")(tree)
            if "alternate" in (link.get("rel") or "").lower().split()
            and (link.get("type") or "").lower() in FEED_TYPES
        ],
        base,
        hosts,
    )
    return links, feeds


def _on_site(hrefs: list[str], base: str, hosts: Collection[str]) -> list[str]:
    found: dict[str, None] = {}
    root = _root(base)
    for href in hrefs:
        href = str(href).strip()
        if not href or href.lower().startswith(_NOT_WEB):
            continue
        # a link to a path or a full URL resolves the same on every page of the site: cached
        absolute, host = _resolve(root if _FROM_ROOT.match(href) else base, href)
        if host not in hosts:  # most links on a page are elsewhere: reject before the costly part
            continue
        if canonical := canonical_url(absolute):
            found[canonical] = None
    return list(found)


def _root(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: what a link starting with ``/`` resolves against."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


@lru_cache(maxsize=8192)
def _resolve(base: str, href: str) -> tuple[str, str | None]:
    """The absolute URL of ``href`` on a page at ``base``, and its host (None when invalid).
    Cached: navigation, tag and sidebar links repeat on every page of a site."""
    absolute = urljoin(base, href)
    try:
        return absolute, urlsplit(absolute).hostname
    except ValueError:
        return absolute, None
