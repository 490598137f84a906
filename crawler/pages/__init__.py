"""Page extraction: pure functions from (html, url) to raw article fields; no Scrapy import.

The names below are imported on first use: a crawl's reactor process imports this package (to
receive the pages its workers read) without reading pages itself, so it never loads trafilatura.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.pages.base import ExtractedPage
    from crawler.pages.generic import extract_article
    from crawler.pages.language import detect_language

__all__ = ["ExtractedPage", "detect_language", "extract_article"]
_MODULES = {
    "ExtractedPage": "crawler.pages.base",
    "detect_language": "crawler.pages.language",
    "extract_article": "crawler.pages.generic",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_MODULES[name]), name)
