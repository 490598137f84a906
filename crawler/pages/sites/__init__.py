"""Site profiles: declarative selectors for sites (by domain) and platforms (by markup).

A profile is tried before structured data and generic extraction; each field it finds wins,
and the item's ``extraction`` names it (``profile:wordpress``). One small module per site or
platform; this package holds the shared machinery.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.pages.base import READABLE_TEXT, compiled, fold

BLOCKS = ("p", "h2", "h3", "h4", "h5", "blockquote", "li", "pre")
"""Elements that make a body paragraph, in document order (the outermost one counts)."""


@dataclass(frozen=True)
class Profile:
    """Where a site or platform keeps each field: XPath expressions over the page."""

    name: str
    detect: str
    """Matches (anything) on pages this profile can read, e.g. a post's content container."""
    body: str
    """The element holding the article text."""
    title: str = ""
    published: str = ""
    """Date values (attributes or text) of the publication date, first wins."""
    authors: str = ""
    """Byline texts, one per author or one for all."""
    tags: str = ""
    drop: str = ""
    """Elements inside the body that are not text of the article (share boxes, related)."""
    domains: tuple[str, ...] = ()
    """Hosts this profile is limited to (with subdomains); empty: any site whose markup fits."""


def _texts(tree: HtmlElement, xpath: str) -> list[str]:
    if not xpath:
        return []
    values = []
    for found in compiled(xpath)(tree):
        text = fold(found if isinstance(found, str) else found.text_content())
        if text:
            values.append(text)
    return values


def body_lines(container: HtmlElement, drop: str) -> list[str]:
    """The container's block elements as paragraphs, in order, without ``drop`` matches."""
    dropped = set(compiled(drop)(container)) if drop else set()
    readable = compiled(f".//{READABLE_TEXT}")
    lines = []
    for element in container.iter(*BLOCKS):
        if any(
            a in dropped or a.tag in BLOCKS for a in element.iterancestors() if a is not container
        ):
            continue  # inside a dropped box, or already part of an outer block
        if element in dropped:
            continue
        if text := fold("".join(readable(element))):
            lines.append(text)
    return lines


def profile_fields(profile: Profile, tree: HtmlElement) -> dict[str, object]:
    """The fields a profile finds on a page (only those it finds)."""
    fields: dict[str, object] = {}
    containers = compiled(profile.body)(tree)
    if containers and (lines := body_lines(containers[0], profile.drop)):
        fields["body_lines"] = lines
    if titles := _texts(tree, profile.title):
        fields["title"] = titles[0]
    if dates := _texts(tree, profile.published):
        fields["published"] = dates[0]
    if authors := _texts(tree, profile.authors):
        fields["authors"] = list(dict.fromkeys(authors))
    if tags := _texts(tree, profile.tags):
        fields["tags"] = list(dict.fromkeys(tags))
    return fields


def _host_matches(url: str | None, domains: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "") if url else ""
    return any(host == d or host.endswith(f".{d}") for d in domains)


def match_profile(tree: HtmlElement, url: str | None) -> Profile | None:
    """The first profile for the page: site profiles (``crawler/pages/sites/<domain>.py``,
    limited to their domains) before platform ones (any site whose markup fits)."""
    from crawler.pages.sites import warsawinstitute, wordpress  # the registry: add modules here

    for profile in (warsawinstitute.PROFILE, wordpress.PROFILE):
        if profile.domains and not _host_matches(url, profile.domains):
            continue
        if compiled(profile.detect)(tree):
            return profile
    return None
