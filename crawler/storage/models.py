"""SQLAlchemy 2 typed models: articles, authors, origins, revisions, fingerprints, listings and
runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

PUBLISHED = String(32).with_variant(String(32, collation="C"), "postgresql")
"""ISO dates order and compare as plain characters, as on SQLite, whatever the database's
locale (a linguistic collation ignores punctuation: ``-01:00`` would sort after ``+05:00``)."""


class Base(DeclarativeBase):
    """Declarative base of every table the crawler owns."""

    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Article(Base):
    """One article, whatever the number of places it was seen at; holds its current version."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(200), index=True)
    lead: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(PUBLISHED, index=True)
    modified: Mapped[str | None] = mapped_column(String(32))
    publisher: Mapped[str | None] = mapped_column(String(300), index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    source_refs: Mapped[list[Any]] = mapped_column(default=list)
    extraction: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(32), index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]

    authors: Mapped[list[ArticleAuthor]] = relationship(
        order_by="ArticleAuthor.position", cascade="all, delete-orphan", lazy="raise"
    )
    origins: Mapped[list[Origin]] = relationship(
        order_by="Origin.id", cascade="all, delete-orphan", lazy="raise"
    )


class Author(Base):
    """A person, by their normalized name."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)


class ArticleAuthor(Base):
    """An article's byline: its authors in order."""

    __tablename__ = "article_authors"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)

    author: Mapped[Author] = relationship(lazy="joined")


class Origin(Base):
    """A place an article was seen at (a file or a page), with what it last delivered."""

    __tablename__ = "origins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(32))
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(64))


class Revision(Base):
    """A superseded version of an article, kept when an origin delivered changed content."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    content_hash: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(32))
    authors: Mapped[list[Any]] = mapped_column(default=list)
    superseded_at: Mapped[datetime]
    origin_uri: Mapped[str | None] = mapped_column(String(2048))


class Fingerprint(Base):
    """Bottom-k shingle hashes of an article's text: candidate keys for near-duplicate search."""

    __tablename__ = "fingerprints"
    __table_args__ = (Index("ix_fingerprints_value", "value"),)

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class Listing(Base):
    """A page that is not an article (a home page, a category, a tag page): what it linked to
    when a finished crawl last followed its links."""

    __tablename__ = "listings"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    links_hash: Mapped[str] = mapped_column(String(32))
    """``crawler.discovery.links_digest`` of the page's links."""
    last_seen: Mapped[datetime]


class Run(Base):
    """One crawl run and its figures."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spider: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(100))
    pages: Mapped[int] = mapped_column(default=0)
    seen: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    merged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
