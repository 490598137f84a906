"""Store batches of articles, deduplicated across origins; these functions never commit."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Column, Table, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from crawler.items import Article as ArticleItem
from crawler.storage.bulk import insert_many, insert_rows, one_of
from crawler.storage.dedupe import Fingerprint, fingerprint, is_same_article
from crawler.storage.fit import fit_item
from crawler.storage.models import (
    Article,
    ArticleAuthor,
    Author,
    Base,
    Listing,
    Origin,
    Revision,
)
from crawler.storage.models import (
    Fingerprint as FingerprintRow,
)

MIN_SHARED_SKETCH = 2
"""Sketch values an article must share with an item to be compared with it in full."""

MAX_SKETCH_POSTINGS = 50
"""A sketch value held by more articles than this is a common phrase, not a clue: ignored."""

_CONTENT = ("title", "lead", "body", "published", "modified")
_ORIGIN_DELIVERED = ("content_hash", "etag", "last_modified")
"""What an origin last delivered: a rerun that finds the same needs only ``last_seen`` set."""
_FILLABLE = ("url", "lead", "published", "modified", "publisher", "language")


@dataclass(slots=True)
class BatchResult:
    """What storing one batch did, item by item: one outcome per item, in order."""

    outcomes: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return self.outcomes.count(outcome)


def fingerprints(items: Sequence[ArticleItem]) -> list[Fingerprint]:
    """The items' fingerprints."""
    return [fingerprint(i.title or "", i.lead, i.body or "") for i in items]


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """Items fitted to their columns (``fit_item``) and their fingerprints: the CPU-heavy part
    of storing, needing no database, so a writer does it before it takes its turn."""

    items: list[ArticleItem]
    fps: list[Fingerprint]


def prepare_batch(items: Sequence[ArticleItem]) -> PreparedBatch:
    """Fit the items to their columns (so every database stores the same) and fingerprint
    them."""
    fitted = [fit_item(i) for i in items]
    return PreparedBatch(fitted, fingerprints(fitted))


def store_batch(session: Session, items: Sequence[ArticleItem], now: datetime) -> BatchResult:
    """Store validated, normalized items; each becomes new, updated, merged or unchanged.

    - a known origin with the same content: unchanged (last seen updated);
    - a known origin with changed content: updated (the old version becomes a revision);
    - a new origin whose canonical URL, exact content or near-duplicate content matches a
      stored article: merged (one more origin; missing fields filled in);
    - anything else: a new article.

    Concurrent writers must take turns (``concurrency.write_transaction`` does): the decisions
    rest on what this transaction reads.
    """
    return store_prepared(session, prepare_batch(items), now)


def store_prepared(session: Session, batch: PreparedBatch, now: datetime) -> BatchResult:
    """``store_batch`` of a batch prepared beforehand (``prepare_batch``)."""
    return _Batch(session, batch.items, now, batch.fps).run()


class _Batch:
    """The state of one store_batch call: lookups done once, decisions item by item."""

    def __init__(
        self,
        session: Session,
        items: Sequence[ArticleItem],
        now: datetime,
        fps: list[Fingerprint],
    ) -> None:
        self.session, self.items, self.now, self.fps = session, items, now, fps
        self.connection = session.connection()  # Core statements: no ORM work per row
        self.rows: dict[str, dict[str, Any]] = {}  # article id -> current row (loaded or new)
        self.known_fps: dict[str, Fingerprint] = {}
        self.new_ids: dict[str, None] = {}  # created in this batch, in order
        self.changed: dict[str, set[str]] = defaultdict(set)  # existing id -> changed columns
        self.new_origins: list[dict[str, Any]] = []
        self.touched_origins: dict[int, dict[str, Any]] = {}  # stored origin id -> new values
        self.revisions: list[dict[str, Any]] = []
        self.authors: dict[str, list[str]] = {}  # article id -> names to (re)write
        self.refingerprint: set[str] = set()

    def run(self) -> BatchResult:
        self._lookup()
        result = BatchResult()
        for item, fp in zip(self.items, self.fps, strict=True):
            outcome, article_id = self._decide(item, fp)
            result.outcomes.append(outcome)
            result.article_ids.append(article_id)
        self._write()
        return result

    # -- lookups ---------------------------------------------------------------------------

    def _lookup(self) -> None:
        """What the database knows of the batch: one set-based query per key."""
        origins = _table(Origin)
        uris = {i.origin for i in self.items}
        columns = [origins.c[c] for c in ("id", "article_id", *_ORIGIN_DELIVERED)]
        found = self._rows_where(origins.c.uri, uris, *columns)
        self.origins = {
            r.uri: {"id": r.id, "article_id": r.article_id, "content_hash": r.content_hash}
            for r in found
        }
        self.delivered = {r.id: tuple(getattr(r, c) for c in _ORIGIN_DELIVERED) for r in found}
        articles, revisions = _table(Article), _table(Revision)
        self.by_url: dict[str, str] = dict(
            self._rows_where(articles.c.url, {i.url for i in self.items if i.url}, articles.c.id)
        )
        hashes = {fp.content_hash for fp in self.fps}
        self.by_hash: dict[str, str] = dict(
            self._rows_where(revisions.c.content_hash, hashes, revisions.c.article_id)
        )
        self.by_hash.update(self._rows_where(articles.c.content_hash, hashes, articles.c.id))
        self.by_title: dict[str, set[str]] = defaultdict(set)
        keys = {fp.title_key for fp in self.fps}
        for key, article_id in self._rows_where(articles.c.title_key, keys, articles.c.id):
            self.by_title[key].add(article_id)
        self.by_sketch: dict[int, set[str]] = defaultdict(set)
        for value, article_id in self._sketch_postings({v for fp in self.fps for v in fp.sketch}):
            self.by_sketch[value].add(article_id)
        self._load_rows(self._ids_to_load())

    def _rows_where(
        self, key: Column[Any], values: Collection[Any], *columns: Column[Any]
    ) -> list[Any]:
        """The rows ``(key, *columns)`` whose key is one of the values."""
        if not values:
            return []
        query = select(key, *columns).where(one_of(self.connection.dialect.name, key, values))
        return list(self.connection.execute(query))

    def _sketch_postings(self, values: set[int]) -> list[Any]:
        """(value, article id) of the stored articles that share a sketch value with the batch,
        hubs left out. Two steps: the values' posting counts, then the postings of the few
        values found that are not hubs (so hub postings are never read)."""
        fingerprints = _table(FingerprintRow)
        counts = select(fingerprints.c.value, func.count()).group_by(fingerprints.c.value)
        dialect = self.connection.dialect.name
        found = self.connection.execute(
            counts.where(one_of(dialect, fingerprints.c.value, values))
        ).all()
        wanted = [value for value, n in found if n <= MAX_SKETCH_POSTINGS]
        return self._rows_where(fingerprints.c.value, wanted, fingerprints.c.article_id)

    def _ids_to_load(self) -> set[str]:
        ids: set[str] = set()
        for item, fp in zip(self.items, self.fps, strict=True):
            origin = self.origins.get(item.origin)
            if origin is not None:
                if origin["content_hash"] != fp.content_hash:
                    ids.add(origin["article_id"])
                continue
            ids.update(self._candidates(item, fp))
        return ids

    def _candidates(self, item: ArticleItem, fp: Fingerprint) -> set[str]:
        ids = set(self.by_title.get(fp.title_key, ()))
        postings = [self.by_sketch[value] for value in fp.sketch if value in self.by_sketch]
        if len(postings) >= MIN_SHARED_SKETCH:
            counts = Counter(i for posting in postings for i in posting)
            ids.update(i for i, n in counts.items() if n >= MIN_SHARED_SKETCH)
        for found in (self.by_url.get(item.url or ""), self.by_hash.get(fp.content_hash)):
            if found:
                ids.add(found)
        return ids

    def _load_rows(self, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self.rows]
        if not wanted:
            return
        db, articles, bylines = self.connection, _table(Article), _table(ArticleAuthor)
        names = ["id", "title", "title_key", "tags", *_CONTENT[1:]]
        names += [c for c in _FILLABLE if c not in _CONTENT]
        query = select(*(articles.c[n] for n in names))
        for found in db.execute(query.where(one_of(db.dialect.name, articles.c.id, wanted))):
            self.rows[found.id] = dict(found._mapping)
        authors: dict[str, list[str]] = defaultdict(list)
        for article_id, name in db.execute(
            select(bylines.c.article_id, _table(Author).c.name)
            .join(_table(Author))
            .where(one_of(db.dialect.name, bylines.c.article_id, wanted))
            .order_by(bylines.c.article_id, bylines.c.position)
        ):
            authors[article_id].append(name)
        for article_id, row in self.rows.items():
            row.setdefault("authors", authors.get(article_id, []))

    def _fingerprint_of(self, article_id: str) -> Fingerprint:
        if article_id not in self.known_fps:
            row = self.rows[article_id]
            self.known_fps[article_id] = fingerprint(row["title"], row["lead"], row["body"])
        return self.known_fps[article_id]

    # -- decisions -------------------------------------------------------------------------

    def _decide(self, item: ArticleItem, fp: Fingerprint) -> tuple[str, str]:
        origin = self.origins.get(item.origin)
        if origin is not None:
            article_id = origin["article_id"]
            outcome = "unchanged" if origin["content_hash"] == fp.content_hash else "updated"
            if outcome == "updated":
                self._revise(article_id, item, fp)
                origin["content_hash"] = fp.content_hash
            else:
                self._touch(article_id)
            if "id" in origin:  # the last time a batch sees an origin is what it stores
                self.touched_origins[origin["id"]] = {
                    "id": origin["id"],
                    "content_hash": fp.content_hash,
                    **self._seen(item),
                }
            return outcome, article_id
        article_id = self._match(item, fp)
        if article_id is None:
            article_id = self._create(item, fp)
            outcome = "new"
        else:
            row = self.rows[article_id]
            if (
                item.url
                and row.get("url") == item.url
                and not is_same_article(fp, self._fingerprint_of(article_id))
            ):
                self._revise(article_id, item, fp)  # the page at a known URL changed
                outcome = "updated"
            else:
                self._fill_missing(article_id, item)
                outcome = "merged"
        self._add_origin(article_id, item, fp)
        return outcome, article_id

    def _match(self, item: ArticleItem, fp: Fingerprint) -> str | None:
        if item.url and item.url in self.by_url:
            return self.by_url[item.url]
        if fp.content_hash in self.by_hash:
            return self.by_hash[fp.content_hash]
        for candidate in sorted(self._candidates(item, fp)):
            if is_same_article(fp, self._fingerprint_of(candidate)):
                return candidate
        return None

    def _create(self, item: ArticleItem, fp: Fingerprint) -> str:
        article_id = fp.content_hash[:16]
        while article_id in self.rows or article_id in self.new_ids:  # vanishingly rare
            article_id = f"{int(article_id, 16) + 1:016x}"[-16:]
        self.rows[article_id] = {
            "id": article_id,
            "url": item.url,
            "title": item.title,
            "title_key": fp.title_key,
            "lead": item.lead,
            "body": item.body,
            "published": item.published,
            "modified": item.modified,
            "publisher": item.publisher,
            "language": item.language,
            "tags": list(item.tags),
            "source_refs": list(item.source_refs),
            "extraction": dict(item.extraction),
            "content_hash": fp.content_hash,
            "first_seen": self.now,
            "last_seen": self.now,
            "authors": list(item.authors),
        }
        self.new_ids[article_id] = None
        self.authors[article_id] = list(item.authors)
        self._index(article_id, item, fp)
        return article_id

    def _index(self, article_id: str, item: ArticleItem, fp: Fingerprint) -> None:
        """Make an article created or revised in this batch findable by the items after it."""
        self.known_fps[article_id] = fp
        self.by_hash[fp.content_hash] = article_id
        self.by_title[fp.title_key].add(article_id)
        for value in fp.sketch:
            self.by_sketch[value].add(article_id)
        if item.url:
            self.by_url.setdefault(item.url, article_id)

    def _revise(self, article_id: str, item: ArticleItem, fp: Fingerprint) -> None:
        row = self.rows[article_id]
        self.revisions.append(
            {
                "article_id": article_id,
                "content_hash": self._fingerprint_of(article_id).content_hash,
                "title": row["title"],
                "lead": row["lead"],
                "body": row["body"],
                "published": row["published"],
                "authors": list(row["authors"]),
                "superseded_at": self.now,
                "origin_uri": item.origin,
            }
        )
        for column in _CONTENT:
            row[column] = getattr(item, column)
        row["title_key"], row["content_hash"] = fp.title_key, fp.content_hash
        row["authors"] = list(item.authors)
        self.authors[article_id] = list(item.authors)
        self._mark(article_id, *_CONTENT, "title_key", "content_hash")
        self.refingerprint.add(article_id)
        self._index(article_id, item, fp)
        self._touch(article_id)

    def _fill_missing(self, article_id: str, item: ArticleItem) -> None:
        row = self.rows[article_id]
        for column in _FILLABLE:
            value = getattr(item, column)
            if value and not row.get(column) and (column != "url" or value not in self.by_url):
                row[column] = value
                self._mark(article_id, column)
                if column == "url":
                    self.by_url[value] = article_id
        extra_tags = [t for t in item.tags if t not in row["tags"]]
        if extra_tags:
            row["tags"] = [*row["tags"], *extra_tags]
            self._mark(article_id, "tags")
        if item.authors and not row["authors"]:
            row["authors"] = list(item.authors)
            self.authors[article_id] = list(item.authors)
        self._touch(article_id)

    def _touch(self, article_id: str) -> None:
        row = self.rows.setdefault(article_id, {"id": article_id})
        row["last_seen"] = self.now
        self._mark(article_id, "last_seen")

    def _mark(self, article_id: str, *columns: str) -> None:
        if article_id not in self.new_ids:
            self.changed[article_id].update(columns)

    def _add_origin(self, article_id: str, item: ArticleItem, fp: Fingerprint) -> None:
        self.origins[item.origin] = {"article_id": article_id, "content_hash": fp.content_hash}
        self.new_origins.append(
            {
                "uri": item.origin,
                "article_id": article_id,
                "content_hash": fp.content_hash,
                "first_seen": self.now,
                **self._seen(item),
            }
        )

    def _seen(self, item: ArticleItem) -> dict[str, Any]:
        """An origin's columns that change each time it is seen."""
        return {"last_seen": self.now, "etag": item.etag, "last_modified": item.last_modified}

    # -- writes ----------------------------------------------------------------------------

    def _write(self) -> None:
        s, db = self.session, self.connection
        dialect = db.dialect.name
        new_rows = [self.rows[i] for i in self.new_ids]
        insert_many(db, _table(Article), new_rows, _table(Article).c.keys())
        seen_again = [i for i, cs in self.changed.items() if cs == {"last_seen"}]
        self._mark_seen(_table(Article), seen_again)
        updates = [
            {"id": i, **{c: self.rows[i][c] for c in cs}}
            for i, cs in self.changed.items()
            if cs != {"last_seen"}
        ]
        if updates:
            s.execute(update(Article), updates)
        revised = sorted(self.refingerprint.difference(self.new_ids))
        fingerprints = _table(FingerprintRow)
        if revised:
            db.execute(
                delete(fingerprints).where(one_of(dialect, fingerprints.c.article_id, revised))
            )
        sketch_rows = [
            (i, v)
            for i in [*self.new_ids, *revised]
            for v in dict.fromkeys(self.known_fps[i].sketch)
        ]
        insert_rows(db, fingerprints, ("article_id", "value"), sketch_rows)
        insert_many(db, _table(Origin), self.new_origins)
        unchanged = {
            i
            for i, row in self.touched_origins.items()
            if tuple(row[c] for c in _ORIGIN_DELIVERED) == self.delivered[i]
        }
        self._mark_seen(_table(Origin), sorted(unchanged))
        changed = [row for i, row in self.touched_origins.items() if i not in unchanged]
        if changed:
            s.execute(update(Origin), changed)
        insert_many(db, _table(Revision), self.revisions)
        self._write_authors()

    def _mark_seen(self, table: Table, ids: Sequence[Any]) -> None:
        """Set ``last_seen`` of the rows with these ids to now: one statement, where a row
        whose only change is that needs no statement of its own (a rerun touches every row)."""
        if ids:
            dialect = self.connection.dialect.name
            query = update(table).where(one_of(dialect, table.c.id, ids))
            self.connection.execute(query.values(last_seen=self.now))

    def _write_authors(self) -> None:
        if not self.authors:
            return
        db = self.connection
        bylines = _table(ArticleAuthor)
        ids = author_ids(self.session, {n for names in self.authors.values() for n in names})
        rewritten = [i for i in self.authors if i not in self.new_ids]
        if rewritten:
            db.execute(
                delete(bylines).where(one_of(db.dialect.name, bylines.c.article_id, rewritten))
            )
        links = [
            (article_id, position, ids[name])
            for article_id, names in self.authors.items()
            for position, name in enumerate(dict.fromkeys(names))
        ]
        insert_rows(db, bylines, ("article_id", "position", "author_id"), links)


def _table(model: type[Base]) -> Table:
    """The Core table of a model: executemany inserts without the ORM's per-row work."""
    return cast(Table, model.__table__)


def insert_ignoring_duplicates(session: Session, model: type[Base]) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` for the session's database (the one place that
    knows the dialects' upsert forms; each dialect imported on first use)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(_table(model)).on_conflict_do_nothing()
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(_table(model)).on_conflict_do_nothing()
    raise NotImplementedError(f"no upsert for {dialect}")


def author_ids(session: Session, names: set[str]) -> dict[str, int]:
    """Return the id of every named author, creating the missing ones (a name another writer
    created meanwhile is found, not duplicated)."""
    if not names:
        return {}
    db, authors = session.connection(), _table(Author)
    query = select(authors.c.name, authors.c.id)
    found = dict(db.execute(query.where(one_of(db.dialect.name, authors.c.name, names))).all())
    missing = sorted(names - found.keys())
    if missing:
        db.execute(insert_ignoring_duplicates(session, Author), [{"name": n} for n in missing])
        found.update(
            db.execute(query.where(one_of(db.dialect.name, authors.c.name, missing))).all()
        )
    return found


@dataclass(frozen=True, slots=True)
class KnownOrigin:
    """What a crawl needs to know of a stored page: its validators and when it was last seen."""

    etag: str | None
    last_modified: str | None
    last_seen: datetime


def known_origins(session: Session, hosts: Iterable[str]) -> dict[str, KnownOrigin]:
    """Return the stored origins on the given hosts (http and https), by URI."""
    hosts = list(hosts)
    if not hosts:
        return {}
    query = select(Origin.uri, Origin.etag, Origin.last_modified, Origin.last_seen)
    return {
        uri: KnownOrigin(etag, modified, _aware(seen))
        for uri, etag, modified, seen in session.execute(query.where(_on_hosts(Origin.uri, hosts)))
    }


def known_listings(session: Session, hosts: Iterable[str]) -> dict[str, str]:
    """Return the stored listings on the given hosts: their links' digests, by URL."""
    hosts = list(hosts)
    if not hosts:
        return {}
    query = select(Listing.url, Listing.links_hash).where(_on_hosts(Listing.url, hosts))
    return {url: digest for url, digest in session.execute(query)}


def store_listings(session: Session, listings: Mapping[str, str], now: datetime) -> None:
    """Store the listings' links digests (by URL), replacing the ones stored before."""
    if not listings:
        return
    table = _table(Listing)
    db = session.connection()
    db.execute(delete(table).where(one_of(db.dialect.name, table.c.url, list(listings))))
    rows = [
        {"url": url, "links_hash": digest, "last_seen": now} for url, digest in listings.items()
    ]
    insert_many(db, table, rows)


def _on_hosts(column: Any, hosts: Iterable[str]) -> Any:
    """Whether a URL column's value is on one of the hosts (http or https, any port)."""
    prefixes = [
        f"{scheme}://{host}{end}" for host in hosts for scheme in ("http", "https") for end in "/:"
    ]
    return or_(*(column.startswith(prefix, autoescape=True) for prefix in prefixes))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
