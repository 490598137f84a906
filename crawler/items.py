"""The Article item: what spiders yield, pipelines clean and storage keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.pages.base import ExtractedPage


@dataclass(slots=True)
class Article:
    """One analysis article as read from one origin (a seed file or a web page).

    Spiders fill the raw values they find; the pipelines clean them in place
    (footer removal, ISO dates, clean author names) before storage.
    """

    origin: str
    """URI the article was read at: ``file://`` for files, ``http(s)://`` for pages."""

    title: str | None = None
    """Headline, whitespace-folded."""

    body: str | None = None
    """Article text: paragraphs separated by one blank line."""

    lead: str | None = None
    """Standfirst paragraph shown under the title, when the source has one."""

    authors: list[str] = field(default_factory=list)
    """Raw bylines from a seed file, which the byline pipeline turns into clean person names;
    a page's come clean from its extraction (``extraction`` names their source)."""

    published: str | None = None
    """Publication date; raw text from the source, ISO 8601 after the date pipeline."""

    modified: str | None = None
    """Last modification date, when the source gives one; normalized like ``published``."""

    url: str | None = None
    """Canonical web URL of the article when known, else ``None``."""

    publisher: str | None = None
    """Publishing organisation (from the footer, JSON-LD or the site)."""

    source_refs: list[dict[str, str | None]] = field(default_factory=list)
    """Sources the article cites (``SOURCE:`` lines): ``{"name": ..., "url": ...}``."""

    tags: list[str] = field(default_factory=list)
    """Topic tags (``TAGS:`` lines, ``article:tag`` meta)."""

    language: str | None = None
    """ISO 639-1 code of the text's language."""

    group: str | None = None
    """Where repeated boilerplate is learned: documents of one publisher or one folder."""

    extraction: dict[str, str] = field(default_factory=dict)
    """Which source supplied each field, e.g. ``{"title": "jsonld", "body": "generic"}``."""

    etag: str | None = None
    """HTTP ``ETag`` of the page, kept with its origin for conditional requests."""

    last_modified: str | None = None
    """HTTP ``Last-Modified`` of the page, kept with its origin for conditional requests."""

    @classmethod
    def from_page(cls, page: ExtractedPage, origin: str, **fields: Any) -> Article:
        """The raw item for an extracted page (the pipelines clean it)."""
        url = page.url if page.url and page.url.startswith(("http://", "https://")) else None
        return cls(
            origin=origin,
            url=url,
            title=page.title,
            lead=page.lead,
            body=page.body,
            authors=list(page.authors),
            published=page.published,
            modified=page.modified,
            publisher=page.publisher,
            tags=list(page.tags),
            language=page.language,
            extraction=dict(page.extraction),
            **fields,
        )
