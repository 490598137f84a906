"""Concurrent writers, as real processes on one database: no duplicate, no lost row."""

from __future__ import annotations

import multiprocessing
import re
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.items import Article
from crawler.storage.concurrency import is_retryable, write_transaction
from crawler.storage.db import DatabaseError, open_database
from crawler.storage.models import Author
from crawler.storage.repository import store_batch
from tests.cli import export, finish, start_scrapy
from tests.conftest import make_text, sql
from tests.site import AnalysisSite, SiteArticle

AUTHORS = ["Adam Malinowski", "Ewa Król", "Anna Nowak", "Piotr Zieliński", "Olena Kovalenko"]
SUMMARY = re.compile(r"Run \d+ \((\w+)\) finished: .*?new (\d+), updated (\d+), merged (\d+)")


def export_text(doc: int, body: str | None = None) -> str:
    """A seed export of document ``doc`` (no footer: every import cleans it the same)."""
    paragraphs = (body or make_text(doc, paragraphs=5)).split("\n\n")
    byline = " and ".join(dict.fromkeys([AUTHORS[doc % 5], AUTHORS[doc * 3 % 5]]))
    return (
        f"Date: 2023-{doc % 12 + 1:02d}-{doc % 28 + 1:02d} Author: {byline}\n\n"
        f"Concurrent analysis {doc}\n\n" + "\n\n".join(paragraphs) + "\n"
    )


def edited(text: str, every: int = 25) -> str:
    words = text.split(" ")
    return " ".join("edited" if i % every == 0 else w for i, w in enumerate(words))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> Path:
    """shared/: documents 0-59; a/: 60-99 and exact copies of 0-19; b/: near copies of 20-29.

    One import reads everything, the other only shared/: the same files, copies and near
    copies of what the other process is storing at that moment."""
    root = tmp_path_factory.mktemp("concurrent")
    for folder in ("shared", "a/copies", "b/drafts"):
        (root / folder).mkdir(parents=True)
    for doc in range(60):
        (root / "shared" / f"{doc:03d}.txt").write_text(export_text(doc), encoding="utf-8")
    for doc in range(60, 100):
        (root / "a" / f"{doc:03d}.txt").write_text(export_text(doc), encoding="utf-8")
    for doc in range(20):
        (root / "a" / "copies" / f"{doc:03d}.txt").write_text(export_text(doc), encoding="utf-8")
    for doc in range(20, 30):
        near = edited(make_text(doc, paragraphs=5))
        (root / "b" / "drafts" / f"{doc:03d}.txt").write_text(export_text(doc, near), "utf-8")
    return root


def crawl_both(db_url: str, first: list[str], second: list[str]) -> list[str]:
    """Start two crawls at once on one database; return their logs once both succeeded."""
    settings = ["-s", f"DATABASE_URL={db_url}", "-s", "STORAGE_BATCH_SIZE=5"]
    started = [start_scrapy("crawl", *first, *settings), start_scrapy("crawl", *second, *settings)]
    results = [finish(p) for p in started]
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Traceback" not in result.stderr
    return [r.stderr for r in results]


def assert_no_duplicates(db_url: str) -> None:
    assert sql(db_url, "select name from authors group by name having count(*) > 1") == []
    assert sql(db_url, "select uri from origins group by uri having count(*) > 1") == []
    hashes = "select content_hash from articles group by content_hash having count(*) > 1"
    assert sql(db_url, hashes) == []


def test_two_seed_imports_of_overlapping_folders(folders, db_url):
    logs = crawl_both(
        db_url, ["seeds", "-a", f"path={folders}"], ["seeds", "-a", f"path={folders / 'shared'}"]
    )
    files = sorted(p.as_uri() for p in folders.rglob("*.txt"))
    assert sql(db_url, "select count(*) from articles") == [(100,)]  # the unique documents
    assert sorted(uri for (uri,) in sql(db_url, "select uri from origins")) == files
    assert_no_duplicates(db_url)
    assert sorted(name for (name,) in sql(db_url, "select name from authors")) == sorted(AUTHORS)
    by_title = {a["title"]: a for a in export(db_url)}
    for doc in range(30):
        origins = by_title[f"Concurrent analysis {doc}"]["origins"]
        assert len(origins) == 2 and (folders / "shared" / f"{doc:03d}.txt").as_uri() in origins
    # each document was new exactly once, in one process or the other
    new = sum(int(m[1]) for log in logs for m in SUMMARY.findall(log))
    assert new == 100


def seed_export_of(article: SiteArticle) -> str:
    byline = " and ".join(article.authors)
    body = "\n\n".join(article.paragraphs)
    return f"Date: {article.published[:10]} Author: {byline}\n\n{article.title}\n\n{body}\n"


def test_a_seed_import_during_a_web_crawl(db_url, tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    with AnalysisSite(articles=12, seed=11) as site:
        for i, article in enumerate(site.articles):
            (seeds / f"{i:02d}.txt").write_text(seed_export_of(article), encoding="utf-8")
        sites = tmp_path / "sites.toml"
        sites.write_text(
            f'[[site]]\nname = "local"\nstart_urls = ["{site.base_url}/"]\nmax_depth = 4\n'
        )
        web = ["analysis", "-s", f"SITES_FILE={sites}", "-s", "AUTOTHROTTLE_START_DELAY=0"]
        crawl_both(db_url, web, ["seeds", "-a", f"path={seeds}"])
        urls = {site.url(a.path) for a in site.articles}
        by_title = {a.title: a for a in site.articles}
    stored = export(db_url)
    assert sorted(a["title"] for a in stored) == sorted(by_title)  # one article each
    for record in stored:
        web_origins = [o for o in record["origins"] if o.startswith("http")]
        assert len(web_origins) == 1 and web_origins[0] in urls, record["origins"]
        assert len(record["origins"]) == 2  # its web page and its seed file
    assert_no_duplicates(db_url)


def test_conflicts_are_retryable_other_errors_are_not(db_url):
    open_database(db_url).kw["bind"].dispose()  # the schema
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(insert(Author), [{"name": "Ewa Król"}])
    with pytest.raises(IntegrityError) as duplicate, engine.begin() as connection:
        connection.execute(insert(Author), [{"name": "Ewa Król"}])
    assert is_retryable(duplicate.value)
    with pytest.raises(IntegrityError) as missing, engine.begin() as connection:
        connection.execute(text("insert into authors (name) values (null)"))
    assert not is_retryable(missing.value)
    engine.dispose()


def test_a_batch_that_loses_a_race_is_retried_whole(databases):
    """PostgreSQL (on SQLite, BEGIN IMMEDIATE leaves no other writer a moment to race): another
    writer that does not take turns (an older crawler, a script) stores the same article between
    this batch's reads and writes; a unique key stops the duplicate, and the retried batch finds
    what the other stored."""
    db_url = databases.url("postgresql")
    sessions = open_database(db_url)
    item = Article(origin="file:///raced.txt", title="Raced", body=make_text(7))
    other = create_engine(db_url)
    raced: list[str] = []

    @event.listens_for(sessions.kw["bind"], "before_cursor_execute")
    def race(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("INSERT INTO articles") and not raced:  # the batch's 1st write
            raced.append(statement)
            with Session(other) as session, session.begin():  # commits before this batch writes
                store_batch(session, [item], datetime.now(UTC))

    result = write_transaction(sessions, lambda s: store_batch(s, [item], datetime.now(UTC)))
    other.dispose()
    sessions.kw["bind"].dispose()
    assert raced  # the race happened
    assert result.outcomes == ["unchanged"]  # the retry saw the other writer's rows
    assert sql(db_url, "select count(*) from articles") == [(1,)]
    assert sql(db_url, "select count(*) from origins") == [(1,)]


def _open_at(url: str, start_at: float) -> str | None:
    """Open ``url`` (in a worker process) at ``start_at``; the error, or None."""
    while time.time() < start_at:
        pass
    try:
        open_database(url).kw["bind"].dispose()
    except DatabaseError as exc:
        return str(exc)
    return None


def test_processes_opening_a_new_sqlite_database_at_once_all_succeed(tmp_path):
    # Both switch the new file to WAL; SQLite refuses the loser at once, without waiting.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        errors = []
        for attempt in range(25):
            url = f"sqlite:///{tmp_path / f'{attempt}.sqlite3'}"
            start_at = time.time() + 0.05
            calls = [pool.submit(_open_at, url, start_at) for _ in range(2)]
            errors += [error for call in calls if (error := call.result()) is not None]
    assert errors == []
