"""Generic article extraction: JSON-LD, meta and HTML fields first, trafilatura for the body."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement, fromstring
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document

from crawler.pages.authors import (
    author_candidates,
    choose_authors,
    house_names,
    organisation_authors,
    signature_lines,
)
from crawler.pages.base import (
    ORGANISATION_TYPES,
    READABLE_TEXT,
    ExtractedPage,
    Found,
    PageData,
    compiled,
    first_found,
    first_meta,
    fold,
    folded_words,
    has_token,
    jsonld_names,
    jsonld_types,
    parse_html,
    unique,
)
from crawler.pages.language import choose_language, declared_language
from crawler.pages.sites import match_profile, profile_fields

LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "ProfilePage"})
MIN_ARTICLE_WORDS = 150
"""A page without structured article markup needs a title, a date and this many body words."""
LEAD_MATCH_WORDS = 30
"""A description whose first this many words occur in the main text is an excerpt, not a lead."""
CAPTION = "contains(@class, 'caption')"
"""XPath predicate of an element that holds a caption."""
PRUNE_XPATH = [
    "//p[.//time][string-length(normalize-space(.)) < 100]",
    "//body//*[contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')][not(.//h1)]",
    f"//body//*[{CAPTION}"
    " or contains(@class, 'copyright') or contains(@class, 'placeholder')"
    " or contains(@class, 'vjs-')][string-length(normalize-space(.)) < 400]",
]
"""Removed before trafilatura reads the page: short date lines it would keep without the date;
elements styled invisible (not the ``hidden`` attribute: pages reveal whole articles or
paywalled text from it by script); and short captions, image copyrights, placeholders of
embeds held back for consent, and video player texts (by class: a long block is kept,
whatever its class, and ``credit`` is left alone, which bylines use too)."""
SPLIT_BODY_CLASS = re.compile(r"body|content|text|article|story", re.IGNORECASE)
"""Class names of containers that may hold one part of an article's text."""
SPLIT_BODY_PARAGRAPHS, SPLIT_BODY_PARAGRAPH_CHARS = 2, 80
"""Each part of a split text holds at least this many paragraphs of at least this many
characters (teaser cards, which also repeat a class, hold one short one)."""
META_DATE_KEYS = (
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "citation_publication_date",
    "parsely-pub-date",
    "sailthru.date",
)
_TIME_XPATH = ".//time[@datetime]"
_TITLE_SUFFIX = re.compile(r"^(?P<head>.*\S)\s+(?P<sep>[|\-–—·•»]|::)\s+(?P<tail>\S.*)$")
_DATE_LINE = re.compile(r"^Date:\s*(?P<date>.+?)(?:\s+Authors?:\s*(?P<author>.+?))?\s*$")
_AUTHOR_LINE = re.compile(r"^Authors?:\s*(?P<author>.+?)\s*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and ideographs: no spaces between words
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[(?:\.\.\.|…)\])\s*$")


def find_publisher(page: PageData) -> Found:
    """JSON-LD publisher name, ``og:site_name``, else a JSON-LD organisation of the page."""
    names = jsonld_names(page.article_value("publisher"), page.by_id)
    organisations = [obj for obj in page.jsonld if jsonld_types(obj) & ORGANISATION_TYPES]
    return first_found(
        (names[0], "jsonld") if names else None,
        page.from_meta("og:site_name"),
        (fold(organisations[0].get("name")), "jsonld") if organisations else None,
    )


def strip_site_suffix(title: str, publisher: str | None, strict: bool) -> str:
    """Drop a trailing `` | Site``: the publisher's name, or (unless strict) a short tail."""
    match = _TITLE_SUFFIX.match(title)
    if not match:
        return title
    head, tail = match["head"], match["tail"]
    if publisher and tail.casefold() == publisher.casefold():
        return head
    short_tail = len(tail.split()) <= 4 and len(head.split()) >= len(tail.split())
    return head if not strict and (match["sep"] == "|" or short_tail) else title


def page_headings(page: PageData) -> list[str]:
    """The texts of the ``<h1>`` elements of the article (of the page without one)."""
    return unique([fold(h1.text_content()) for h1 in page.scoped(".//h1")])


def find_title(page: PageData, publisher: str | None) -> Found:
    """JSON-LD headline, ``og:title``, the article's ``<h1>``, else ``<title>`` without the site."""
    og_title = first_meta(page.meta, "og:title", "twitter:title")
    title_element = page.tree.find(".//title")
    html_title = fold(title_element.text_content()) if title_element is not None else None
    headings = page_headings(page)
    # the <h1> that the <title> repeats, else the first one
    in_title = [h for h in headings if html_title and h.casefold() in html_title.casefold()]
    headings = in_title + headings
    headline = page.from_jsonld("headline", "name")
    candidates = [
        (strip_site_suffix(headline[0], publisher, strict=True), "jsonld") if headline else None,
        (strip_site_suffix(og_title, publisher, strict=True), "meta") if og_title else None,
        (headings[0], "html") if headings and headings[0] != publisher else None,
        microdata(page, "headline"),
        (strip_site_suffix(html_title, publisher, strict=False), "html") if html_title else None,
    ]
    found = [candidate for candidate in candidates if candidate and candidate[0]]
    for index, (title, source) in enumerate(found):
        stem = _ELLIPSIS.sub("", title)
        if stem == title:  # not truncated with an ellipsis
            return title, source
        longer = [other for other in found[index + 1 :] if other[0].startswith(stem)]
        if longer:
            return longer[0]
    return found[0] if found else None


def _absolute(href: Any, base: str | None) -> str | None:
    """Return ``href`` as an absolute http(s) URL, resolved against ``base``."""
    href = fold(href)
    if not href or href.startswith("#"):
        return None
    try:
        absolute = urljoin(base or "", href)
    except ValueError:  # e.g. a broken IPv6 host
        return None
    return (
        absolute if absolute.startswith(("http://", "https://")) and " " not in absolute else None
    )


def find_url(page: PageData) -> Found:
    """``rel=canonical``, ``og:url``, JSON-LD ``url``/``mainEntityOfPage``, else the given URL."""
    canonical = compiled(f"//link[{has_token('rel', 'canonical')}]/@href")(page.tree)
    entity = page.article_value("mainEntityOfPage")
    if isinstance(entity, dict):
        entity = entity.get("@id") or entity.get("url")
    jsonld_url = page.article_value("url")
    return first_found(
        (_absolute(canonical[0], page.url), "html") if canonical else None,
        (_absolute(first_meta(page.meta, "og:url"), page.url), "meta"),
        (_absolute(jsonld_url, page.url) or _absolute(entity, page.url), "jsonld"),
        (page.url, "given"),
    )


def microdata(page: PageData, prop: str) -> Found:
    """The first microdata ``itemprop`` value in the article: ``content``, ``datetime``, text."""
    for element in page.scoped(f".//*[contains(@itemprop, '{prop}')]"):  # a token, below
        if prop not in (element.get("itemprop") or "").split():
            continue
        value = element.get("content") or element.get("datetime") or element.text_content()
        if value := fold(value):
            return value, "microdata"
    return None


def find_published(page: PageData) -> Found:
    """JSON-LD ``datePublished``, ``article:published_time``, microdata, ``<time datetime>``,
    then other date meta tags."""
    times = page.scoped(_TIME_XPATH)
    return first_found(
        page.from_jsonld("datePublished", "dateCreated"),
        page.from_meta("article:published_time", "og:published_time"),
        microdata(page, "datePublished"),
        (fold(times[0].get("datetime")), "html") if times else None,
        page.from_meta(*META_DATE_KEYS),
    )


def find_modified(page: PageData) -> Found:
    """JSON-LD ``dateModified``, else ``article:modified_time`` / ``og:updated_time``."""
    return first_found(
        page.from_jsonld("dateModified"),
        page.from_meta("article:modified_time", "og:updated_time", "datemodified"),
    )


def find_tags(page: PageData) -> Found:
    """``article:tag`` meta, else JSON-LD ``keywords`` (a list or a comma-separated string)."""
    keywords = page.article_value("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    keywords = keywords if isinstance(keywords, list) else []
    return first_found(
        (unique(page.meta.get("article:tag", [])), "meta"),
        (unique([fold(keyword) for keyword in keywords]), "jsonld"),
    )


def body_paragraphs(text: str | None) -> list[str]:
    """Split trafilatura's text into paragraphs (one per line), whitespace-folded."""
    return [line for line in (fold(raw) for raw in (text or "").splitlines()) if line]


def drop_repeated_title(lines: list[str], headlines: Iterable[str | None]) -> None:
    """Remove the headline when the text repeats it at the top: the title, or a heading of
    the page (which may word it otherwise than the structured data do)."""
    known = {headline.casefold() for headline in headlines if headline}
    if lines and lines[0].casefold() in known:
        lines.pop(0)


def take_dateline(lines: list[str]) -> tuple[str | None, str | None]:
    """Remove a leading ``Date: … Author: …`` line (warsawinstitute.org) and return its values."""
    found = [(i, match) for i, line in enumerate(lines[:3]) if (match := _DATE_LINE.match(line))]
    if not found:
        return None, None
    index, match = found[0]
    lines.pop(index)
    author = match["author"]
    if author is None and index < len(lines) and (next_line := _AUTHOR_LINE.match(lines[index])):
        author = next_line["author"]
        lines.pop(index)
    return match["date"], author


_STANDFIRST_TEXT = (
    f"//body//{READABLE_TEXT}"
    f"[not(ancestor::figure or ancestor::figcaption or ancestor::*[{CAPTION}])]"
)
"""The text nodes of the page a standfirst can be among: what a reader sees, less the figures
and their captions (sites often describe an article by its picture's caption)."""


def standfirst_words(tree: HtmlElement) -> str:
    """The lowercased words of the page's visible text outside figures and captions."""
    return folded_words(" ".join(compiled(_STANDFIRST_TEXT)(tree)))


def find_lead(page: PageData, text: str | None) -> Found:
    """JSON-LD or OpenGraph description shown on the page as a standfirst: not a summary that
    only the metadata carries, nor a picture's caption, and not an excerpt of the main
    ``text``."""
    found = first_found(page.from_jsonld("description"), page.from_meta("og:description"))
    if not found or not text:
        return found
    stem = " ".join(folded_words(_ELLIPSIS.sub("", found[0])).split()[:LEAD_MATCH_WORDS])
    if stem in folded_words(text) or stem not in standfirst_words(page.tree):
        return None
    return found


def markup_verdict(page: PageData) -> tuple[bool, str] | None:
    """Whether the markup alone says the page is an article: a JSON-LD article type or
    ``og:type=article`` (yes), a JSON-LD listing type or no article subtree (no); None when
    its text must decide."""
    if page.article is not None:
        return True, "jsonld"
    if {name for obj in page.jsonld for name in jsonld_types(obj)} & LISTING_TYPES:
        return False, "jsonld"
    if (first_meta(page.meta, "og:type") or "").lower() == "article":
        return True, "meta"
    if page.scope is None:
        return False, "html"
    return None


def may_be_dated(
    page: PageData, profiled: Callable[[str], Found], guess: Callable[[str], Found]
) -> bool:
    """Whether any source of ``published`` could give the page a date (without an article is
    only an article by its markup): structured data, the site profile, a ``Date:`` line of the
    text (which comes from the page's text) or trafilatura's guess, tried cheapest first."""
    return bool(
        find_published(page)
        or profiled("published")
        or "Date:" in page.tree.text_content()
        or guess("date")
    )


def decide_is_article(
    page: PageData, title: str | None, published: str | None, body: str | None
) -> tuple[bool, str]:
    """The markup's verdict; else a title, a date and a long enough body make an article."""
    if (verdict := markup_verdict(page)) is not None:
        return verdict
    words = len(body.split()) + len(_CJK.findall(body)) // 2 if body else 0
    return bool(title and published and words >= MIN_ARTICLE_WORDS), "heuristic"


def _is_text_part(element: HtmlElement) -> bool:
    """Whether a container holds paragraphs of real text (see SPLIT_BODY_PARAGRAPHS)."""
    found = 0
    for paragraph in element.iter("p"):
        if len(paragraph.text_content().strip()) >= SPLIT_BODY_PARAGRAPH_CHARS:
            found += 1
            if found == SPLIT_BODY_PARAGRAPHS:
                return True
    return False


def _move_into(target: HtmlElement, element: HtmlElement) -> None:
    """Append ``element`` to ``target``, leaving the text that followed it where it was."""
    tail, element.tail = element.tail, None
    if tail and tail.strip():
        previous, parent = element.getprevious(), element.getparent()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        elif parent is not None:
            parent.text = (parent.text or "") + tail
    target.append(element)


def join_split_body(tree: HtmlElement) -> None:
    """Join an article text that the page splits into several containers of one class (chunks
    between advertisements) into the first of them, in order: main-text extraction reads one
    container. Only groups whose every (outermost) member holds paragraphs of real text are
    joined, so repeated teasers are left alone. Modifies ``tree``; no text is lost."""
    groups: dict[str, list[HtmlElement]] = {}
    for element in tree.iter("div", "section"):
        name = element.get("class")
        if name and SPLIT_BODY_CLASS.search(name):
            groups.setdefault(name, []).append(element)
    for members in groups.values():
        if len(members) < 2:
            continue
        grouped = set(members)
        parts = [e for e in members if not any(a in grouped for a in e.iterancestors())]
        if len(parts) < 2 or not all(map(_is_text_part, parts)):
            continue
        for part in parts[1:]:
            _move_into(parts[0], part)


def main_text(tree: HtmlElement, url: str | None) -> str | None:
    """Run trafilatura's main-text extraction once (it reads a copy of the tree), after
    joining a text split into chunks (``join_split_body``)."""
    join_split_body(tree)
    try:
        document = bare_extraction(
            tree,
            url=url,
            include_comments=False,
            include_tables=True,
            prune_xpath=PRUNE_XPATH,
        )
    except Exception:  # a third-party heuristic failing on one odd page must not stop the crawl
        return None
    return getattr(document, "text", None) if document else None


def scope_document(page: PageData) -> HtmlElement | None:
    """The page's ``<head>`` and its ``<article>`` alone, when that element holds the headline
    and a real text: teasers, galleries and other stories around it are left out."""
    scope = page.scope
    if (
        scope is None
        or scope.tag != "article"
        or scope.find(".//h1") is None
        or len(scope.text_content().split()) < MIN_ARTICLE_WORDS
    ):
        return None
    document = fromstring("<html><head></head><body></body></html>")
    head = page.tree.find("head")
    if head is not None:
        document.replace(document[0], deepcopy(head))
    document[1].append(deepcopy(scope))
    return document


def article_text(page: PageData) -> str | None:
    """Main text of the article element when there is one (else of the whole page)."""
    document = scope_document(page)
    text = main_text(document, page.url) if document is not None else None
    return text or main_text(page.tree, page.url)


def metadata_guesses(tree: HtmlElement, url: str | None) -> Document | None:
    """Run trafilatura's metadata heuristics (htmldate for the date); they copy before pruning."""
    try:
        return extract_metadata(tree, default_url=url, extensive=False)
    except Exception:  # as above: a failed guess is no guess
        return None


def guessed(document: Document | None, name: str) -> Found:
    """Return one of trafilatura's metadata guesses (authors split on ``;``)."""
    value = getattr(document, name, None) if document else None
    if name == "author" and value:
        return [part.strip() for part in value.split(";") if part.strip()], "trafilatura"
    return (value, "trafilatura") if value else None


def extract_article(
    html: str | HtmlElement, url: str | None = None, *, articles_only: bool = False
) -> ExtractedPage:
    """Extract article fields from one HTML page (text, or a tree from ``parse_html``, which
    may be modified); never raises (empty fields when nothing found).

    ``articles_only``: a page that cannot be an article (its markup says it is a listing, or
    it has no date anywhere an article's date is read from) comes back with ``is_article``
    False and no other field, without the costly main-text extraction; for a crawl that
    follows such pages for their links and stores nothing of them.
    """
    tree = html if isinstance(html, HtmlElement) else parse_html(html)
    if tree is None:
        return ExtractedPage(url=url, extraction={"url": "given"} if url else {})
    page = PageData.read(tree, url)
    verdict = markup_verdict(page)
    if articles_only and verdict is not None and not verdict[0]:
        return ExtractedPage(extraction={"is_article": verdict[1]})
    profile = match_profile(tree, url)
    by_profile = profile_fields(profile, tree) if profile else {}
    guesses: list[Document | None] = []

    def profiled(name: str) -> Found:
        value = by_profile.get(name)
        return (value, f"profile:{profile.name}") if value and profile else None

    def guess(name: str) -> Found:
        """trafilatura's guess, run at most once and only for pages lacking a structured value
        (it reads a copy of the tree: when it runs does not change what it finds)."""
        if page.scope is None and name != "title":  # no byline or date on a listing
            return None
        if not guesses:
            guesses.append(metadata_guesses(tree, url))
        return guessed(guesses[0], name)

    if articles_only and verdict is None and not may_be_dated(page, profiled, guess):
        return ExtractedPage(extraction={"is_article": "heuristic"})
    # a profile's body makes trafilatura unnecessary: the costliest step, skipped
    lines_found = profiled("body_lines")
    text = "\n".join(lines_found[0]) if lines_found else article_text(page)
    fields: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def keep(name: str, found: Found) -> Any:
        if found and found[0]:
            fields[name], sources[name] = found
        return fields.get(name)

    publisher = keep("publisher", find_publisher(page))
    title = keep(
        "title", first_found(profiled("title"), find_title(page, publisher)) or guess("title")
    )
    keep("url", find_url(page))
    lines = body_paragraphs(text)
    line_date, line_author = take_dateline(lines)
    drop_repeated_title(lines, [title, *page_headings(page)])
    body = keep("body", ("\n\n".join(lines), lines_found[1] if lines_found else "generic"))
    organisations = organisation_authors(page)

    def bylines() -> Iterator[Found]:
        """The byline sources in order, each read only when the ones before name nobody."""
        yield from author_candidates(page)
        yield organisations
        yield profiled("authors")
        yield ([line_author] if line_author else None, "text")
        yield signature_lines(page), "html"

    keep(
        "authors",
        choose_authors(
            bylines(), lambda: guess("author"), house_names(publisher, url), organisations
        ),
    )
    line_published = (line_date, "text")
    published = keep(
        "published",
        first_found(find_published(page), profiled("published"), line_published) or guess("date"),
    )
    keep("modified", find_modified(page))
    keep("lead", find_lead(page, text))
    keep("tags", first_found(find_tags(page), profiled("tags")))
    keep("language", choose_language(declared_language(page), body))
    fields["is_article"], sources["is_article"] = decide_is_article(page, title, published, body)
    return ExtractedPage(**fields, extraction=sources)
