"""Alembic owns the schema: migrated databases equal the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import sessionmaker

from crawler.items import Article
from crawler.storage.db import make_engine, open_database
from crawler.storage.dedupe import SKETCH_SIZE, fingerprint
from crawler.storage.models import Article as ArticleRow
from crawler.storage.models import ArticleAuthor, Author, Base, Fingerprint, Origin
from crawler.storage.repository import store_batch
from crawler.storage.schema import (
    HEAD_REVISION,
    INITIAL_REVISION,
    alembic_config,
    current_revision,
    head_revision,
    stored_revision,
    upgrade,
)
from tests.cli import ROOT, scrapy
from tests.conftest import make_text

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TABLES = (ArticleRow, Author, ArticleAuthor, Origin, Fingerprint)
TABLES_SINCE_0001 = {"listings"}
"""Tables later migrations create."""


def items(first: int, count: int) -> list[Article]:
    return [
        Article(
            origin=f"file:///a/{i}.txt",
            title=f"Analysis {i}",
            body=make_text(i),
            authors=[f"Author {i % 3}"],
            published=f"2023-01-{i % 28 + 1:02d}",
        )
        for i in range(first, first + count)
    ]


def counts(sessions) -> dict[str, int]:
    with sessions() as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in TABLES
        }


def assert_schema_equals_the_models(engine) -> None:
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert current_revision(connection) == head_revision()
        # compare_metadata ignores collations: check the one the models ask for
        reflected = {c["name"]: c["type"] for c in inspect(connection).get_columns("articles")}
    wanted = ArticleRow.__table__.c.published.type.dialect_impl(engine.dialect)
    assert getattr(reflected["published"], "collation", None) == getattr(wanted, "collation", None)


def test_migrated_schema_equals_the_models(db_url):
    engine = make_engine(db_url)
    assert upgrade(engine) == (None, HEAD_REVISION)  # every migration, from an empty database
    assert_schema_equals_the_models(engine)
    engine.dispose()


def test_an_empty_database_is_built_at_the_head_as_the_migrations_would(sessions):
    """First use builds an empty database from the models, stamped at the head revision
    without Alembic: Alembic finds it at the head, with nothing left to migrate."""
    engine = sessions.kw["bind"]
    assert_schema_equals_the_models(engine)
    assert upgrade(engine) == (HEAD_REVISION, HEAD_REVISION)


def test_the_head_revision_is_known_without_alembic(db_url):
    assert head_revision() == HEAD_REVISION  # bump HEAD_REVISION with each new migration
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert stored_revision(connection) is None  # an empty database
    upgrade(engine, INITIAL_REVISION)
    with engine.connect() as connection:
        assert stored_revision(connection) == current_revision(connection) == INITIAL_REVISION
    engine.dispose()


def test_upgrading_a_database_that_holds_articles_keeps_every_row(db_url):
    engine = make_engine(db_url)
    assert upgrade(engine, INITIAL_REVISION) == (None, INITIAL_REVISION)
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        store_batch(session, items(0, 40), NOW)
    before = counts(sessions)
    assert before["articles"] == 40
    assert upgrade(engine) == (INITIAL_REVISION, head_revision())
    assert counts(sessions) == before
    engine.dispose()


def sketches(sessions) -> dict[str, set[int]]:
    found = defaultdict(set)
    with sessions() as session:
        for article_id, value in session.execute(select(Fingerprint.article_id, Fingerprint.value)):
            found[article_id].add(value)
    return dict(found)


def test_revision_0003_takes_every_stored_sketch_again_and_its_downgrade_restores_them(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        store_batch(session, items(0, 520), NOW)  # more than the migration's 500 at a time
        stored = session.execute(select(ArticleRow.id, ArticleRow.title, ArticleRow.body)).all()
    fps = {row.id: fingerprint(row.title, None, row.body) for row in stored}
    anchored = {i: set(fp.sketch) for i, fp in fps.items()}
    of_all_shingles = {i: set(sorted(fp.shingles)[:SKETCH_SIZE]) for i, fp in fps.items()}
    assert sketches(sessions) == anchored != of_all_shingles
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0002")
    assert sketches(sessions) == of_all_shingles  # what revision 0002 stored
    assert upgrade(engine) == ("0002", HEAD_REVISION)
    assert sketches(sessions) == anchored
    engine.dispose()


def test_a_database_made_by_create_all_is_adopted_without_losing_rows(db_url):
    engine = make_engine(db_url)
    # how databases were made before migrations, with the tables of that time
    initial = [t for t in Base.metadata.sorted_tables if t.name not in TABLES_SINCE_0001]
    Base.metadata.create_all(engine, tables=initial)
    with sessionmaker(engine).begin() as session:
        store_batch(session, items(0, 30), NOW)
    engine.dispose()
    sessions = open_database(db_url)
    assert counts(sessions)["articles"] == 30
    with sessions.kw["bind"].connect() as connection:
        assert current_revision(connection) == head_revision()
    with sessions.begin() as session:
        assert store_batch(session, items(25, 10), NOW).outcomes == ["unchanged"] * 5 + ["new"] * 5
    assert counts(sessions)["articles"] == 35
    sessions.kw["bind"].dispose()


def test_processes_opening_a_fresh_database_at_once_all_succeed(db_url):
    code = "import sys; from crawler.storage.db import open_database; open_database(sys.argv[1])"
    started = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url], cwd=ROOT, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in started]
    assert [p.returncode for p in started] == [0] * 4, errors
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    engine.dispose()


def test_db_commands_upgrade_and_show_the_revision(db_url):
    setting = ["-s", f"DATABASE_URL={db_url}"]
    empty = scrapy("db", "current", *setting)
    assert (empty.returncode, empty.stdout.strip()) == (0, "empty (no revision)")
    first = scrapy("db", "upgrade", INITIAL_REVISION, *setting)
    assert first.returncode == 0, first.stderr
    assert f"upgraded from empty to {INITIAL_REVISION}" in first.stdout
    assert scrapy("db", "current", *setting).stdout.strip() == INITIAL_REVISION
    rest = scrapy("db", "upgrade", *setting)
    assert f"upgraded from {INITIAL_REVISION} to {head_revision()}" in rest.stdout
    assert scrapy("db", "current", *setting).stdout.strip() == f"{head_revision()} (head)"
    again = scrapy("db", "upgrade", *setting)
    assert "nothing to do" in again.stdout


def test_a_revision_unknown_to_this_crawler_fails_with_one_clear_line(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()
    result = scrapy("export", "-o", "-", "-s", f"DATABASE_URL={db_url}")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "cannot be migrated" in line and "9999" in line
    assert "Traceback" not in result.stderr
