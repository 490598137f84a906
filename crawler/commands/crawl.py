"""``scrapy crawl``, exiting non-zero when the run fails."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.storage.db import DatabaseError, database


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command, plus: the database is checked before the crawl starts, and the
    exit status is 1 when the run did not finish cleanly (finish reason other than
    ``finished``, or ``run/failed`` set by a component)."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process and self.settings
        try:
            database(self.settings["DATABASE_URL"])
        except DatabaseError as exc:
            print(f"crawl failed: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        if (
            self.crawler_process.bootstrap_failed
            or stats.get("finish_reason") != "finished"
            or stats.get("run/failed")
        ):
            self.exitcode = 1
