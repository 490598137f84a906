"""Test fixtures from pages: the expected-fields JSON that ``tests/test_pages.py`` reads."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from crawler.pages.base import ExtractedPage

SNIPPET_CHARS = 60
"""Length of the body snippets a fixture asserts are kept."""

_SLUG = re.compile(r"[^a-z0-9]+")


def fixture_name(source: str) -> str:
    """A file-name stem for a page: the last path segment of a URL or file, as a slug."""
    url = urlsplit(source) if "://" in source else None
    path = url.path if url else source
    stem = path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    host = (url.hostname or "") if url else ""
    return _SLUG.sub("_", (stem or host).lower()).strip("_") or "page"


def expected_fields(page: ExtractedPage, fetched_url: str | None) -> dict[str, Any]:
    """The page's current extraction as expected values: sorted keys, empty values left out,
    the body as snippets of its first and last paragraph (``body_contains``) for a person to
    correct, and an empty ``body_not_contains`` to fill with boilerplate that must not leak."""
    fields = {key: value for key, value in asdict(page).items() if key != "body"}
    paragraphs = (page.body or "").split("\n\n")
    snippets = [paragraphs[0][:SNIPPET_CHARS], paragraphs[-1][-SNIPPET_CHARS:]] if page.body else []
    fields.update(
        fetched_url=fetched_url,
        body_contains=list(dict.fromkeys(snippets)),
        body_not_contains=[],
    )
    return {
        key: fields[key]
        for key in sorted(fields)
        if fields[key] not in (None, "", [], {}) or key == "body_not_contains"
    }
