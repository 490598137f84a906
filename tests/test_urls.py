"""URL canonicalization table."""

import pytest

from crawler.normalize.urls import canonical_url, canonicalize, is_plain_canonical


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?utm_source=x&utm_medium=y", "https://example.org/a"),
        ("HTTP://Example.ORG:80/a?b=2&a=1#frag", "http://example.org/a?a=1&b=2"),
        ("https://x.org/p?id=5&fbclid=9&gclid=1", "https://x.org/p?id=5"),
        ("https://x.org/p?PHPSESSID=abc&page=2", "https://x.org/p?page=2"),
        ("https://x.org:443/a", "https://x.org/a"),
        ("https://x.org:8443/a", "https://x.org:8443/a"),
        ("  https://x.org/a  ", "https://x.org/a"),
        ("https://x.org/path with space", "https://x.org/path%20with%20space"),
        ("file:///etc/passwd", None),
        ("mailto:a@example.org", None),
        ("javascript:void(0)", None),
        ("/relative/path", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/2024/05/01/a-slug/",
        "https://www.example.org/",
        "https://example.org/analysis/page/2/",
        "https://sub-1.example.co.uk/a/b~c/d_e.html",
        "http://example.org/a//b/",
        "http://example.org/.well-known/x",
        "http://example.org/a/..b/c.",
        "http://1.2.3.4:65535/x",
    ],
)
def test_plain_canonical_urls_are_recognized_and_kept(url):
    assert (is_plain_canonical(url), canonicalize(url)) == (True, url)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",  # no path: gets "/"
        "http://Example.org/a",
        "http://example.org:80/a",
        "https://example.org:443/a",
        "http://example.org:080/a",
        "http://example.org:0/a",
        "http://example.org:99999/a",
        "http://example.org/a/./b",
        "http://example.org/a/../b",
        "http://example.org/a/..",
        "http://example.org/%41",
        "http://example.org/a?b=1",
        "http://example.org/a?",
        "http://example.org/a#top",
        "http://user@example.org/a",
        "http://xn--bcher-kva.example/a",
        "http://example.org./a",
        "http://-example.org/a",
        "http://example.org/a b",
        "ftp://example.org/a",
    ],
)
def test_other_urls_take_the_full_canonicalization(url):
    assert not is_plain_canonical(url)
