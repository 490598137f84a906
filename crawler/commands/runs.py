"""``scrapy runs``: list the latest runs from the runs table."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Iterable
from typing import IO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.storage.db import DatabaseError, database
from crawler.storage.runs import RunRow, recent_runs

COLUMNS = (
    "id", "spider", "started", "finished", "pages", "new", "updated", "merged", "errors", "status",
)  # fmt: skip


def _cells(run: RunRow) -> list[str]:
    values = dataclasses.asdict(run)
    if run.job:
        values["spider"] = f"{run.spider}@{run.job}"
    return [str(values[name]) if values[name] is not None else "-" for name in COLUMNS]


def write_table(runs: Iterable[RunRow], out: IO[str]) -> None:
    """Aligned columns under a header (a distributed run's spider as ``spider@job``)."""
    rows = [list(COLUMNS), *(_cells(run) for run in runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def write_json_lines(runs: Iterable[RunRow], out: IO[str]) -> None:
    for run in runs:
        out.write(json.dumps(dataclasses.asdict(run), ensure_ascii=False) + "\n")


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


class Command(ScrapyCommand):
    """List recent runs: spider, start, end, status, pages, new, updated, merged, errors."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "[-n N] [--spider NAME] [--json]"

    def short_desc(self) -> str:
        return "List the latest crawl runs"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-n", type=_count, default=20, help="runs to list (default 20)")
        parser.add_argument("--spider", help="only runs of this spider")
        parser.add_argument("--json", action="store_true", help="JSON Lines, one run a line")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        try:
            sessions = database(self.settings["DATABASE_URL"])
        except DatabaseError as exc:
            print(f"runs failed: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        with sessions() as session:
            runs = recent_runs(session, opts.n, opts.spider)
        (write_json_lines if opts.json else write_table)(runs, sys.stdout)
