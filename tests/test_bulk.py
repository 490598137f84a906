"""Set-based SQL: sets of values and rows as one parameter, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from crawler.storage.bulk import insert_many, insert_rows, one_of
from crawler.storage.models import Article, Author, Fingerprint, Origin

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ARTICLES = Article.__table__
AUTHORS = Author.__table__
ORIGINS = Origin.__table__
FINGERPRINTS = Fingerprint.__table__


def add_articles(connection, *ids: str) -> None:
    rows = [
        {"id": i, "title": i, "title_key": i, "body": i, "content_hash": i, "first_seen": NOW,
         "last_seen": NOW}
        for i in ids
    ]  # fmt: skip
    connection.execute(insert(ARTICLES), rows)


def test_one_of_finds_exactly_the_given_values(sessions):
    names = ["Ewa Król", "Иван Петров", 'O\'Brien "Jr"', "a, b", "x" * 300]
    with sessions.begin() as session:
        connection = session.connection()
        connection.execute(insert(AUTHORS), [{"name": n} for n in names])
        dialect = connection.dialect.name
        query = select(AUTHORS.c.name)
        wanted = {"Иван Петров", 'O\'Brien "Jr"', "x" * 300, "not stored", "x" * 301}
        found = connection.scalars(query.where(one_of(dialect, AUTHORS.c.name, wanted))).all()
        assert sorted(found) == sorted(wanted & set(names))
        assert connection.scalars(query.where(one_of(dialect, AUTHORS.c.name, []))).all() == []


def test_a_longer_value_never_matches_its_cut_prefix(sessions):
    with sessions.begin() as session:
        connection = session.connection()
        add_articles(connection, "0123456789abcdef")
        condition = one_of(connection.dialect.name, ARTICLES.c.id, ["0123456789abcdef-and-more"])
        assert connection.scalars(select(ARTICLES.c.id).where(condition)).all() == []


def test_insert_rows_stores_every_row_with_its_values(sessions):
    rows = [("a1", 1), ("a1", 2**40), ("a2", 2**62), ("a2", 0)]
    with sessions.begin() as session:
        connection = session.connection()
        add_articles(connection, "a1", "a2")
        insert_rows(connection, FINGERPRINTS, ("article_id", "value"), rows[:2])
        insert_rows(
            connection, FINGERPRINTS, ("value", "article_id"), [(v, a) for a, v in rows[2:]]
        )
        insert_rows(connection, FINGERPRINTS, ("article_id", "value"), [])
    with sessions() as session:
        stored = session.execute(select(FINGERPRINTS.c.article_id, FINGERPRINTS.c.value)).all()
    assert sorted(tuple(r) for r in stored) == sorted(rows)


def test_insert_many_stores_what_cores_insert_stores(sessions):
    """Each type's own conversion (timestamps with their zone, JSON, None, text), whether rows
    share a value object or not: the rows read back equal those Core's executemany stores."""
    later = datetime(2024, 5, 2, 8, 30, 15, 123456, tzinfo=UTC)
    rows = [
        {"id": f"{name}{i}", "url": f"https://example.org/{name}/{i}", "title": "Żółw «1»",
         "title_key": "zolw 1", "lead": None if i else "Lead", "body": "Body\n\nmore",
         "published": "2024-05-01", "modified": None, "publisher": "Ośrodek", "language": "pl",
         "tags": ["Russia", "NATO"] if i else [], "source_refs": [{"name": "A", "url": None}],
         "extraction": {"authors": "json-ld"} if i else {}, "content_hash": f"{name}{i}",
         "first_seen": NOW, "last_seen": later if i else NOW}
        for name in ("core", "many")
        for i in range(3)
    ]  # fmt: skip
    with sessions.begin() as session:
        connection = session.connection()
        connection.execute(insert(ARTICLES), rows[:3])
        insert_many(connection, ARTICLES, rows[3:])
        insert_many(connection, ARTICLES, [])
        origins = [{"uri": f"file:///{r['id']}.txt", "article_id": r["id"],
                    "content_hash": r["id"], "first_seen": NOW, "last_seen": r["last_seen"],
                    "etag": None, "last_modified": None} for r in rows]  # fmt: skip
        connection.execute(insert(ORIGINS), origins[:3])
        insert_many(connection, ORIGINS, origins[3:])
    with sessions() as session:
        stored = {r.id: r._asdict() for r in session.execute(select(ARTICLES)).all()}
        uris = {r.uri: r._asdict() for r in session.execute(select(ORIGINS)).all()}
    for i in range(3):
        core, many = stored.pop(f"core{i}"), stored.pop(f"many{i}")
        assert {**core, "id": "", "url": "", "content_hash": ""} == {
            **many,
            "id": "",
            "url": "",
            "content_hash": "",
        }
        assert (many["tags"], many["extraction"]) == (
            rows[3 + i]["tags"],
            rows[3 + i]["extraction"],
        )
        core, many = uris[f"file:///core{i}.txt"], uris[f"file:///many{i}.txt"]
        assert (core["first_seen"], core["last_seen"]) == (many["first_seen"], many["last_seen"])
    assert stored == {}
