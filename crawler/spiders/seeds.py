"""The seeds spider: imports a folder of text exports and saved pages as articles."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from w3lib.encoding import html_to_unicode

from crawler.items import Article
from crawler.normalize.boilerplate import RepeatedBlocks
from crawler.pages import extract_article
from crawler.rejects import reject
from crawler.seedfiles import SeedFileError, decode_text, parse_seed

TEXT_SUFFIXES = frozenset({".txt"})
PAGE_SUFFIXES = frozenset({".html", ".htm"})
CHUNK = 256
"""Files read and parsed per worker-thread call."""


def iter_seed_files(root: Path) -> Iterator[Path]:
    """Yield the text exports and saved pages under ``root`` (or ``root`` itself), sorted."""
    if root.is_file():
        yield root
        return
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            path = Path(directory, name)
            if path.suffix.lower() in TEXT_SUFFIXES | PAGE_SUFFIXES:
                yield path


def read_seed_file(path: Path, max_size: int) -> Article:
    """Read one seed file into a raw Article; raises SeedFileError with a reason."""
    try:
        size = path.stat().st_size
        if size > max_size:
            raise SeedFileError("too_large", f"{size} bytes is over the {max_size}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise SeedFileError("unreadable", exc.strerror or str(exc)) from None
    origin, group = path.resolve().as_uri(), str(path.parent)
    if path.suffix.lower() in PAGE_SUFFIXES:
        return _page_article(data, origin, group)
    doc = parse_seed(decode_text(data))
    return Article(
        origin=origin,
        title=doc.title,
        lead=doc.lead,
        body="\n\n".join(doc.paragraphs),
        authors=[doc.byline] if doc.byline else [],
        published=doc.date,
        source_refs=[{"name": ref.name, "url": ref.url} for ref in doc.source_refs],
        group=group,
    )


def _page_article(data: bytes, origin: str, group: str) -> Article:
    if not data.strip():
        raise SeedFileError("empty", "empty file")
    _, html = html_to_unicode(None, data)
    page = extract_article(html)
    if not page.is_article:
        raise SeedFileError("not_an_article", "saved page holds no article")
    url = page.url if page.url and page.url.startswith(("http://", "https://")) else None
    return Article(
        origin=origin,
        url=url,
        title=page.title,
        lead=page.lead,
        body=page.body,
        authors=list(page.authors),
        published=page.published,
        modified=page.modified,
        publisher=page.publisher,
        tags=list(page.tags),
        language=page.language,
        group=group,
        extraction=dict(page.extraction),
    )


def _learning_paragraphs(path: Path, max_size: int) -> tuple[str, Sequence[str]] | None:
    if path.suffix.lower() not in TEXT_SUFFIXES:
        return None
    try:
        article = read_seed_file(path, max_size)
    except SeedFileError:
        return None
    return article.group or "", (article.body or "").split("\n\n")


class SeedsSpider(Spider):
    """Imports every ``.txt`` export and saved ``.html``/``.htm`` page under a path.

    Usage: ``scrapy crawl seeds [-a path=DIR_OR_FILE]``. Settings: ``SEEDS_PATH`` (default
    folder), ``SEEDS_MAX_FILE_SIZE`` (bytes), ``SEEDS_BOILERPLATE_MIN_DOCUMENTS``. Files are read
    twice: a first pass learns the blocks repeated across each folder's documents (footers of
    publishers not known in advance), the second yields one item per file.
    """

    name = "seeds"
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 - Scrapy's API

    def __init__(self, path: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.boilerplate: RepeatedBlocks | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SeedsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.path = spider.path or settings["SEEDS_PATH"]
        spider.max_size = settings.getint("SEEDS_MAX_FILE_SIZE")
        spider.min_documents = settings.getint("SEEDS_BOILERPLATE_MIN_DOCUMENTS", 5)
        spider.max_pending = 4 * settings.getint("STORAGE_BATCH_SIZE", 500)
        return spider

    async def start(self) -> AsyncIterator[Article]:
        root = Path(self.path).expanduser()
        if not root.exists():
            self.logger.error("Seed path %s does not exist", root)
            self.crawler.stats.set_value("run/failed", "seed path not found")
            raise CloseSpider("path_not_found")
        files = await asyncio.to_thread(lambda: list(iter_seed_files(root)))
        self.crawler.stats.set_value("seeds/files", len(files))
        self.boilerplate = RepeatedBlocks(min_documents=self.min_documents)
        for start in range(0, len(files), CHUNK):
            await asyncio.to_thread(self._learn, files[start : start + CHUNK])
        for start in range(0, len(files), CHUNK):
            for path, result in await asyncio.to_thread(self._read, files[start : start + CHUNK]):
                if isinstance(result, SeedFileError):
                    reject(self.crawler.stats, path.resolve().as_uri(), result.reason, str(result))
                else:
                    yield result
            await self._wait_for_pipelines()

    def _learn(self, paths: Sequence[Path]) -> None:
        assert self.boilerplate is not None
        for path in paths:
            learned = _learning_paragraphs(path, self.max_size)
            if learned:
                self.boilerplate.add(*learned)

    def _read(self, paths: Sequence[Path]) -> list[tuple[Path, Article | SeedFileError]]:
        results: list[tuple[Path, Article | SeedFileError]] = []
        for path in paths:
            try:
                results.append((path, read_seed_file(path, self.max_size)))
            except SeedFileError as exc:
                results.append((path, exc))
        return results

    async def _wait_for_pipelines(self) -> None:
        """Hold back while too many items are in the pipelines (bounded memory)."""
        slot = self.crawler.engine.scraper.slot if self.crawler.engine else None
        while slot is not None and slot.itemproc_size > self.max_pending:
            await asyncio.sleep(0.005)
