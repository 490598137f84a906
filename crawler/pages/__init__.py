"""Page extraction: pure functions from (html, url) to raw article fields; no Scrapy import."""

from crawler.pages.base import ExtractedPage
from crawler.pages.generic import extract_article
from crawler.pages.language import detect_language

__all__ = ["ExtractedPage", "detect_language", "extract_article"]
