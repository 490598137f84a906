"""URL canonicalization: one form per page, for scheduling and for storage."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"ref_src|ref_url|share|from|cmpid|sessionid|sid|phpsessid|jsessionid)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PLAIN = re.compile(
    r"(?P<scheme>https?)://[a-z0-9]+(?:[.-][a-z0-9]+)*(?::(?P<port>[1-9][0-9]{0,4}))?"
    r"(?:/(?!\.\.?(?:/|$))[A-Za-z0-9._~-]*)+"
)
"""An http(s) URL with a lower-case ASCII host, a path of unreserved characters without
``.``/``..`` segments, and no user, query or fragment."""
CACHED_URLS = 16384
"""canonical_url's results kept: navigation links repeat on every page of a site, and a page's
URL is canonicalized as a link, as an origin and as the item's ``url``."""


@lru_cache(maxsize=CACHED_URLS)
def canonical_url(url: str | None) -> str | None:
    """Return the canonical form of an http(s) URL, or None for anything else.

    Tracking and session parameters and the fragment are dropped, the remaining query
    sorted, the scheme and host lower-cased, the default port removed.
    """
    if not url:
        return None
    url = url.strip()
    return url if is_plain_canonical(url) else canonicalize(url)


def is_plain_canonical(url: str) -> bool:
    """Whether ``url`` is canonical as it is, told by its shape alone (most sitemap and link
    URLs are): ``canonicalize`` would return it unchanged, at many times the cost."""
    match = _PLAIN.fullmatch(url)
    if match is None:
        return False
    port = match["port"]
    return port is None or (int(port) != _DEFAULT_PORTS[match["scheme"]] and int(port) <= 65535)


def canonicalize(url: str) -> str | None:
    """``canonical_url`` for any URL: parsed, cleaned and put back together."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    params = [k for k in _query_keys(parts.query) if not _TRACKING.match(k)]
    cleaned = url_query_cleaner(url, params, keep_fragments=False) if parts.query else url
    canonical = canonicalize_url(cleaned, keep_fragments=False)
    parts = urlsplit(canonical)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    default = _DEFAULT_PORTS[scheme]
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    return parts._replace(scheme=scheme, netloc=netloc).geturl()


def _query_keys(query: str) -> list[str]:
    return list(dict.fromkeys(p.split("=", 1)[0] for p in query.split("&") if p))
