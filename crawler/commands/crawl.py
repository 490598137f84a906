"""``scrapy crawl``, refusing to overlap another run and exiting non-zero when the run fails."""

from __future__ import annotations

import argparse
import gc
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from crawler.distributed import JobNameError, distributed_job
from crawler.extensions import max_error_rate, run_failure
from crawler.storage.db import DatabaseError, database
from crawler.storage.locks import RunLock, RunLockHeld, acquire_run_lock, run_name
from crawler.workers import start_forkserver

GC_THRESHOLDS = (10_000, 10, 10)
"""Allocations between collections of the youngest generation (Python's default: 700), and
collections of each generation between collections of the next: a crawl makes many objects
but few reference cycles, and collecting every 700 allocations took a tenth of the reactor's
time."""


def prepare_heap() -> None:
    """Tune the garbage collector for a crawl: what start-up made (modules, settings,
    components) lives until the end, so it is frozen (no collection, nor the ones at exit,
    goes through it again), and young objects are collected less often."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class CrawlRefused(Exception):
    """The crawl cannot start; the message says why."""


def check_redis(crawler: Crawler, job: str) -> None:
    """CrawlRefused unless the Redis of a distributed job answers (Redis is imported only for
    such a job: every other crawl starts without it)."""
    from redis.exceptions import RedisError
    from scrapy_redis.connection import get_redis_from_settings

    try:
        get_redis_from_settings(crawler.settings).ping()
    except RedisError as exc:
        raise CrawlRefused(f"Redis is unreachable for job {job}: {exc}") from None


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command, plus: the database (and Redis, for a distributed crawl) is
    checked before the crawl starts; a run of the same spider with the same arguments on the
    same database already going on is reported and this one not started (workers of one Redis
    job share a run); the exit status is 1 when the run failed (finish reason other than
    ``finished``, ``run/failed`` set by a component, or an error rate over
    ``RUN_MAX_ERROR_RATE``)."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.crawler_process and self.settings
        try:
            crawler, lock = self._prepare(args[0], opts.spargs)
        except CrawlRefused as exc:
            print(f"crawl failed: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        start_forkserver(getattr(crawler.spidercls, "worker_modules", ()))
        prepare_heap()
        try:
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        failure = run_failure(stats, stats.get("finish_reason"), max_error_rate(crawler.settings))
        if self.crawler_process.bootstrap_failed or failure:
            self.exitcode = 1
        gc.freeze()  # exiting then frees what the crawl left without searching it for cycles

    def _prepare(self, spider: str, arguments: dict[str, str]) -> tuple[Crawler, RunLock]:
        """The crawler, and the run lock it holds; CrawlRefused when it must not start."""
        assert self.settings
        url = self.settings["DATABASE_URL"]
        try:
            database(url)
            crawler = self._create_crawler(spider)
        except (DatabaseError, JobNameError) as exc:
            raise CrawlRefused(exc) from None
        job = distributed_job(crawler.settings)
        if job is not None:
            check_redis(crawler, job)
        try:
            return crawler, acquire_run_lock(url, run_name(spider, arguments), job)
        except RunLockHeld as exc:
            raise CrawlRefused(exc) from None
