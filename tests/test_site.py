"""The generated analysis site that the web-crawl tests and benchmarks run against."""

from __future__ import annotations

import http.client
import json
import re
import urllib.request
from datetime import datetime, timedelta
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from html import unescape

import pytest

from tests.site import (
    STYLES,
    WARSAW_LICENCE,
    AnalysisSite,
    Hit,
    SiteArticle,
    human_date,
    join_names,
)


class _Passthrough(urllib.request.HTTPErrorProcessor):
    """Hand back every response (304, 404, 500, redirects) instead of raising or following."""

    def http_response(self, request, response):
        return response

    https_response = http_response


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _Passthrough)


def fetch(
    site: AnalysisSite, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, Message, str]:
    request = urllib.request.Request(site.url(path), headers=headers or {}, method=method)
    with _OPENER.open(request, timeout=10) as response:
        return response.status, response.headers, response.read().decode()


def page(site: AnalysisSite, path: str) -> str:
    status, _, body = fetch(site, path)
    assert status == 200, path
    return body


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', html)]


def by_style(site: AnalysisSite, style: str) -> SiteArticle:
    return next(article for article in site.articles if article.style == style)


@pytest.fixture(scope="module")
def site():
    with AnalysisSite(12, seed=3, crawl_delay=2) as running:
        yield running


@pytest.fixture
def fresh():
    with AnalysisSite(12, seed=5) as running:
        yield running


def test_robots_txt_disallows_private_and_points_to_the_sitemap_index(site):
    status, headers, body = fetch(site, "/robots.txt")
    assert (status, headers.get_content_type()) == (200, "text/plain")
    assert body.splitlines() == [
        "User-agent: *",
        "Disallow: /private/",
        "Crawl-delay: 2",
        "",
        f"Sitemap: {site.base_url}/sitemap_index.xml",
    ]
    with AnalysisSite(2, crawl_delay=0.5) as other:
        assert "Crawl-delay: 0.5" in fetch(other, "/robots.txt")[2]
    with AnalysisSite(2) as other:
        assert "Crawl-delay" not in fetch(other, "/robots.txt")[2]


def test_home_links_newest_articles_traps_and_foreign_urls(site):
    found = set(links(page(site, "/")))
    newest = site.articles[::-1][:10]
    assert f"{newest[0].path}?utm_source=newsletter&utm_medium=email" in found
    assert f"{newest[1].path}#comments" in found
    assert {a.path for a in newest[2:]} <= found
    assert {
        "/",
        "/feed/",
        "/category/analysis/",
        "/about/",
        "/contact/",
        "/calendar/?month=2023-01",
        site.disallowed_path + "secret-report/",
        "/old-link/",
        "/broken/",
        "/files/report.pdf",
        "/loop/a",
        "file:///etc/passwd",
        "mailto:office@example.org",
        "javascript:void(0)",
        "https://other-host.example/analysis/",
        "http://127.0.0.2:1/x",
    } <= found
    tags = {f"/tag/{t.lower().replace(' ', '-')}/" for a in site.articles for t in a.tags}
    assert tags <= found
    assert len({link for link in found if link.startswith("/author/")}) == len(
        {name for a in site.articles for name in a.authors}
    )


@pytest.mark.parametrize("path", ["/", "/category/analysis/", "/about/", "/calendar/"])
def test_every_page_has_the_site_chrome(site, path):
    html = page(site, path)
    for marker in (
        '<link rel="alternate" type="application/rss+xml"',
        '<nav class="main-navigation">',
        "Related posts",
        "Popular",
        "Newsletter",
        'class="share-buttons"',
        "All texts published by the Eastern Analysis Institute",
    ):
        assert marker in html, marker


def test_article_of_each_style_carries_its_markers(site):
    for style in STYLES:
        article = by_style(site, style)
        status, headers, _ = fetch(site, article.path)
        html = page(site, article.path)
        assert (status, headers.get_content_type()) == (200, "text/html")
        assert f'<h1 class="entry-title">{article.title}</h1>' in unescape(html)
        assert all(f"<p>{p}</p>" in unescape(html) for p in article.paragraphs)
        assert ('href="/"' in html) and ("Related posts" in html)
        ld = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
        has_og = 'property="og:type"' in html
        if style == "jsonld":
            data = json.loads(ld[0])
            assert (data["@type"], data["headline"]) == ("NewsArticle", article.title)
            assert data["datePublished"] == article.published
            assert [a["name"] for a in data["author"]] == article.authors
            assert data["publisher"]["name"] == "Eastern Analysis Institute"
            assert "dateModified" not in data
            assert f'<link rel="canonical" href="{site.url(article.path)}">' in html
            assert not has_og
        elif style == "opengraph":
            assert not ld
            assert '<meta property="og:type" content="article">' in html
            assert f'"article:published_time" content="{article.published}"' in html
            assert html.count('property="article:author"') == len(article.authors)
            assert html.count('property="article:tag"') == len(article.tags)
        elif style == "plain":
            assert not ld and not has_og
            assert f'<time datetime="{article.published}">' in html
            byline = f'<span class="byline">By {join_names(article.authors)}</span>'
            assert byline in unescape(html)
            assert sum(len(p.split()) for p in article.paragraphs) >= 150
        else:
            assert not ld and not has_og
            content = unescape(html.split('<div class="entry-content">', 1)[1])
            date_line = f"<p>Date: {human_date(article.published)} Author: "
            assert content.lstrip().startswith(date_line + join_names(article.authors))
            tail = ["Support Us", "Support", WARSAW_LICENCE, f"TAGS: {', '.join(article.tags)}"]
            assert all(f"<p>{text}</p>" in content for text in tail)
            assert content.index(article.paragraphs[-1]) < content.index("<p>Related posts</p>")


def test_articles_are_realistic_distinct_and_deterministic():
    site = AnalysisSite(40, seed=1)
    articles = site.articles
    assert [a.style for a in articles[:8]] == [*STYLES, *STYLES]
    assert len({a.title for a in articles}) == len({a.path for a in articles}) == 40
    paragraphs = [p for a in articles for p in a.paragraphs]
    assert len(set(paragraphs)) == len(paragraphs)
    assert all(4 <= len(a.paragraphs) <= 8 for a in articles)
    assert all(40 <= len(p.split()) <= 120 for p in paragraphs)
    assert all(1 <= len(a.authors) <= 3 and 2 <= len(a.tags) <= 4 for a in articles)
    assert any(set("łńśżóęąříé") & set("".join(a.authors)) for a in articles)
    published = [datetime.fromisoformat(a.published) for a in articles]
    assert published == sorted(published) and len(set(published)) == 40
    for article, moment in zip(articles, published, strict=True):
        assert article.path == f"/{moment:%Y/%m/%d}/{article.slug}/"
        assert moment.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
        assert (article.modified, article.version) == (None, 1)
    assert AnalysisSite(40, seed=1).articles == articles
    assert AnalysisSite(40, seed=2).articles[0].title != articles[0].title


def test_conditional_get_answers_304_until_the_article_is_edited(fresh):
    article = fresh.articles[0]  # jsonld
    status, headers, _ = fetch(fresh, article.path)
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert (status, etag) == (200, article.etag)
    assert parsedate_to_datetime(last_modified) == datetime.fromisoformat(article.published)

    fresh.clear_hits()
    status, headers, body = fetch(fresh, article.path, {"If-None-Match": etag})
    assert (status, body, headers["ETag"]) == (304, "", etag)
    assert fetch(fresh, article.path, {"If-Modified-Since": last_modified})[0] == 304
    earlier = format_datetime(parsedate_to_datetime(last_modified) - timedelta(seconds=1), True)
    assert fetch(fresh, article.path, {"If-Modified-Since": earlier})[0] == 200
    assert fetch(fresh, article.path, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(fresh, "/", {"If-Modified-Since": last_modified})[0] == 200  # no validators
    assert [(h.status, h.conditional) for h in fresh.hits] == [
        (304, True),
        (304, True),
        (200, True),
        (200, True),
        (200, True),
    ]

    before = list(article.paragraphs)
    assert fresh.edit_article(0) is article
    assert article.version == 2 and article.modified is not None
    assert sum(old != new for old, new in zip(before, article.paragraphs, strict=True)) == 1
    status, headers, html = fetch(fresh, article.path, {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] == article.etag != etag
    assert parsedate_to_datetime(headers["Last-Modified"]) > parsedate_to_datetime(last_modified)
    assert fetch(fresh, article.path, {"If-Modified-Since": last_modified})[0] == 200
    assert all(p in unescape(html) for p in article.paragraphs)
    assert f'"dateModified": "{article.modified}"' in html
    loc = f"<loc>{fresh.url(article.path)}</loc><lastmod>{article.modified}</lastmod>"
    assert loc in page(fresh, "/post-sitemap.xml")
    assert f"<atom:updated>{article.modified}</atom:updated>" in page(fresh, "/feed/")
    assert fetch(fresh, article.path, {"If-None-Match": article.etag})[0] == 304
    edited = article.modified
    fresh.edit_article(0)  # within the same second: validators still move
    assert article.version == 3
    assert datetime.fromisoformat(article.modified) > datetime.fromisoformat(edited)
    assert fetch(fresh, article.path, {"If-Modified-Since": headers["Last-Modified"]})[0] == 200


def test_added_article_appears_on_home_category_feed_and_sitemap(fresh):
    for path in ("/", "/category/analysis/", "/feed/", "/post-sitemap.xml"):
        page(fresh, path)  # fill the caches first
    new = fresh.add_article()
    assert new is fresh.articles[-1] and len(fresh.articles) == 13
    assert new.published > fresh.articles[-2].published
    assert new.style == STYLES[12 % 4]
    assert f"{new.path}?utm_source=newsletter&utm_medium=email" in links(page(fresh, "/"))
    category = page(fresh, "/category/analysis/")
    assert category.index(new.path) < category.index(fresh.articles[-2].path)
    feed = page(fresh, "/feed/")
    assert re.findall(r"<link>(.*?)</link>", feed)[1] == fresh.url(new.path)
    pub_date = re.findall(r"<pubDate>(.*?)</pubDate>", feed)[0]
    assert parsedate_to_datetime(pub_date) == datetime.fromisoformat(new.published)
    assert f"<loc>{fresh.url(new.path)}</loc><lastmod>{new.published}</lastmod>" in page(
        fresh, "/post-sitemap.xml"
    )
    assert new.title in unescape(page(fresh, new.path))


def test_category_pages_paginate_every_article_and_end_in_404():
    with AnalysisSite(12, per_page=5) as site:
        seen, path, pages = [], "/category/analysis/", []
        while path:
            html = page(site, path)
            pages.append(path)
            seen += re.findall(r'<h2 class="entry-title"><a href="([^"]*)"', html)
            older = re.search(r'<a href="([^"]*)">Older posts</a>', html)
            path = older[1] if older else ""
        assert seen == [a.path for a in reversed(site.articles)]
        assert pages == ["/category/analysis/", *(f"/category/analysis/page/{n}/" for n in (2, 3))]
        assert '<a href="/category/analysis/page/2/">Newer posts</a>' in html
        assert fetch(site, "/category/analysis/page/4/")[0] == 404
        status, headers, _ = fetch(site, "/category/analysis/page/1/")
        assert (status, headers["Location"]) == (301, site.url("/category/analysis/"))
        tag = site.articles[0].tags[0].lower().replace(" ", "-")
        assert site.articles[0].path in page(site, f"/tag/{tag}/")
        assert fetch(site, "/tag/no-such-tag/")[0] == 404
        others = site.non_article_paths
        assert set(pages) | {"/category/analysis/page/4/", "/", "/about/", "/calendar/"} <= others
        assert f"/tag/{tag}/" in others and not others & {a.path for a in site.articles}


def test_calendar_links_forward_forever(site):
    path, month = "/calendar/?month=2023-01", (2023, 1)
    for _ in range(30):
        html = page(site, path)
        assert "<article" not in html
        year, number = month
        before = (year, number - 1) if number > 1 else (year - 1, 12)
        assert f'rel="prev" href="/calendar/?month={before[0]}-{before[1]:02d}"' in html
        path = unescape(re.search(r'rel="next" href="([^"]*)"', html)[1])
        month = (year, number + 1) if number < 12 else (year + 1, 1)
        assert path == f"/calendar/?month={month[0]}-{month[1]:02d}"
    assert month == (2025, 7)
    assert fetch(site, "/calendar/?month=2023-13")[0] == 404


def test_redirects_errors_files_and_unknown_paths(site):
    status, headers, _ = fetch(site, "/old-link/")
    assert (status, headers["Location"]) == (301, site.url(site.articles[0].path))
    status, headers, _ = fetch(site, "/sitemap.xml")
    assert (status, headers["Location"]) == (301, site.url("/sitemap_index.xml"))
    assert fetch(site, "/loop/a")[1]["Location"] == site.url("/loop/b")
    assert fetch(site, "/loop/b")[1]["Location"] == site.url("/loop/a")
    assert fetch(site, "/broken/")[0] == 500
    status, headers, body = fetch(site, "/files/report.pdf")
    assert (status, headers.get_content_type()) == (200, "application/pdf")
    assert body.startswith("%PDF-") and 1000 < len(body) < 20_000
    assert fetch(site, "/private/secret-report/")[0] == 200  # served: only robots.txt guards it
    assert fetch(site, "/no/such/page/")[0] == 404
    article = site.articles[5].path
    status, headers, _ = fetch(site, article.rstrip("/"))
    assert (status, headers["Location"]) == (301, site.url(article))
    assert fetch(site, article + "?utm_source=x")[0] == 200


def test_hits_record_each_request_with_its_target(site):
    site.clear_hits()
    fetch(site, "/calendar/?month=2023-02")
    fetch(site, site.articles[1].path, method="HEAD")
    fetch(site, "/missing/")
    assert site.hits == [
        Hit("GET", "/calendar/?month=2023-02", 200, False),
        Hit("HEAD", site.articles[1].path, 200, False),
        Hit("GET", "/missing/", 404, False),
    ]
    site.clear_hits()
    assert site.hits == []


def test_keep_alive_serves_several_requests_on_one_connection(site):
    connection = http.client.HTTPConnection(site.host, int(site.base_url.rsplit(":", 1)[1]))
    try:
        statuses = []
        for article in site.articles[:3]:
            connection.request("GET", article.path)
            response = connection.getresponse()
            assert int(response.headers["Content-Length"]) == len(response.read())
            statuses.append(response.status)
            sock = connection.sock
        assert statuses == [200, 200, 200] and connection.sock is sock
    finally:
        connection.close()


def test_sitemaps_and_feed_list_articles(site):
    index = page(site, "/sitemap_index.xml")
    assert re.findall(r"<loc>(.*?)</loc>", index) == [
        site.url("/post-sitemap.xml"),
        site.url("/page-sitemap.xml"),
    ]
    posts = page(site, "/post-sitemap.xml")
    assert re.findall(r"<loc>(.*?)</loc>", posts) == [site.url(a.path) for a in site.articles]
    assert re.findall(r"<lastmod>(.*?)</lastmod>", posts) == [a.published for a in site.articles]
    pages = page(site, "/page-sitemap.xml")
    assert re.findall(r"<loc>(.*?)</loc>", pages) == [site.url("/about/"), site.url("/contact/")]
    with AnalysisSite(25) as big:
        feed = page(big, "/feed/")
        items = re.findall(r"<item>.*?<link>(.*?)</link>", feed, re.DOTALL)
        assert items == [big.url(a.path) for a in reversed(big.articles[-20:])]


def test_five_thousand_article_site_serves_sitemap_and_articles():
    with AnalysisSite(5000, seed=7) as site:
        sitemap = page(site, "/post-sitemap.xml")
        assert sitemap.count("<loc>") == 5000
        for article in site.articles[::25]:
            assert article.title in unescape(page(site, article.path))
        assert page(site, "/feed/").count("<item>") == 20
        assert page(site, "/category/analysis/page/500/").count("<article") == 10
        assert len(site.hits) == 203
