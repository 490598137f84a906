"""ExtractedPage, and the page data every extractor reads once: tree, meta tags, JSON-LD."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "ScholarlyArticle",
        "TechArticle",
        "LiveBlogPosting",
        "SatiricalArticle",
    }
)
"""JSON-LD ``@type`` names that mark a page as one article."""

ORGANISATION_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation"})
"""JSON-LD ``@type`` names of organisations (publishers, authors that are no person)."""

LISTING_MIN_TEASERS = 3
"""This many top-level ``<article>`` elements without the ``<h1>``: a listing."""

DOMINANT_ARTICLE_RATIO = 3
"""An ``<article>`` with this many times the text of the next one is the page's article."""

NON_ARTICLE_TAGS = frozenset({"nav", "footer", "aside"})
NON_ARTICLE_CLASS = re.compile(r"comments?(?:$|[-_])|.*related", re.IGNORECASE)
"""Containers inside an article subtree whose bylines, dates and headings are not the article's."""

READABLE_TEXT = "text()[not(ancestor::script or ancestor::style or ancestor::noscript)]"
"""XPath step to the text nodes a reader sees (what scripts and styles hold is not text)."""


@lru_cache(maxsize=512)
def compiled(expression: str) -> XPath:
    """An XPath expression compiled once: ``element.xpath(text)`` compiles it on every call,
    which costs as much as evaluating it on a small element."""
    return XPath(expression)


def has_token(attribute: str, token: str) -> str:
    """XPath predicate: the space-separated list ``@attribute`` holds ``token`` (``rel``,
    ``itemprop="author creator"``)."""
    return f"contains(concat(' ', normalize-space(@{attribute}), ' '), ' {token} ')"


Found = tuple[Any, str] | None
"""A field value with the name of the source that supplied it, or nothing."""


@dataclass(slots=True)
class ExtractedPage:
    """Raw article fields read from one HTML page; the pipelines clean and normalize them."""

    url: str | None = None
    """Canonical URL (``rel=canonical``, ``og:url``, JSON-LD), else the URL the page came from."""

    title: str | None = None
    """Headline, whitespace-folded, without a `` | Site`` suffix."""

    lead: str | None = None
    """Standfirst or description, only when it is not just the start of the body."""

    body: str | None = None
    """Article paragraphs in order (headings as paragraphs), separated by one blank line."""

    authors: list[str] = field(default_factory=list)
    """Person names (byline-normalized, without the publication's own name) from the most
    reliable source naming a person; else the organisations the JSON-LD names as authors (not
    agencies or desks), as named; else the publication's own name as a byline gives it. Final
    values: the byline pipeline leaves them as they are."""

    published: str | None = None
    """Raw publication date string as found."""

    modified: str | None = None
    """Raw last-modification date string as found."""

    publisher: str | None = None
    """Publishing organisation or site name."""

    tags: list[str] = field(default_factory=list)
    """Topic tags (``article:tag``, JSON-LD ``keywords``)."""

    language: str | None = None
    """ISO 639-1 code, declared by the page or detected from the body."""

    is_article: bool = False
    """Whether the page is one article (not a listing, home or error page)."""

    extraction: dict[str, str] = field(default_factory=dict)
    """Which source supplied each field, e.g. ``{"title": "jsonld", "body": "generic"}``."""


def fold(value: Any) -> str | None:
    """Return ``value`` as one line of text (entities decoded, whitespace folded), or ``None``."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = " ".join(html.unescape(str(value)).split())
    return text or None


_WORD = re.compile(r"\w+")


def folded_words(text: str) -> str:
    """Return the lowercased words of ``text`` separated by single spaces (punctuation dropped)."""
    return " ".join(_WORD.findall(text.casefold()))


def parse_html(page: str | bytes | None) -> HtmlElement | None:
    """Parse a page once (trafilatura's tolerant loader); ``None`` when it is not HTML at all."""
    if not page:
        return None
    from trafilatura.utils import load_html  # here: the reactor process imports this module

    try:
        tree = load_html(page)
    except (TypeError, ValueError):
        return None
    return tree if tree is not None and len(tree) else None


def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """Map each ``<meta>`` ``property``/``name``/``itemprop`` (lowercased) to its contents."""
    tags: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = fold(meta.get("content"))
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop"):
            for key in (meta.get(attribute) or "").lower().split():
                tags.setdefault(key, []).append(content)
    return tags


def first_meta(tags: dict[str, list[str]], *keys: str) -> str | None:
    """Return the first content among the meta ``keys``, tried in order."""
    for key in keys:
        if tags.get(key):
            return tags[key][0]
    return None


_COMMENT_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def load_json_tolerantly(text: str) -> Any:
    """Decode one JSON-LD script, forgiving comment wrappers, raw newlines and trailing commas."""
    text = _COMMENT_WRAPPER.sub("", text.strip()).strip().rstrip(";")
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    try:  # several objects pasted one after another: keep the first
        return json.JSONDecoder(strict=False).raw_decode(text)[0]
    except ValueError:
        return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    """Yield the objects of a JSON-LD value: top-level lists and ``@graph`` members, recursively."""
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if graph is not None:
            yield from _flatten(graph)
        if "@type" in data or graph is None:
            yield data


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """Return the page's JSON-LD objects, flattened (lists, ``@graph``), broken scripts skipped."""
    objects: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        objects.extend(_flatten(load_json_tolerantly(script.text)))
    return objects


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """Return an object's ``@type`` names without a ``schema:`` or schema.org URL prefix."""
    value = obj.get("@type")
    names = value if isinstance(value, list) else [value]
    return {name.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for name in names if isinstance(name, str)}


def jsonld_names(
    value: Any,
    by_id: dict[str, dict[str, Any]],
    skip: frozenset[str] = frozenset(),
    only: frozenset[str] | None = None,
) -> list[str]:
    """Return the names in a JSON-LD person/organisation value (text, object, ``@id``, list).

    Objects whose ``@type`` is in ``skip`` (e.g. organisations among authors) are left out;
    with ``only``, all but the objects of those types (plain names too).
    """
    if isinstance(value, list):
        return [name for item in value for name in jsonld_names(item, by_id, skip, only)]
    if isinstance(value, dict):
        node = by_id.get(str(value.get("@id")), value)
        types = jsonld_types(value) | jsonld_types(node)
        if types & skip or (only is not None and not types & only):
            return []
        name = fold(value.get("name") or node.get("name"))
        return [name] if name else []
    name = fold(value) if only is None else None
    return [name] if name else []


def main_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the JSON-LD article object; ``None`` when there is none or many (a listing)."""
    articles = [obj for obj in objects if jsonld_types(obj) & ARTICLE_TYPES]
    return articles[0] if 0 < len(articles) < LISTING_MIN_TEASERS else None


_TOP_ARTICLES = "//article[not(ancestor::article or ancestor::aside or ancestor::footer)]"


def article_scope(tree: HtmlElement) -> HtmlElement | None:
    """Return the article's subtree (``<article>``, ``<main>``, the page); ``None`` on listings."""
    articles = compiled(_TOP_ARTICLES)(tree)
    with_headline = [article for article in articles if article.find(".//h1") is not None]
    if with_headline:
        return with_headline[0]
    if articles:
        sizes = sorted(((len(a.text_content()), i) for i, a in enumerate(articles)), reverse=True)
        dominant = len(sizes) == 1 or sizes[0][0] >= DOMINANT_ARTICLE_RATIO * sizes[1][0]
        if dominant or len(articles) < LISTING_MIN_TEASERS:
            return articles[sizes[0][1]]
        return None
    main = compiled("//main|//*[@role='main']")(tree)
    return main[0] if main else tree


def first_found(*candidates: Found) -> Found:
    """Return the first candidate with a non-empty value."""
    return next((found for found in candidates if found and found[0]), None)


def unique(values: Iterable[str | None]) -> list[str]:
    """Return the non-empty values in order, without repeats."""
    return list(dict.fromkeys(value for value in values if value))


@dataclass(slots=True)
class PageData:
    """One parsed page: tree, meta tags, JSON-LD (and its article object), the article subtree."""

    tree: HtmlElement
    url: str | None
    meta: dict[str, list[str]]
    jsonld: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]]
    article: dict[str, Any] | None
    scope: HtmlElement | None

    @classmethod
    def read(cls, tree: HtmlElement, url: str | None) -> PageData:
        """Collect the structured data of a parsed page once."""
        objects = jsonld_objects(tree)
        by_id = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
        article = main_article(objects)
        return cls(tree, url, meta_tags(tree), objects, by_id, article, article_scope(tree))

    def article_value(self, key: str) -> Any:
        """Return a raw property of the JSON-LD article object (``None`` without one)."""
        return self.article.get(key) if self.article else None

    def from_jsonld(self, *keys: str) -> Found:
        """Return the first plain-text property among ``keys`` of the JSON-LD article."""
        value = next((text for key in keys if (text := fold(self.article_value(key)))), None)
        return (value, "jsonld") if value else None

    def from_meta(self, *keys: str) -> Found:
        """Return the first meta content among ``keys``."""
        value = first_meta(self.meta, *keys)
        return (value, "meta") if value else None

    def scoped(self, xpath: str) -> list[HtmlElement]:
        """Return the matches of ``xpath`` in the article proper (none on listing pages)."""
        if self.scope is None:
            return []
        return [element for element in compiled(xpath)(self.scope) if self.in_article(element)]

    def headed(self, xpath: str) -> list[HtmlElement]:
        """The matches of ``xpath`` in the article's header, then in the article: the header is
        the stretch of page from the headline to the article element, when that element does
        not hold the headline (pages that set headline and byline above the text)."""
        header = self.header_zone()
        matches = set(compiled(xpath)(self.tree)) if header else set()
        above = [element for element in header if element in matches and self.in_article(element)]
        return above + self.scoped(xpath)

    def header_zone(self) -> list[HtmlElement]:
        """The elements from the page's first ``<h1>`` to the article element, when the
        article holds no ``<h1>`` and comes after it; else none."""
        if self.scope is None or self.scope.find(".//h1") is not None:
            return []
        headline = self.tree.find(".//h1")
        zone: list[HtmlElement] | None = None
        for element in self.tree.iter():
            if element is self.scope:
                return zone or []
            if zone is not None and isinstance(element.tag, str):
                zone.append(element)
            elif element is headline:
                zone = []
        return []

    def in_article(self, element: HtmlElement) -> bool:
        """Whether no container between ``element`` and the article is navigation or comments."""
        for ancestor in element.iterancestors():
            if ancestor is self.scope or ancestor.tag == "body":  # page-wide classes say nothing
                return True
            classes = (ancestor.get("class") or "").split()
            if ancestor.tag in NON_ARTICLE_TAGS or any(map(NON_ARTICLE_CLASS.match, classes)):
                return False
        return True
