"""Discovery rules: which links to follow, how to bound traps, and reading feeds and sitemaps."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import blake2b
from urllib.parse import parse_qsl, urljoin, urlsplit

import lxml.etree
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.sitemap import Sitemap

from crawler.normalize.dates import DateError, normalize_date
from crawler.normalize.urls import canonical_url
from crawler.sites import SiteProfile
from crawler.storage.fit import LIMITS

MAX_URL_LENGTH = LIMITS["origin"] or 2048
"""Longer URLs are not followed: no origin could hold them (traps make them, not articles)."""
_SKIPPED_SUFFIXES = tuple(f".{ext}" for ext in IGNORED_EXTENSIONS)
_NUMERIC_SEGMENT = re.compile(r"(?<=/)[\d_.-]*\d[\d_.-]*(?=/|$)")


def link_verdict(url: str, site: SiteProfile) -> str | None:
    """Return None when ``url`` (canonical) may be followed for ``site``, else why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if (parts.hostname or "") not in site.hosts:
        return "offsite"
    if len(url) > MAX_URL_LENGTH:
        return "too_long"
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.path.lower().endswith(_SKIPPED_SUFFIXES):
        return "extension"
    if any(p.search(path) for p in site.denied_paths):
        return "denied"
    if site.allowed_paths and not any(p.search(path) for p in site.allowed_paths):
        return "not_allowed"
    return None


def url_shape(url: str) -> str:
    """Return the URL's pattern: numeric path segments folded, query values dropped.

    ``/calendar/?month=2023-01`` and ``/calendar/?month=2023-02`` share a shape, so do
    ``/page/2/`` and ``/page/3/``; article slugs keep articles apart.
    """
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    shape = _NUMERIC_SEGMENT.sub("N", parts.path)
    return f"{shape}?{'&'.join(keys)}" if keys else shape


class PatternGuard:
    """Bounds endless spaces: at most ``limit`` pages of one URL shape are followed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: Counter[str] = Counter()

    def admit(self, url: str) -> bool:
        """Count the URL's shape; False once the shape has reached its limit."""
        shape = url_shape(url)
        if self.counts[shape] >= self.limit:
            return False
        self.counts[shape] += 1
        return True


def links_digest(links: Iterable[str]) -> str:
    """A digest of the set of pages a page links to (their order and repeats aside): equal on
    two visits when the page leads to the same pages."""
    text = "\n".join(sorted(set(links)))
    return blake2b(text.encode(), digest_size=16).hexdigest()


def parse_lastmod(text: str | None) -> datetime | None:
    """Parse a sitemap ``lastmod`` or feed date to an aware datetime (UTC when no offset)."""
    try:
        iso = normalize_date(text)
    except DateError:
        return None
    if iso is None:
        return None
    value = datetime.fromisoformat(iso)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Entry:
    """A URL found in a sitemap or feed, with its modification date when given."""

    url: str
    modified: datetime | None = None


class XmlDocumentError(ValueError):
    """A sitemap or feed that cannot be read."""


def parse_sitemap(body: bytes) -> tuple[str, list[Entry]]:
    """Return ``("sitemapindex" | "urlset", entries)`` of a sitemap document."""
    try:
        sitemap = Sitemap(body)
        entries = [Entry(i["loc"], parse_lastmod(i.get("lastmod"))) for i in sitemap if "loc" in i]
    except (lxml.etree.LxmlError, StopIteration, ValueError) as exc:
        raise XmlDocumentError(f"not a readable sitemap: {exc or type(exc).__name__}") from None
    if sitemap.type not in ("sitemapindex", "urlset"):
        raise XmlDocumentError(f"not a sitemap: root element is <{sitemap.type}>")
    return sitemap.type, entries


_FEED_PARSER = lxml.etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, huge_tree=False, remove_comments=True
)
_FEED_DATES = ("updated", "modified", "published", "pubDate", "date", "issued")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_feed(body: bytes) -> list[Entry]:
    """Return the entries of an RSS or Atom feed: link and the latest date given."""
    try:
        root = lxml.etree.fromstring(body, _FEED_PARSER)
    except (lxml.etree.LxmlError, ValueError) as exc:
        raise XmlDocumentError(f"not a readable feed: {exc}") from None
    if root is None or _local(root.tag) not in ("rss", "feed", "RDF"):
        raise XmlDocumentError("not an RSS or Atom feed")
    entries = []
    for node in root.iter():
        if _local(node.tag) not in ("item", "entry"):
            continue
        link, dates = None, []
        for child in node:
            name = _local(child.tag)
            if name == "link" and link is None:
                href = child.get("href")
                rel = child.get("rel", "alternate")
                if href:
                    link = href if rel == "alternate" else None
                else:
                    link = (child.text or "").strip()
            elif name in _FEED_DATES and child.text:
                dates.append(parse_lastmod(child.text.strip()))
        if link:
            known = [d for d in dates if d is not None]
            entries.append(Entry(link, max(known) if known else None))
    return entries


def read_sitemap(body: bytes, base_url: str) -> tuple[str, list[Entry]]:
    """``parse_sitemap``, each URL made absolute against ``base_url`` and canonical: what the
    crawl schedules (so an extraction worker, not the reactor, canonicalizes thousands)."""
    kind, entries = parse_sitemap(body)
    return kind, canonical_entries(entries, base_url)


def read_feed(body: bytes, base_url: str) -> list[Entry]:
    """``parse_feed`` with absolute, canonical URLs, as ``read_sitemap``."""
    return canonical_entries(parse_feed(body), base_url)


def canonical_entries(entries: list[Entry], base_url: str) -> list[Entry]:
    """The entries with absolute, canonical URLs; ``""`` for one that is not http(s)."""
    return [Entry(_canonical_link(base_url, entry.url), entry.modified) for entry in entries]


def _canonical_link(base_url: str, url: str) -> str:
    try:  # most entries are absolute already: urljoin would take more time than the rest
        absolute = url if url.startswith(("http://", "https://")) else urljoin(base_url, url)
        return canonical_url(absolute) or ""
    except ValueError:  # e.g. a broken IPv6 host
        return ""
