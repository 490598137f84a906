"""The storage spool: batches written ahead to disk until committed, replayed when left over."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.pipelines.store import StoragePipeline
from crawler.storage.db import safe_url
from crawler.storage.spool import Spool, decode, encode, replay, write_file
from crawler.storage.writer import write_batch
from tests.cli import scrapy
from tests.conftest import make_text, sql

UNREACHABLE = "postgresql+psycopg://crawler:secret@127.0.0.1:1/nothing"


@pytest.fixture
def store(db_url):
    """Batches stored as the pipeline's writer stores them, here in the test's process."""
    return partial(write_batch, db_url)


def article(i: int) -> Article:
    return Article(
        origin=f"file:///seeds/{i}.txt",
        title=f"Title {i}",
        body=make_text(i),
        authors=["Adam Malinowski", "Ewa Król"],
        published="2022-11-23",
        source_refs=[{"name": "Reuters", "url": None}],
        tags=["Russia"],
        extraction={"title": "seed"},
    )


def leftover(spool: Spool, items: list[Article]) -> Path:
    """A batch file as a run leaves it when its database refused the batch."""
    return spool.keep(items)


def count(db_url: str) -> int:
    return sql(db_url, "SELECT count(*) FROM articles")[0][0]


def test_an_item_survives_its_json_line_unchanged():
    item = article(1)
    assert decode(encode(item)) == item
    assert b"\n" not in encode(item)[:-1]
    assert "Król".encode() in encode(item)  # letters as they are


def test_a_batch_file_is_written_whole_and_locked_while_it_is_written(tmp_path):
    spool = Spool(tmp_path / "spool", "sqlite:///x")
    spooled = write_file(spool.next_path(), spool.database, [article(i) for i in range(3)])
    lines = spooled.path.read_bytes().splitlines()
    assert len(lines) == 4  # the header, then one line per item
    assert [decode(line) for line in lines[1:]] == [article(i) for i in range(3)]
    assert spool.claim(spooled.path) is None  # still being written: locked
    spooled.keep()
    claim = spool.claim(spooled.path)
    assert claim is not None and [item.title for item in claim.items()] == [
        article(i).title for i in range(3)
    ]
    claim.stored()
    assert spool.leftovers() == []


def test_replay_stores_leftovers_once_and_removes_them(db_url, store, tmp_path):
    spool = Spool(tmp_path / "spool", safe_url(db_url))
    leftover(spool, [article(i) for i in range(5)])
    leftover(spool, [article(i) for i in range(3, 8)])  # 3 and 4 twice: stored once

    done = replay(spool, store, batch_size=2)

    assert (done.files, done.items, done.error) == (2, 10, None)
    assert done.outcomes["new"] == 8
    assert count(db_url) == 8
    assert spool.leftovers() == []
    again = replay(spool, store, batch_size=2)
    assert (again.files, again.items) == (0, 0)


def test_replay_leaves_files_held_by_a_running_crawl_or_meant_for_another_database(
    db_url, store, tmp_path
):
    spool = Spool(tmp_path / "spool", safe_url(db_url))
    in_flight = write_file(spool.next_path(), spool.database, [article(1)])  # a crawl's
    other = Spool(tmp_path / "spool", "sqlite:////elsewhere.sqlite3")
    leftover(other, [article(2)])
    mine = leftover(spool, [article(3)])

    done = replay(spool, store, batch_size=10)

    assert (done.files, done.items, done.busy, done.other_database) == (1, 1, 1, 1)
    assert not mine.exists()
    assert in_flight.path.exists()
    assert len(spool.leftovers()) == 2
    in_flight.stored()


def test_a_torn_last_line_is_skipped_and_counted(db_url, store, tmp_path, caplog):
    spool = Spool(tmp_path / "spool", safe_url(db_url))
    path = leftover(spool, [article(1), article(2)])
    with path.open("ab") as file:
        file.write(encode(article(3))[:40])  # a process killed in the middle of a write

    done = replay(spool, store, batch_size=10)

    assert (done.items, done.bad_lines) == (2, 1)
    assert count(db_url) == 2
    assert f"Spool file {path}, line 4 skipped" in caplog.text


def test_replay_stops_at_a_database_that_refuses_and_keeps_the_file(tmp_path):
    spool = Spool(tmp_path / "spool", safe_url(UNREACHABLE))
    path = leftover(spool, [article(1)])

    done = replay(spool, partial(write_batch, UNREACHABLE), batch_size=10)

    assert done.items == 0
    assert done.error is not None and "secret" not in done.error
    assert spool.leftovers() == [path]
    claim = spool.claim(path)
    assert claim is not None  # not left locked
    claim.keep()


def test_the_pipeline_replays_what_an_earlier_run_left_and_leaves_nothing(db_url, tmp_path):
    spool_dir = tmp_path / "spool"
    leftover(Spool(spool_dir, safe_url(db_url)), [article(i) for i in range(4)])
    collector = MemoryStatsCollector(get_crawler())
    pipeline = StoragePipeline(db_url, spool_dir, batch_size=3, stats=collector)

    async def run() -> None:
        await pipeline.open_spider()
        assert count(db_url) == 4  # before the first item of this run
        for i in range(4, 9):
            await pipeline.process_item(article(i))
        assert list(spool_dir.glob("*.jsonl")) == []  # batches on their way are in memory
        await pipeline.close_spider()

    asyncio.run(run())
    assert count(db_url) == 9
    assert list(spool_dir.glob("*.jsonl")) == []
    assert collector.get_value("spool/replayed") == 4
    assert collector.get_value("store/new") == 9
    assert collector.get_value("run/failed") is None


def test_scrapy_db_replay_stores_the_spool(db_url, tmp_path):
    spool_dir = tmp_path / "spool"
    leftover(Spool(spool_dir, safe_url(db_url)), [article(i) for i in range(3)])
    settings = ["-s", f"DATABASE_URL={db_url}", "-s", f"STORAGE_SPOOL_DIR={spool_dir}"]

    result = scrapy("db", "replay", *settings)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Stored 3 articles from 1 spool file in {spool_dir} (new 3)")
    assert count(db_url) == 3
    assert scrapy("db", "replay", *settings).stdout.startswith("Stored 0 articles from 0 spool")


def test_scrapy_db_replay_fails_clearly_when_the_database_is_unreachable(tmp_path):
    spool_dir = tmp_path / "spool"
    leftover(Spool(spool_dir, safe_url(UNREACHABLE)), [article(1)])

    result = scrapy(
        "db", "replay", "-s", f"DATABASE_URL={UNREACHABLE}", "-s", f"STORAGE_SPOOL_DIR={spool_dir}"
    )

    assert result.returncode == 1
    assert result.stderr.startswith("db replay failed: database postgresql+psycopg://crawler:***@")
    assert "Traceback" not in result.stderr and "secret" not in result.stderr
    assert len(list(spool_dir.glob("*.jsonl"))) == 1
