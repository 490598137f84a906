"""Read stored articles as export records (the JSON Lines contract), streamed in id order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crawler.storage.models import Article, ArticleAuthor, Author, Origin

EXPORT_FIELDS = (
    "id", "url", "title", "lead", "body", "authors", "published", "publisher", "source_refs",
    "tags", "language", "origins", "first_seen", "last_seen",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which articles to export: a published-date range (inclusive), a publisher, an author."""

    since: str | None = None
    until: str | None = None
    publisher: str | None = None
    author: str | None = None


def _select(flt: ExportFilter) -> Select[Any]:
    query = select(Article)
    if flt.since:
        query = query.where(Article.published >= flt.since)
    if flt.until:
        # "2022-11-30" must include "2022-11-30T23:59:59+00:00": compare on the day prefix.
        query = query.where(func.substr(Article.published, 1, len(flt.until)) <= flt.until)
    if flt.publisher:
        query = query.where(func.lower(Article.publisher) == flt.publisher.lower())
    if flt.author:
        query = query.where(
            Article.id.in_(
                select(ArticleAuthor.article_id)
                .join(Author)
                .where(func.lower(Author.name) == flt.author.lower())
            )
        )
    return query.order_by(Article.published.is_(None), Article.published, Article.id)


def iter_export_records(
    session: Session, flt: ExportFilter | None = None, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Yield export records ordered by ``published`` (undated last) then ``id``."""
    query = _select(flt or ExportFilter()).execution_options(yield_per=chunk)
    result = session.execute(query).scalars()
    for articles in result.partitions(chunk):
        ids = [a.id for a in articles]
        authors = _authors(session, ids)
        origins = _origins(session, ids)
        for a in articles:
            yield {
                "id": a.id,
                "url": a.url,
                "title": a.title,
                "lead": a.lead,
                "body": a.body,
                "authors": authors.get(a.id, []),
                "published": a.published,
                "publisher": a.publisher,
                "source_refs": a.source_refs or [],
                "tags": a.tags or [],
                "language": a.language,
                "origins": origins.get(a.id, []),
                "first_seen": iso_timestamp(a.first_seen),
                "last_seen": iso_timestamp(a.last_seen),
            }


def _authors(session: Session, ids: list[str]) -> dict[str, list[str]]:
    names: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(
        select(ArticleAuthor.article_id, Author.name)
        .join(Author)
        .where(ArticleAuthor.article_id.in_(ids))
        .order_by(ArticleAuthor.article_id, ArticleAuthor.position)
    )
    for article_id, name in rows:
        names[article_id].append(name)
    return names


def _origins(session: Session, ids: list[str]) -> dict[str, list[str]]:
    uris: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(
        select(Origin.article_id, Origin.uri).where(Origin.article_id.in_(ids)).order_by(Origin.id)
    )
    for article_id, uri in rows:
        uris[article_id].append(uri)
    return uris


def iso_timestamp(value: datetime | None) -> str | None:
    """Render a stored timestamp as ISO 8601 with offset (SQLite returns naive UTC values)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")
