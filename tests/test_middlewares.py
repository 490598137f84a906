"""Downloader middlewares and the stats collector, with Scrapy's own objects."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import REFRESH_SCAN_BYTES, QuickMetaRefreshMiddleware, may_refresh
from crawler.stats import StatsCollector

REFRESH = '<meta http-equiv="Refresh" content="0; url=/moved/">'


def page(head: str = "", filler: int = 0, encoding: str = "utf-8") -> bytes:
    html = f"<html><head>{head}</head><body>{'x' * filler}<p>Text</p></body></html>"
    return html.encode(encoding)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (page(), False),
        (page(REFRESH), True),
        (page(REFRESH.upper()), True),
        (page(REFRESH, encoding="utf-16"), True),  # spelled with NUL bytes: Scrapy decides
        (page(filler=REFRESH_SCAN_BYTES) + REFRESH.encode(), False),  # past Scrapy's 4,096
        (page("<title>Zażółć</title>" + REFRESH), True),
    ],
)
def test_may_refresh(body, expected):
    assert may_refresh(body) is expected


@pytest.fixture
def refresh_middleware():
    return QuickMetaRefreshMiddleware.from_crawler(get_crawler())


def test_a_meta_refresh_is_followed(refresh_middleware):
    request = Request("https://example.org/old/")
    response = HtmlResponse(request.url, body=page(REFRESH), request=request)
    redirected = refresh_middleware.process_response(request, response)
    assert isinstance(redirected, Request)
    assert redirected.url == "https://example.org/moved/"


def test_a_page_without_one_passes_through(refresh_middleware):
    request = Request("https://example.org/article/")
    response = HtmlResponse(request.url, body=page(), request=request)
    assert refresh_middleware.process_response(request, response) is response


def test_stats_collector_counts_as_scrapys_does():
    stats = StatsCollector(get_crawler())
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("largest", 5)
    stats.max_value("largest", 3)
    stats.set_value("reason", "finished")
    assert stats.get_stats() == {"pages": 3, "largest": 5, "reason": "finished"}
