"""URL canonicalization table."""

import pytest

from crawler.normalize.urls import canonical_url


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
