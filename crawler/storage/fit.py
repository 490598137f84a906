"""Make an item's values fit the columns on every database: PostgreSQL enforces string lengths
and rejects NUL characters in text, SQLite does neither, so both get the same stored values."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Column

from crawler.items import Article as ArticleItem
from crawler.storage.models import Article, Author, Origin


def _length(column: Any) -> int | None:
    return getattr(column.type, "length", None) if isinstance(column, Column) else None


LIMITS: dict[str, int | None] = {
    "origin": _length(Origin.__table__.c.uri),
    "url": _length(Article.__table__.c.url),
    "title": None,
    "lead": None,
    "body": None,
    "published": _length(Article.__table__.c.published),
    "modified": _length(Article.__table__.c.modified),
    "publisher": _length(Article.__table__.c.publisher),
    "language": _length(Article.__table__.c.language),
    "etag": _length(Origin.__table__.c.etag),
    "last_modified": _length(Origin.__table__.c.last_modified),
}
"""The item's stored text fields and their column lengths (None: unbounded text)."""

AUTHOR_LIMIT = _length(Author.__table__.c.name)


def fit_text(value: str, limit: int | None) -> str:
    """Drop NUL characters and cut the text to ``limit`` characters."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value[:limit] if limit is not None else value


def fit_item(item: ArticleItem) -> ArticleItem:
    """Return the item with every stored text fitted to its column (the same item when it
    already fits). A URL too long for its column is dropped rather than cut: a cut URL is
    another URL; the origin, which the validation pipeline bounds, is cut as a last resort."""
    changes: dict[str, Any] = {}
    for name, limit in LIMITS.items():
        value = getattr(item, name)
        if not isinstance(value, str):
            continue
        fitted: str | None = fit_text(value, limit)
        if name == "url" and limit is not None and len(value) > limit:
            fitted = None
        if fitted != value:
            changes[name] = fitted
    authors = [fit_text(name, AUTHOR_LIMIT) for name in item.authors]
    if authors != item.authors:
        changes["authors"] = authors
    return dataclasses.replace(item, **changes) if changes else item
