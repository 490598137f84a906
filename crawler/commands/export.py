"""``scrapy export``: write stored articles as JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import IO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.normalize.dates import DateError, normalize_date
from crawler.storage.db import DatabaseError, database
from crawler.storage.queries import ExportFilter, iter_export_records


def write_jsonl(records, out: IO[str]) -> int:
    """Write records as JSON Lines (UTF-8 letters kept as they are); return the count."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _day(value: str | None, option: str) -> str | None:
    try:
        return normalize_date(value)[:10] if value else None  # type: ignore[index]
    except DateError as exc:
        raise UsageError(f"{option}: {exc}") from None


class Command(ScrapyCommand):
    """Export stored articles, ordered by published date then id."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "[-o PATH|-] [--since DATE] [--until DATE] [--publisher NAME] [--author NAME]"

    def short_desc(self) -> str:
        return "Write stored articles as JSON Lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", help="output file, or - for standard output")
        parser.add_argument("--since", help="first published day to include")
        parser.add_argument("--until", help="last published day to include")
        parser.add_argument("--publisher", help="only this publisher (case-insensitive)")
        parser.add_argument("--author", help="only articles by this author (case-insensitive)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        flt = ExportFilter(
            since=_day(opts.since, "--since"),
            until=_day(opts.until, "--until"),
            publisher=opts.publisher,
            author=opts.author,
        )
        try:
            sessions = database(self.settings["DATABASE_URL"])
        except DatabaseError as exc:
            print(f"export failed: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        target = opts.output or self.settings["EXPORT_PATH"]
        sink: AbstractContextManager[IO[str]]
        if target == "-":
            sink = nullcontext(sys.stdout)
        else:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            sink = open(target, "w", encoding="utf-8")  # noqa: SIM115 - closed by the with below
        with sessions() as session, sink as out:
            count = write_jsonl(iter_export_records(session, flt), out)
        if target != "-":
            print(f"Exported {count} articles to {target}", file=sys.stderr)
