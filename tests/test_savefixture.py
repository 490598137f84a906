"""``scrapy savefixture``: a page and its current extraction recorded as a fixture pair."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.pages import extract_article
from crawler.pages.fixtures import expected_fields, fixture_name
from tests.cli import scrapy
from tests.site import AnalysisSite

PAGES = Path(__file__).parent / "fixtures" / "pages"


def test_expected_fields_are_sorted_without_empty_values() -> None:
    html = (PAGES / "plain_byline.html").read_text(encoding="utf-8")
    page = extract_article(html, "https://example.org/a")
    fields = expected_fields(page, "https://example.org/a")
    assert list(fields) == sorted(fields)
    assert [key for key, value in fields.items() if value in (None, "", [], {})] == [
        "body_not_contains"
    ]
    assert fields["authors"] == page.authors and fields["extraction"] == page.extraction
    assert all(snippet in (page.body or "") for snippet in fields["body_contains"])
    assert "lead" not in fields and "tags" not in fields  # empty on this page


def test_fixture_names_come_from_the_last_path_segment() -> None:
    assert fixture_name("https://ex.org/2024/05/grain-debt/") == "grain_debt"
    assert fixture_name("https://ex.org/") == "ex_org"
    assert fixture_name("saved/Some Page.HTML") == "some_page"


def test_a_saved_file_becomes_a_fixture_pair(tmp_path: Path) -> None:
    url = "https://osteuropa-notizen.example/2024/10/moldau"
    result = scrapy(
        "savefixture", str(PAGES / "plain_byline.html"), "--url", url, "-d", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "plain_byline.html").read_text(encoding="utf-8")
    recorded = json.loads((tmp_path / "plain_byline.json").read_text(encoding="utf-8"))
    assert recorded == expected_fields(extract_article(html, url), url)
    assert recorded["fetched_url"] == url and recorded["authors"] == [
        "Katrin Vogel",
        "Mihai Popescu",
    ]

    again = scrapy("savefixture", str(PAGES / "plain_byline.html"), "-d", str(tmp_path))
    assert again.returncode != 0 and "exists" in again.stderr and "Traceback" not in again.stderr


def test_a_page_on_the_web_becomes_a_fixture_pair(tmp_path: Path) -> None:
    with AnalysisSite(articles=3) as site:
        article = site.articles[0]
        url = site.url(article.path)
        result = scrapy("savefixture", url, "--name", "post", "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    recorded = json.loads((tmp_path / "post.json").read_text(encoding="utf-8"))
    assert recorded["title"] == article.title
    assert recorded["fetched_url"] == url
    assert recorded["is_article"] is True
    assert article.paragraphs[0][:60] == recorded["body_contains"][0]


def test_unreachable_pages_and_missing_files_fail_with_one_line(tmp_path: Path) -> None:
    missing = scrapy("savefixture", str(tmp_path / "nope.html"), "-d", str(tmp_path))
    down = scrapy("savefixture", "http://127.0.0.1:9/x", "-d", str(tmp_path))
    for result, reason in ((missing, "no such file"), (down, "cannot fetch")):
        assert result.returncode != 0 and reason in result.stderr
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
