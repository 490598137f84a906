"""``scrapy savefixture URL_OR_FILE``: record a page as an extraction test fixture."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.pages.fixtures import fixture_name

FETCH_TIMEOUT = 30


def fetch(url: str, user_agent: str, max_bytes: int) -> bytes:
    """Download one page (a one-off, outside any crawl); UsageError with the reason on failure."""
    request = Request(url, headers={"User-Agent": user_agent})
    try:
        with urlopen(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(max_bytes + 1)
    except (URLError, OSError, ValueError) as exc:
        raise UsageError(f"cannot fetch {url}: {getattr(exc, 'reason', exc)}") from None
    if len(body) > max_bytes:
        raise UsageError(f"cannot fetch {url}: larger than DOWNLOAD_MAXSIZE ({max_bytes} bytes)")
    return body


class Command(ScrapyCommand):
    """Save a page and its current extraction as ``NAME.html`` + ``NAME.json`` fixtures."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "URL_OR_FILE [--url URL] [--name NAME] [-d DIR] [--force]"

    def short_desc(self) -> str:
        return "Record a page as an extraction test fixture (page + expected JSON to correct)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="the page's web address, for a saved file")
        parser.add_argument("--name", help="fixture file stem (default: from the URL or file)")
        parser.add_argument("-d", "--dir", default="tests/fixtures/pages", help="fixture folder")
        parser.add_argument("--force", action="store_true", help="overwrite an existing fixture")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if len(args) != 1:
            raise UsageError("give one URL or file")
        source = args[0]
        if source.startswith(("http://", "https://")):
            page_url: str | None = source
            raw = fetch(
                source, self.settings["USER_AGENT"], self.settings.getint("DOWNLOAD_MAXSIZE")
            )
        else:
            path = Path(source)
            if not path.is_file():
                raise UsageError(f"no such file: {source}")
            page_url, raw = opts.url, path.read_bytes()
        # here, not at the top: every scrapy command imports this module, none needs trafilatura
        from trafilatura.utils import decode_file

        from crawler.pages import extract_article
        from crawler.pages.base import parse_html
        from crawler.pages.fixtures import expected_fields

        tree = parse_html(raw)
        if tree is None:
            raise UsageError(f"{source} is not an HTML page")
        html = decode_file(raw)  # the encoding trafilatura's loader detects, as UTF-8 text
        folder = Path(opts.dir)
        name = opts.name or fixture_name(source)
        page_file, json_file = folder / f"{name}.html", folder / f"{name}.json"
        if not opts.force and (page_file.exists() or json_file.exists()):
            raise UsageError(f"{page_file} exists (use --force to overwrite)")
        expected = expected_fields(extract_article(html, page_url), page_url)
        folder.mkdir(parents=True, exist_ok=True)
        page_file.write_text(html, encoding="utf-8")
        json_file.write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(f"saved {page_file} and {json_file}: correct the expected values by hand")
