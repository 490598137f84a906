"""Each pipeline on its own: the Scrapy adapters over the pure normalizers."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from crawler.items import Article
from crawler.pipelines.clean import BoilerplatePipeline
from crawler.pipelines.normalize import (
    BylinePipeline,
    DatePipeline,
    LanguagePipeline,
    UrlPipeline,
)
from crawler.pipelines.store import StoragePipeline
from crawler.pipelines.validate import ValidationPipeline
from crawler.storage.models import Article as ArticleRow
from tests.conftest import make_text, sql


def stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(get_crawler())


def test_boilerplate_pipeline_strips_footer_and_fills_tags_and_publisher():
    item = Article(
        origin="file:///a.txt",
        title="  A   title ",
        body="First paragraph.\n\nSupport Us\n\nAll texts published by the Warsaw Institute "
        "Foundation may be disseminated on the condition that their origin is credited.\n\n"
        "TAGS: NATO, Belarus\n\nRelated posts\nTop",
        tags=["Russia"],
    )
    out = BoilerplatePipeline().process_item(item)
    assert out.title == "A title"
    assert out.body == "First paragraph."
    assert out.tags == ["Russia", "NATO", "Belarus"]
    assert out.publisher == "Warsaw Institute Foundation"


def test_boilerplate_pipeline_keeps_body_paragraphs_that_start_like_a_footer():
    body = "Support for the ruling party fell to 30%.\n\nRelated talks stalled in Minsk."
    out = BoilerplatePipeline().process_item(Article(origin="o", title="t", body=body))
    assert out.body == body


def test_boilerplate_pipeline_moves_a_lone_lead_into_the_body():
    out = BoilerplatePipeline().process_item(
        Article(origin="o", title="t", lead="The only paragraph.", body="Related posts\nTop")
    )
    assert (out.lead, out.body) == (None, "The only paragraph.")


def test_date_pipeline_normalizes_and_drops_bad_dates_with_a_count():
    collector = stats()
    pipeline = DatePipeline(collector)
    ok = pipeline.process_item(Article(origin="o", published="23 listopada 2022"))
    assert ok.published == "2022-11-23"
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%d %B %Y")
    bad = pipeline.process_item(Article(origin="o", published=future, modified="garbage"))
    assert (bad.published, bad.modified) == (None, None)
    assert collector.get_value("dates/future") == 1
    assert collector.get_value("dates/unparseable") == 1


def test_date_pipeline_applies_the_default_time_zone():
    item = DatePipeline(default_tz="Europe/Warsaw").process_item(
        Article(origin="o", published="2022-11-23 10:15")
    )
    assert item.published == "2022-11-23T10:15:00+01:00"


def test_byline_url_and_language_pipelines():
    item = Article(
        origin="o",
        authors=["By Prof. Adam Malinowski, Head of Programme", "ŁUKASZ WRÓBLEWSKI"],
        url="https://example.org/a?utm_source=feed#top",
        body="Rząd ogłosił nowy pakiet sankcji wobec rosyjskich spółek energetycznych.",
    )
    for pipeline in (BylinePipeline(), UrlPipeline(), LanguagePipeline()):
        item = pipeline.process_item(item)
    assert item.authors == ["Adam Malinowski", "Łukasz Wróblewski"]
    assert item.url == "https://example.org/a"
    assert item.language == "pl"


def test_byline_pipeline_leaves_a_pages_authors_as_its_extraction_cleaned_them():
    # an organisation kept as author when no person is named is no raw byline to clean
    page = Article(origin="o", authors=["Friends of the Archive"], extraction={"authors": "jsonld"})
    raw = Article(origin="o", authors=["Friends of the Archive"])
    assert BylinePipeline().process_item(page).authors == ["Friends of the Archive"]
    assert BylinePipeline().process_item(raw).authors == []


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"title": None, "body": "text"}, "no_title"), ({"title": "t", "body": ""}, "no_body")],
)
def test_validation_rejects_with_a_reason(fields, reason):
    collector = stats()
    with pytest.raises(DropItem, match=reason.replace("_", " ")):
        ValidationPipeline(collector).process_item(Article(origin="o", **fields))
    assert collector.get_value(f"rejected/{reason}") == 1


def test_storage_pipeline_writes_in_batches_and_on_close(db_url, sessions, tmp_path):
    collector = stats()
    pipeline = StoragePipeline(db_url, tmp_path / "spool", batch_size=3, stats=collector)

    async def run() -> None:
        await pipeline.open_spider()
        for i in range(7):
            await pipeline.process_item(
                Article(origin=f"file:///{i}.txt", title=f"T{i}", body=make_text(i))
            )
        assert len(pipeline.pending) == 1  # two batches of three written, one item waiting
        await pipeline.close_spider()

    asyncio.run(run())
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == 7
    assert collector.get_value("store/new") == 7


def test_storage_pipeline_holds_items_back_while_the_writer_is_behind(tmp_path):
    """One batch waits for the writer while the next fills; later items wait in process_item,
    where a spider's backpressure counts them, so a writer slower than the pipelines does not
    make memory grow."""
    database = tmp_path / "slow.sqlite3"
    pipeline = StoragePipeline(f"sqlite:///{database}", tmp_path / "spool", 10, use_process=False)

    async def run() -> None:
        await pipeline.open_spider()
        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the writer waits for this transaction
        items = [
            Article(origin=f"file:///{i}.txt", title=f"T{i}", body=make_text(i)) for i in range(100)
        ]
        tasks = [asyncio.create_task(pipeline.process_item(item)) for item in items]
        await asyncio.sleep(0.5)
        assert sum(task.done() for task in tasks) == 18  # each batch's last item waits for it
        assert len(pipeline.pending) == 10
        blocker.rollback()
        blocker.close()
        await asyncio.gather(*tasks)
        await pipeline.close_spider()

    asyncio.run(run())
    assert sql(f"sqlite:///{database}", "SELECT count(*) FROM articles") == [(100,)]
