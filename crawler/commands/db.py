"""``scrapy db upgrade|current|revision|replay``: the database schema's migrations, and storing
what a run left in the spool."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.storage.db import DatabaseError, database, make_engine, reported_as, safe_url
from crawler.storage.schema import current_revision, head_revision, new_revision, upgrade
from crawler.storage.spool import Replayed, Spool, replay
from crawler.storage.writer import write_batch

ACTIONS = ("upgrade", "current", "revision", "replay")


class Command(ScrapyCommand):
    """Upgrade the database of ``DATABASE_URL`` to the newest revision (or a given one), print
    its current revision, store the articles runs left in the spool (``STORAGE_SPOOL_DIR``),
    or (developers) write a new migration from the models' changes."""

    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 - Scrapy's API

    def syntax(self) -> str:
        return "upgrade [REVISION] | current | replay | revision -m MESSAGE"

    def short_desc(self) -> str:
        return "Upgrade the database schema, show its revision, or store the spool"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-m", "--message", help="revision: what the new migration does")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args or args[0] not in ACTIONS or len(args) > (2 if args[0] == "upgrade" else 1):
            raise UsageError(f"give one of: {self.syntax()}")
        url = self.settings["DATABASE_URL"]
        try:
            with reported_as(f"db {args[0]} failed: database", url):
                print(self._do(args, opts, url))
        except DatabaseError as exc:
            print(exc, file=sys.stderr)
            self.exitcode = 1

    def _do(self, args: list[str], opts: argparse.Namespace, url: str) -> str:
        if args[0] == "replay":
            return self._replay(url)
        engine = make_engine(url)
        try:
            if args[0] == "upgrade":
                before, after = upgrade(engine, args[1] if len(args) > 1 else "head")
                if before == after:
                    return f"{safe_url(url)} is at revision {after}: nothing to do"
                return f"{safe_url(url)} upgraded from {before or 'empty'} to {after}"
            if args[0] == "current":
                with engine.connect() as connection:
                    current = current_revision(connection)
                head = " (head)" if current == head_revision() else ""
                return f"{current or 'empty (no revision)'}{head}"
            if not opts.message:
                raise UsageError("revision needs -m MESSAGE")
            with engine.begin() as connection:
                scripts = new_revision(connection, opts.message)
            return "\n".join(f"Wrote {s.path}" for s in scripts)
        finally:
            engine.dispose()

    def _replay(self, url: str) -> str:
        assert self.settings is not None
        spool = Spool(self.settings["STORAGE_SPOOL_DIR"], safe_url(url))
        try:
            database(url)
        except DatabaseError as exc:
            raise DatabaseError(f"db replay failed: {exc}") from None
        done = replay(
            spool, partial(write_batch, url), self.settings.getint("STORAGE_BATCH_SIZE", 500)
        )
        if done.error is not None:
            raise DatabaseError(
                f"db replay failed: database {safe_url(url)}: {done.error} "
                f"({done.items} articles stored before it, the rest stays in {spool.folder})"
            )
        return replay_summary(done, spool.folder)


def replay_summary(done: Replayed, folder: Path) -> str:
    """What ``scrapy db replay`` did, in one line."""
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(done.outcomes.items()))
    line = f"Stored {done.items} articles from {_files(done.files, 'spool file')} in {folder}"
    line += f" ({outcomes})" if outcomes else ""
    if done.busy:
        line += f"; {_files(done.busy)} held by a running crawl left to it"
    if done.other_database:
        line += f"; {_files(done.other_database)} for another database left alone"
    if done.bad_lines:
        line += f"; {done.bad_lines} unreadable lines skipped"
    return line


def _files(number: int, noun: str = "file") -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
