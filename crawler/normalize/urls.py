"""URL canonicalization: one form per page, for scheduling and for storage."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|"
    r"ref_src|ref_url|share|from|cmpid|sessionid|sid|phpsessid|jsessionid)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str | None) -> str | None:
    """Return the canonical form of an http(s) URL, or None for anything else.

    Tracking and session parameters and the fragment are dropped, the remaining query
    sorted, the scheme and host lower-cased, the default port removed.
    """
    if not url:
        return None
    url = url.strip()
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
