"""Set-based SQL: sets of values and rows as one parameter, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from crawler.storage.bulk import insert_rows, one_of
from crawler.storage.models import Article, Author, Fingerprint

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
ARTICLES = Article.__table__
AUTHORS = Author.__table__
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
        insert_rows(connection, FINGERPRINTS, ("article_id", "value"), rows)
        insert_rows(connection, FINGERPRINTS, ("article_id", "value"), [])
    with sessions() as session:
        stored = session.execute(select(FINGERPRINTS.c.article_id, FINGERPRINTS.c.value)).all()
    assert sorted(tuple(r) for r in stored) == sorted(rows)
