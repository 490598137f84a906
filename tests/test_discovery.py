"""Discovery rules, feeds, sitemaps and site profiles: pure, table-tested."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.discovery import (
    PatternGuard,
    XmlDocumentError,
    link_verdict,
    links_digest,
    parse_feed,
    parse_lastmod,
    parse_sitemap,
    url_shape,
)
from crawler.sites import SiteConfigError, ad_hoc_profiles, load_sites, make_profile

SITE = make_profile(
    "example",
    ["https://www.example.org/"],
    denied_paths=[r"^/private/", r"[?&]s="],
)


@pytest.mark.parametrize(
    ("url", "verdict"),
    [
        ("https://www.example.org/2023/03/02/article/", None),
        ("https://example.org/analysis/", None),
        ("http://example.org/analysis/", None),
        ("https://other.example/analysis/", "offsite"),
        ("https://sub.example.org/analysis/", "offsite"),
        ("file:///etc/passwd", "scheme"),
        ("mailto:office@example.org", "scheme"),
        ("javascript:void(0)", "scheme"),
        ("https://example.org/private/report/", "denied"),
        ("https://example.org/?s=russia", "denied"),
        ("https://example.org/files/report.pdf", "extension"),
        ("https://example.org/img/map.JPG", "extension"),
        ("https://example.org/calendar/" + "a" * 2048, "too_long"),
    ],
)
def test_link_verdict(url, verdict):
    assert link_verdict(url, SITE) == verdict


def test_allowed_paths_restrict_what_is_followed():
    site = make_profile("s", ["https://example.org/"], allowed_paths=[r"^/analysis/"])
    assert link_verdict("https://example.org/analysis/x/", site) is None
    assert link_verdict("https://example.org/shop/x/", site) == "not_allowed"


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("https://e.org/calendar/?month=2023-01", "/calendar/?month"),
        ("https://e.org/calendar/?month=2031-12", "/calendar/?month"),
        ("https://e.org/category/analysis/page/7/", "/category/analysis/page/N/"),
        ("https://e.org/2023/03/02/belarus-troops/", "/N/N/N/belarus-troops/"),
        ("https://e.org/search?q=a&page=2", "/search?page&q"),
    ],
)
def test_url_shape(url, shape):
    assert url_shape(url) == shape


def test_pattern_guard_bounds_an_endless_calendar_but_not_articles():
    guard = PatternGuard(limit=5)
    months = [guard.admit(f"https://e.org/calendar/?month=2023-{m:02d}") for m in range(1, 13)]
    assert months == [True] * 5 + [False] * 7
    assert all(guard.admit(f"https://e.org/2023/01/01/article-{i}/") for i in range(50))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-02", datetime(2023, 3, 2, tzinfo=UTC)),
        ("2023-03-02T09:30:00+01:00", datetime(2023, 3, 2, 8, 30, tzinfo=UTC)),
        ("Thu, 02 Mar 2023 09:30:00 GMT", datetime(2023, 3, 2, 9, 30, tzinfo=UTC)),
        ("not a date", None),
        (None, None),
    ],
)
def test_parse_lastmod(text, expected):
    assert parse_lastmod(text) == expected


SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://example.org/post-sitemap.xml</loc><lastmod>2023-03-02</lastmod></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://example.org/a/</loc><lastmod>2023-03-02T10:00:00+00:00</lastmod></url>
<url><loc>https://example.org/b/</loc></url>
</urlset>"""


def test_parse_sitemap_index_and_urlset():
    kind, entries = parse_sitemap(SITEMAP_INDEX)
    assert kind == "sitemapindex"
    assert [e.url for e in entries] == ["https://example.org/post-sitemap.xml"]
    kind, entries = parse_sitemap(URLSET)
    assert kind == "urlset"
    assert entries[0].modified == datetime(2023, 3, 2, 10, tzinfo=UTC)
    assert (entries[1].url, entries[1].modified) == ("https://example.org/b/", None)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>not a sitemap</body></html>",
    ],
)
def test_unreadable_sitemaps_raise_a_clear_error(body):
    with pytest.raises(XmlDocumentError):
        parse_sitemap(body)


def test_entities_in_sitemaps_are_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "https://evil.example/">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>&a;</loc></url><url><loc>https://example.org/ok/</loc></url></urlset>"
    )
    _, entries = parse_sitemap(bomb)
    assert "https://evil.example/" not in [e.url for e in entries]


RSS = b"""<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>Analyses</title>
<item><title>A</title><link>https://example.org/a/</link>
<pubDate>Thu, 02 Mar 2023 09:30:00 +0100</pubDate></item>
<item><title>B</title><link>https://example.org/b/</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><link rel="self" href="https://example.org/a.atom"/>
<link rel="alternate" href="https://example.org/a/"/>
<published>2023-03-01T09:00:00Z</published><updated>2023-03-05T09:00:00Z</updated></entry>
</feed>"""


def test_parse_rss_and_atom():
    rss = parse_feed(RSS)
    assert [e.url for e in rss] == ["https://example.org/a/", "https://example.org/b/"]
    assert rss[0].modified == datetime(2023, 3, 2, 8, 30, tzinfo=UTC)
    [atom] = parse_feed(ATOM)
    assert atom.url == "https://example.org/a/"
    assert atom.modified == datetime(2023, 3, 5, 9, tzinfo=UTC)  # the latest date given


@pytest.mark.parametrize("body", [b"", b"garbage <<<", b"<html><p>page</p></html>"])
def test_unreadable_feeds_raise_a_clear_error(body):
    with pytest.raises(XmlDocumentError):
        parse_feed(body)


def test_shipped_sites_file_lists_the_seed_publisher():
    [site] = load_sites(Path(__file__).parent.parent / "seeds" / "sites.toml")
    assert site.name == "warsawinstitute"
    assert site.hosts == {"warsawinstitute.org", "www.warsawinstitute.org"}
    assert site.sitemaps and site.feeds


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[site]]\nname = "a"\n', "no start_urls"),
        ('[[site]]\nname = "a"\nstart_urls = ["ftp://x.org/"]\n', "is not an http"),
        ('[[site]]\nname = "a"\nstart_urls = ["https://x.org/"]\ncolour = 1\n', "unknown keys"),
        ('[[site]]\nname = "a"\nstart_urls = ["https://x.org/"]\ndenied_paths = ["("]\n', "bad"),
        ("[[site]\n", "cannot be read"),
    ],
)
def test_bad_sites_files_are_reported_clearly(tmp_path, toml, message):
    path = tmp_path / "sites.toml"
    path.write_text(toml)
    with pytest.raises(SiteConfigError, match=message):
        load_sites(path)


def test_ad_hoc_profiles_group_urls_by_host():
    profiles = ad_hoc_profiles("https://a.org/, https://a.org/analysis/,https://b.org/")
    assert [(p.name, p.start_urls) for p in profiles] == [
        ("a.org", ("https://a.org/", "https://a.org/analysis/")),
        ("b.org", ("https://b.org/",)),
    ]


def test_page_links_are_canonical_on_site_and_once_each():
    from crawler.pages.links import page_links

    html = """<html><head><base href="/analysis/">
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    <link rel="stylesheet" href="/style.css"></head><body>
    <a href="one/?utm_source=x#top">1</a> <a href="/analysis/one/">1 again</a>
    <a href="https://www.example.org/two/">2</a> <a href="https://other.example/three/">3</a>
    <a href="mailto:a@example.org">m</a> <a href="javascript:void(0)">j</a>
    <a href="file:///etc/passwd">f</a> <a href="#comments">c</a>
    <map><area href="/four/"></map></body></html>"""
    links, feeds = page_links(html, "https://example.org/page/", SITE.hosts)
    assert links == [
        "https://example.org/analysis/one/",
        "https://www.example.org/two/",
        "https://example.org/four/",
    ]
    assert feeds == ["https://example.org/feed/"]
    assert page_links("", "https://example.org/", SITE.hosts) == ([], [])


def test_links_digest_is_of_the_set_of_links():
    links = ["https://a.example/1/", "https://a.example/tag/x/", "https://a.example/2/"]
    assert links_digest(links) == links_digest([*reversed(links), links[0]])
    assert links_digest(links) != links_digest([*links, "https://a.example/3/"])
    assert links_digest(links) != links_digest(links[:2])
    assert len(links_digest([])) == 32
