"""The web crawl end to end: ``scrapy crawl analysis`` against a local analysis site."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cli import export, scrapy
from tests.conftest import DATABASES, sql
from tests.site import AnalysisSite, SiteArticle

FAST = ["-s", "AUTOTHROTTLE_START_DELAY=0", "-s", "ANALYSIS_MAX_PATTERN_PAGES=8"]
CRAWLED = re.compile(r"Crawled \((\d+)\) <GET (\S+)>")


def sites_file(folder: Path, site: AnalysisSite, **extra: int) -> Path:
    path = folder / "sites.toml"
    lines = ["[[site]]", 'name = "local"', f'start_urls = ["{site.base_url}/"]']
    lines += [f"{key} = {value}" for key, value in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def crawl(db_url: str, sites: Path, *args: str):
    return scrapy(
        "crawl", "analysis", "-s", f"DATABASE_URL={db_url}", "-s", f"SITES_FILE={sites}",
        "-s", "LOG_LEVEL=DEBUG", *FAST, *args,
    )  # fmt: skip


def requested(log: str) -> list[str]:
    """Every URL the crawler downloaded, from Scrapy's debug log."""
    return [url for _, url in CRAWLED.findall(log)]


def seed_export_of(article: SiteArticle) -> str:
    """The plain-text export an analyst would have saved of a site article."""
    day = article.published[:10]
    byline = " and ".join(article.authors)
    paragraphs = "\n\n".join(article.paragraphs)
    return (
        f"Date: {day} Author: {byline}\n\n{article.title}\n\n{paragraphs}\n\n"
        "Support Us\n\nAll texts published by the Warsaw Institute Foundation may be "
        "disseminated on the condition that their origin is credited.\n\nRelated posts\nTop\n"
    )


@pytest.fixture(scope="module")
def site():
    with AnalysisSite(articles=12, seed=7) as running:
        yield running


@pytest.fixture(scope="module", params=DATABASES)
def kind(request) -> str:
    """The database kind of the crawl chain below (first run, unchanged rerun, changes)."""
    return request.param


@pytest.fixture(scope="module")
def crawled_site(kind):
    """The site the crawl chain runs against: one per database kind, since it changes."""
    with AnalysisSite(articles=12, seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def first_run(crawled_site, kind, databases, tmp_path_factory):
    """A seed export of one article, then a first crawl of the site, into a database of
    each kind."""
    folder = tmp_path_factory.mktemp("web")
    db_url = databases.url(kind)
    seeds = folder / "seeds"
    seeds.mkdir()
    (seeds / "exported.txt").write_text(seed_export_of(crawled_site.articles[3]), encoding="utf-8")
    imported = scrapy("crawl", "seeds", "-a", f"path={seeds}", "-s", f"DATABASE_URL={db_url}")
    assert imported.returncode == 0, imported.stderr[-2000:]
    sites = sites_file(folder, crawled_site, max_pages=200, max_depth=4)
    crawled_site.clear_hits()
    result = crawl(db_url, sites)
    return folder, db_url, sites, result, list(crawled_site.hits)


@pytest.fixture(scope="module")
def stored(first_run) -> dict[str, dict]:
    _, db_url, _, result, _ = first_run
    assert result.returncode == 0, result.stderr[-3000:]
    return {a["title"]: a for a in export(db_url)}


def test_exactly_the_articles_are_stored(crawled_site, stored):
    assert sorted(stored) == sorted(a.title for a in crawled_site.articles)


def test_fields_of_every_markup_style(crawled_site, stored):
    for article in crawled_site.articles:
        record = stored[article.title]
        assert record["url"] == crawled_site.url(article.path), article.style
        assert record["authors"] == article.authors, article.style
        if article.style == "warsaw":  # the page only gives the day
            assert record["published"] == article.published[:10]
        else:
            assert record["published"] == article.published, article.style
        text = f"{record['lead'] or ''}\n\n{record['body']}"
        for paragraph in article.paragraphs:
            assert paragraph in text, article.style
        for junk in ("Support Us", "may be disseminated", "Newsletter", "Related posts"):
            assert junk not in text, (article.style, junk)
        assert record["language"] == "en"


def test_web_page_of_an_imported_export_is_one_more_origin(crawled_site, stored, first_run):
    folder = first_run[0]
    record = stored[crawled_site.articles[3].title]
    assert record["origins"] == [
        (folder / "seeds" / "exported.txt").resolve().as_uri(),
        crawled_site.url(crawled_site.articles[3].path),
    ]


def test_forbidden_offsite_and_non_web_urls_are_never_requested(first_run, crawled_site):
    _, _, _, result, hits = first_run
    urls = requested(result.stderr)
    assert urls, "the crawl requested nothing"
    assert all(
        urlsplit(u).scheme == "http" and urlsplit(u).hostname == crawled_site.host for u in urls
    )
    assert not [h for h in hits if h.path.startswith(crawled_site.disallowed_path)]
    assert "file:///etc/passwd" not in result.stderr
    assert "other-host.example" not in "".join(urls)


def test_the_calendar_trap_is_bounded(first_run):
    hits = first_run[4]
    calendar = [h for h in hits if h.path.startswith("/calendar/")]
    assert 0 < len(calendar) <= 8


def test_tracking_parameters_and_redirects_do_not_duplicate(first_run, crawled_site):
    hits = first_run[4]
    article_hits = [h.path for h in hits if h.path in {a.path for a in crawled_site.articles}]
    assert len(article_hits) == len(set(article_hits)) == len(crawled_site.articles)
    assert not [h for h in hits if "utm_" in h.path]


def test_failures_are_logged_once_and_counted(first_run):
    log = first_run[3].stderr
    assert len(re.findall(r"Failed \S+/broken/: HTTP 500", log)) == 1
    assert "/files/report.pdf" not in " ".join(requested(log))  # not a page: never fetched
    assert "Traceback" not in log
    [summary] = [line for line in log.splitlines() if "Run 2 (analysis) finished" in line]
    assert "new 11, updated 0, merged 1" in summary
    assert "errors 1 (http_500: 1)" in summary  # robots.txt obeyed is not an error


def test_runs_table_records_the_crawl(first_run):
    spider, status, pages, new, merged = sql(
        first_run[1], "select spider, status, pages, new, merged from runs order by id desc"
    )[0]
    assert (spider, status, new, merged) == ("analysis", "finished", 11, 1)
    assert pages > 12


@pytest.fixture(scope="module")
def second_run(first_run, crawled_site, stored):
    _folder, db_url, sites, _, _ = first_run
    crawled_site.clear_hits()
    result = crawl(db_url, sites)
    return result, list(crawled_site.hits)


LISTINGS = ("/category/", "/tag/", "/author/", "/page/")


def test_an_unchanged_rerun_fetches_no_article_in_full(second_run, crawled_site):
    result, hits = second_run
    assert result.returncode == 0, result.stderr[-2000:]
    articles = {a.path for a in crawled_site.articles}
    assert not [h for h in hits if h.path in articles and h.status == 200]
    assert "new 0, updated 0, merged 0" in result.stderr


def test_an_unchanged_rerun_follows_no_unchanged_listing_of_a_site_with_a_sitemap(
    first_run, second_run
):
    """The home page leads where it led when the first run followed its links, and the
    sitemap lists the articles: the category, tag and author pages are not read again."""
    first_hits, (_, rerun_hits) = first_run[4], second_run
    assert [h for h in first_hits if h.path.startswith(LISTINGS)]
    assert not [h for h in rerun_hits if h.path.startswith(LISTINGS)]
    assert [h for h in rerun_hits if h.path == "/"]


def test_a_stored_page_found_only_through_links_costs_a_304(tmp_path):
    with AnalysisSite(articles=6, seed=5) as site:
        db_url = f"sqlite:///{tmp_path / 'links.sqlite3'}"
        sites = sites_file(tmp_path, site, max_pages=200, max_depth=4)
        assert crawl(db_url, sites).returncode == 0
        # the sitemaps are not read now, so no lastmod spares any stored page a request
        sites.write_text(sites.read_text() + 'denied_paths = ["sitemap"]\n')
        site.clear_hits()
        result = crawl(db_url, sites)
        hits = list(site.hits)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "new 0, updated 0, merged 0" in result.stderr
    article_hits = [
        (h.status, h.conditional) for h in hits if h.path in {a.path for a in site.articles}
    ]
    assert article_hits and set(article_hits) == {(304, True)}
    # no sitemap lists the pages: unchanged listings are followed all the same
    assert [h for h in hits if h.path.startswith(LISTINGS)]


@pytest.fixture(scope="module")
def third_run(second_run, first_run, crawled_site):
    _folder, db_url, sites, _, _ = first_run
    added = crawled_site.add_article()
    edited = crawled_site.edit_article(0)
    result = crawl(db_url, sites)
    return result, added, edited


def test_a_new_article_is_stored_and_an_edited_one_revised(third_run, first_run):
    result, added, edited = third_run
    assert result.returncode == 0, result.stderr[-2000:]
    assert "new 1, updated 1" in result.stderr
    by_title = {a["title"]: a for a in export(first_run[1])}
    assert added.title in by_title
    for paragraph in edited.paragraphs:
        assert paragraph in by_title[edited.title]["body"]
    assert sql(first_run[1], "select count(*) from revisions") == [(1,)]


def test_article_spider_fetches_exactly_the_given_pages(site, tmp_path, db_url):
    listing = tmp_path / "urls.txt"
    wanted = [site.url(site.articles[1].path), site.url(site.articles[2].path) + "?utm_source=x"]
    listing.write_text(f"# to read\n{wanted[0]}\n\n{wanted[1]}\n")
    site.clear_hits()
    result = scrapy("crawl", "article", "-a", f"urls=@{listing}", "-s", f"DATABASE_URL={db_url}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert {a["title"] for a in export(db_url)} == {site.articles[1].title, site.articles[2].title}
    pages = {h.path for h in site.hits} - {"/robots.txt"}
    assert pages == {site.articles[1].path, site.articles[2].path}


def test_article_spider_skips_what_is_not_a_page(site, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'pdf.sqlite3'}"
    pdf, broken = site.url("/files/report.pdf"), site.url("/broken/")
    urls = f"urls={pdf},{broken}"
    result = scrapy("crawl", "article", "-a", urls, "-s", f"DATABASE_URL={db_url}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Skipped {pdf}: not an HTML page (application/pdf)" in result.stderr
    assert f"Failed {broken}: HTTP 500" in result.stderr
    assert "errors 1 (http_500: 1)" in result.stderr
    assert export(db_url) == []


def test_ad_hoc_start_urls(site, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'adhoc.sqlite3'}"
    result = scrapy(
        "crawl", "analysis", "-a", f"start_urls={site.base_url}/", "-s", f"DATABASE_URL={db_url}",
        *FAST,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(export(db_url)) == len(site.articles)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-a", "site=nowhere"], "no site named 'nowhere'"),
        (["-s", "SITES_FILE=/nonexistent/sites.toml"], "does not exist"),
    ],
)
def test_bad_site_selection_fails_clearly(tmp_path, args, message):
    db_url = f"sqlite:///{tmp_path / 'bad.sqlite3'}"
    result = scrapy("crawl", "analysis", "-s", f"DATABASE_URL={db_url}", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_robots_crawl_delay_is_honoured(tmp_path):
    with AnalysisSite(articles=3, seed=3, crawl_delay=0.6) as slow:
        sites = sites_file(tmp_path, slow, max_pages=6, max_depth=1)
        db_url = f"sqlite:///{tmp_path / 'slow.sqlite3'}"
        result = crawl(db_url, sites, "-s", "ANALYSIS_MAX_SITEMAPS=1")
        assert result.returncode == 0, result.stderr[-2000:]
        times = sorted(h.at for h in slow.hits if h.path != "/robots.txt")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) >= 4
    # Scrapy randomizes a delay between 0.5 and 1.5 times its value
    assert min(gaps) >= 0.6 * 0.5 - 0.05


def test_an_interrupted_crawl_resumes_from_its_jobdir(tmp_path):
    with AnalysisSite(articles=12, seed=11) as site:
        sites = sites_file(tmp_path, site, max_pages=200, max_depth=4)
        db_url = f"sqlite:///{tmp_path / 'job.sqlite3'}"
        job = ["-s", f"JOBDIR={tmp_path / 'job'}"]
        # stopped after a few articles, one page at a time (a page count would depend on how
        # fast listings are read: their links may come before the sitemaps' articles)
        slow = ["-s", "CONCURRENT_REQUESTS=1", "-s", "DOWNLOAD_DELAY=0.1"]
        slow += ["-s", "CLOSESPIDER_ITEMCOUNT=3"]
        stopped = crawl(db_url, sites, *job, *slow)
        assert stopped.returncode != 0  # an interrupted run is not a finished one
        assert "closespider_itemcount" in stopped.stderr
        partial = len(export(db_url))
        assert 0 < partial < len(site.articles)
        resumed = crawl(db_url, sites, *job)
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        titles = [a["title"] for a in export(db_url)]
    assert sorted(titles) == sorted(a.title for a in site.articles)
