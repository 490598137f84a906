"""Authors of an article page: the byline sources in order of reliability, and the choice of
the first that names a person, without the publication's own name."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.normalize.bylines import is_credit, normalize_authors, normalize_byline
from crawler.pages.base import (
    ORGANISATION_TYPES,
    Found,
    PageData,
    compiled,
    first_found,
    fold,
    folded_words,
    has_token,
    jsonld_names,
    unique,
)

META_AUTHOR_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "dc:creator",
    "dcterms.creator",
    "dcterms:creator",
    "citation_author",
    "parsely-author",
    "sailthru.author",
)
"""Meta keys of author names, tried in this order."""
SURNAME_FIRST_KEYS = frozenset(
    {"citation_author", "dc.creator", "dc:creator", "dcterms.creator", "dcterms:creator"}
)
"""Author meta keys whose convention is ``Last, First``."""
MAX_BYLINE_CHARS = 100
"""A longer "byline" element is a bio or a teaser, not a byline."""
_REL_AUTHOR_XPATH = f".//a[{has_token('rel', 'author')}]"
_BYLINE_XPATH = (
    ".//*[contains(@itemprop, 'author')"
    " or contains(@class, 'byline') or contains(@class, 'author')]"
)
"""Elements that may be bylines (the itemprop and class tokens are checked in Python: faster)."""
_BYLINE_CLASS = re.compile(
    r"byline|^(?:(?:post|entry|article|meta|c)[-_]+)?authors?(?:[-_]+(?:name|names|link|list))?$",
    re.IGNORECASE,
)
RUNNING_TEXT_WORDS = 15
"""A paragraph of this many words is running text: a signature stands above it or ends it."""
_BOLD = "self::p[count(*) = 1][strong or b][normalize-space(.) = normalize-space(*)]"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.\w+")
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}")


def _is_address(value: str) -> bool:
    """Whether an author value is a profile URL or an e-mail address rather than a name."""
    return (
        value.startswith(("http://", "https://", "www.", "/"))
        or _EMAIL.fullmatch(value) is not None
    )


def _surname_first(value: str) -> str:
    """``Last, First`` (Highwire ``citation_author``, Dublin Core) as ``First Last``."""
    parts = [part.strip() for part in value.split(",")]
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 and all(parts) else value


def meta_authors(page: PageData) -> list[list[str]]:
    """The names of each author meta key in turn (no addresses), ``Last, First`` ones turned:
    a key that names nobody (``author`` holding the site's name) does not hide the next."""
    found = []
    for key in META_AUTHOR_KEYS:
        values = [value for value in page.meta.get(key, []) if not _is_address(value)]
        if values:
            found.append(
                [_surname_first(v) for v in values] if key in SURNAME_FIRST_KEYS else values
            )
    return found


def jsonld_authors(page: PageData) -> Any:
    """The JSON-LD article's ``author`` (else ``creator``) value, as given."""
    return page.article_value("author") or page.article_value("creator")


def organisation_authors(page: PageData) -> Found:
    """The organisations the JSON-LD article names as its authors (typed as such), less the
    agencies and desks, whose credits bylines leave out."""
    names = jsonld_names(jsonld_authors(page), page.by_id, only=ORGANISATION_TYPES)
    kept = unique(name for name in names if not is_credit(name))
    return (kept, "jsonld") if kept else None


def author_candidates(page: PageData) -> Iterator[Found]:
    """Byline sources in order of reliability: JSON-LD people, author meta tags, ``rel=author``
    links, byline elements (read last, and only when asked for). The links come first when
    they name every person of the first structured source and more: the structured data then
    give only the lead author of several."""
    jsonld = jsonld_authors(page)
    rel_links = [fold(link.text_content()) for link in page.headed(_REL_AUTHOR_XPATH)]
    links = (unique(rel_links), "html")
    structured: list[Found] = [
        (unique(jsonld_names(jsonld, page.by_id, skip=ORGANISATION_TYPES)), "jsonld"),
        *[(unique(names), "meta") for names in meta_authors(page)],
    ]
    first = first_found(*structured)
    fuller = first is not None and names_more(links[0], first[0])
    yield from [links, *structured] if fuller else [*structured, links]
    yield byline_texts(page), "html"


def names_more(bylines: list[str], others: list[str]) -> bool:
    """Whether ``bylines`` name every person that ``others`` name, and someone else too."""
    names = {name.casefold() for name in normalize_authors(bylines)}
    known = {name.casefold() for name in normalize_authors(others)}
    return bool(known) and known < names


def house_names(publisher: str | None, url: str | None) -> tuple[str, ...]:
    """Casefolded names of the publication itself: its publisher name and its host's labels."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = [label for label in host.split(".")[:-1] if len(label) > 3 and label != "www"]
    return tuple(name.casefold() for name in (publisher, *labels) if name)


def is_house_name(name: str, house: tuple[str, ...]) -> bool:
    """Whether a byline name is the publication (``Lesotho Times``, ``mdr.de``), not a person:
    a domain, or words that the publisher's name holds or that hold it, or a host label."""
    folded = folded_words(name)
    if _DOMAIN.fullmatch(name.casefold()) or not folded:
        return True
    padded = f" {folded} "
    return any(
        f" {known} " in padded or padded in f" {known} " or folded.replace(" ", "") == known
        for known in map(folded_words, house)
    )


def people(found: Found, house: tuple[str, ...]) -> Found:
    """The person names in the bylines of ``found``, without the publication's own name."""
    if not found or not found[0]:
        return None
    names, source = found
    kept = [name for name in normalize_authors(names) if not is_house_name(name, house)]
    return (kept, source) if kept else None


def choose_authors(
    candidates: Iterable[Found],
    guess: Callable[[], Found],
    house: tuple[str, ...],
    organisations: Found,
) -> Found:
    """The first source naming a person (trafilatura's guess last; the sources after it are
    not read); else the organisations the structured data name as authors, as they name
    them; else the first source's bylines, cleaned (what is left is the publication's own
    name, if anything): final values, which the byline pipeline does not clean again."""
    read = []
    for found in candidates:
        if named := people(found, house):
            return named
        read.append(found)
    return people(guess(), house) or organisations or cleaned(first_found(*read))


def cleaned(found: Found) -> Found:
    """The names in the bylines of ``found``, the publication's own included."""
    names = normalize_authors(found[0]) if found else []
    return (names, found[1]) if found and names else None


def byline_text(element: HtmlElement) -> str | None:
    """An element's text with a line break where child elements stood on separate lines, so
    ``<span>A B</span> <span>C D</span>`` reads as two bylines, not one four-word name."""
    pieces = ["\n" if piece.isspace() and "\n" in piece else piece for piece in element.itertext()]
    lines = [fold(line) for line in "".join(pieces).splitlines()]
    return "\n".join(line for line in lines if line) or None


def byline_texts(page: PageData) -> list[str]:
    """Return the texts of byline elements (outermost ones only) in the article subtree."""
    elements = [
        element
        for element in page.headed(_BYLINE_XPATH)
        if "author" in (element.get("itemprop") or "").split()
        or any(_BYLINE_CLASS.search(token) for token in (element.get("class") or "").split())
    ]
    chosen = set(elements)
    inner = {e: [d for d in e.iterdescendants() if d in chosen] for e in elements}
    outermost = [e for e in elements if not any(a in chosen for a in e.iterancestors())]
    # a byline wrapping several author elements is read as those authors, one string each
    picked = [
        part
        for element in outermost
        for part in (
            [d for d in inner[element] if not inner[d]] if len(inner[element]) > 1 else [element]
        )
    ]
    texts = [byline_text(element) for element in picked]
    return unique([text for text in texts if text and len(text) <= MAX_BYLINE_CHARS])


def signature_lines(page: PageData) -> list[str]:
    """Paragraphs wholly in bold that stand above the article's running text or end it and
    name only people of two words or more: how some sites sign an article
    (``<p><strong>Jan Nowak</strong></p>``), where a bold subhead is rarely a full name."""
    paragraphs = compiled(".//p")(page.scope) if page.scope is not None else []
    top = []
    for paragraph in shown(page, paragraphs):  # read from each end: pages hold many
        if len(paragraph.text_content().split()) >= RUNNING_TEXT_WORDS:
            break
        top.append(paragraph)
    ends = top + [p for p in islice(shown(page, reversed(paragraphs)), 1) if p not in top]
    bold = compiled(_BOLD)
    texts = [fold(paragraph.text_content()) for paragraph in ends if bold(paragraph)]
    return unique([text for text in texts if text and _full_names_only(text)])


def shown(page: PageData, paragraphs: Iterable[HtmlElement]) -> Iterator[HtmlElement]:
    """The paragraphs with text that belong to the article proper, lazily."""
    return (p for p in paragraphs if fold(p.text_content()) and page.in_article(p))


def _full_names_only(text: str) -> bool:
    """Whether a line names people, each with two words or more."""
    names = normalize_byline(text)
    return bool(names) and all(" " in name for name in names)
