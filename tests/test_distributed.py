"""Distributed crawls: real ``scrapy crawl analysis`` workers sharing a frontier in a real
Redis, over the local test site."""

from __future__ import annotations

import os
import pickle
import re
import sqlite3
import time
from collections import Counter

from scrapy.crawler import Crawler
from scrapy.settings import Settings

from crawler.distributed import distributed_job, job_keys
from crawler.distributed.scheduler import JobWorkers
from crawler.spiders.analysis import AnalysisSpider
from crawler.storage.db import open_database
from tests.cli import export, scrapy, start_scrapy
from tests.services import REDIS_URL
from tests.site import AnalysisSite
from tests.test_web_crawl import FAST, requested, sites_file


class Exploit:
    """Unpickling this creates a directory: the proof that a queue entry was executed."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def worker_args(db_url: str, sites, job: str, *extra: str, idle_timeout: int = 2) -> list[str]:
    return [
        "crawl", "analysis", "-s", f"DATABASE_URL={db_url}", "-s", f"SITES_FILE={sites}",
        "-s", f"REDIS_URL={REDIS_URL}", "-s", f"REDIS_JOB={job}",
        "-s", f"REDIS_IDLE_TIMEOUT={idle_timeout}", "-s", "LOG_LEVEL=DEBUG", *FAST, *extra,
    ]  # fmt: skip


def settings(**values: str) -> Settings:
    s = Settings()
    s.setmodule("crawler.settings", priority="project")
    s.setdict(values, priority="cmdline")
    return s


def test_without_redis_url_the_local_scheduler_runs():
    crawler = Crawler(AnalysisSpider, settings())
    assert crawler.settings["SCHEDULER"] == "crawler.jobs.JobScheduler"  # Scrapy's, JOBDIR-safe
    assert distributed_job(crawler.settings) is None


def test_with_redis_url_the_frontier_is_in_redis_as_json():
    crawler = Crawler(AnalysisSpider, settings(REDIS_URL="redis://h:6379/0", REDIS_JOB="j1"))
    s = crawler.settings
    assert s["SCHEDULER"] == "crawler.distributed.scheduler.DistributedScheduler"
    assert s["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert s["SCHEDULER_SERIALIZER"] == "crawler.distributed.serializer"
    assert (s["SCHEDULER_QUEUE_KEY"], s["SCHEDULER_DUPEFILTER_KEY"]) == (
        "crawler:j1:requests",
        "crawler:j1:dupefilter",
    )
    assert s.getbool("SCHEDULER_PERSIST")  # never flushed by a worker that ends early
    assert distributed_job(s) == "j1"
    default = Crawler(AnalysisSpider, settings(REDIS_URL="redis://h:6379/0")).settings
    assert distributed_job(default) == "analysis"


def test_two_workers_share_one_crawl(redis_server, redis_job, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    # The schema first: two processes creating it at the same moment race (storage's side).
    open_database(db_url).kw["bind"].dispose()
    # Crawl-delay keeps the first worker from draining the site before the second one, idle
    # after its start requests (all already seen), looks at the frontier (every 5 s).
    with AnalysisSite(articles=12, seed=5, crawl_delay=0.25) as site:
        sites = sites_file(tmp_path, site, max_pages=200, max_depth=4)
        workers = [start_scrapy(*worker_args(db_url, sites, redis_job)) for _ in range(2)]
        logs = [worker.communicate(timeout=240)[1] for worker in workers]
        hits = Counter(h.path for h in site.hits)
    for worker, log in zip(workers, logs, strict=True):
        assert worker.returncode == 0, log[-3000:]
        assert "Traceback" not in log
    assert all(requested(log) for log in logs), "\n\n".join(log[-4000:] for log in logs)
    # every page once across both workers; robots.txt is also read by each worker for itself
    assert {path: n for path, n in hits.items() if n > 1 and path != "/robots.txt"} == {}
    assert hits["/robots.txt"] <= 3
    assert {a.path for a in site.articles} <= set(hits)
    stored = export(db_url)
    assert sorted(a["title"] for a in stored) == sorted(a.title for a in site.articles)
    assert len({a["url"] for a in stored}) == len(stored)
    db = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    assert db.execute("select count(*), sum(new), min(status) from runs").fetchone() == (
        2,
        len(site.articles),
        "finished",
    )
    assert redis_server.keys(f"crawler:{redis_job}:*") == []  # the last worker out cleared


def test_workers_end_when_the_frontier_is_empty_and_none_is_busy(redis_server, redis_job, tmp_path):
    """With an idle timeout longer than the test may take, both workers still end: the job is
    done once the frontier is empty and no live worker is busy with requests."""
    db_url = f"sqlite:///{tmp_path / 'done.sqlite3'}"
    open_database(db_url).kw["bind"].dispose()
    with AnalysisSite(articles=6, seed=7, crawl_delay=0.1) as site:
        sites = sites_file(tmp_path, site, max_pages=100, max_depth=3)
        args = worker_args(db_url, sites, redis_job, idle_timeout=3600)
        workers = [start_scrapy(*args) for _ in range(2)]
        logs = [worker.communicate(timeout=240)[1] for worker in workers]
    for worker, log in zip(workers, logs, strict=True):
        assert worker.returncode == 0, log[-3000:]
    assert any(f"Job {redis_job} done: its frontier is empty" in log for log in logs)
    assert sorted(a["title"] for a in export(db_url)) == sorted(a.title for a in site.articles)
    assert redis_server.keys(f"crawler:{redis_job}:*") == []


def test_a_worker_waits_while_a_live_one_is_busy_not_for_a_dead_one(redis_server, redis_job):
    keys = job_keys(redis_job)
    first = JobWorkers(redis_server, redis_job, "first", timeout=1)
    second = JobWorkers(redis_server, redis_job, "second", timeout=1)
    first.join(flush=False)
    second.join(flush=False)
    first.busy()
    assert second.idle() == 1  # the first may still add requests
    assert first.idle() == 0  # each marks only itself
    first.busy()
    time.sleep(1.2)  # no heartbeat: the first is dead, its mark does not count
    second.beat()
    assert second.idle() == 0
    assert second.leave(finished=True) == 0
    assert redis_server.exists(keys["busy"]) == 0  # the last one out of a finished job clears


def test_a_pickled_entry_in_the_queue_is_dropped_not_executed(redis_server, redis_job, tmp_path):
    marker = tmp_path / "executed"
    queue = job_keys(redis_job)["requests"]
    redis_server.zadd(queue, {pickle.dumps(Exploit(str(marker))): -100})
    db_url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    with AnalysisSite(articles=3, seed=2) as site:
        sites = sites_file(tmp_path, site, max_pages=50, max_depth=2)
        result = scrapy(*worker_args(db_url, sites, redis_job))
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    assert not marker.exists()
    dropped = [
        line for line in log.splitlines() if f"Dropped an entry of Redis queue {queue}" in line
    ]
    assert len(dropped) == 1 and "not a JSON request" in dropped[0], dropped
    assert "Traceback" not in log
    assert re.search(r"errors \d+ \(.*bad_queue_entry: 1", log)
    assert len(export(db_url)) == 3  # the run went on


def test_flush_on_start_never_wipes_a_live_job(redis_server, redis_job):
    keys = job_keys(redis_job)
    first = JobWorkers(redis_server, redis_job, "first", timeout=60)
    assert first.join(flush=True) == 0
    redis_server.zadd(keys["requests"], {"request": 0})
    redis_server.sadd(keys["dupefilter"], "fingerprint")
    second = JobWorkers(redis_server, redis_job, "second", timeout=60)
    assert second.join(flush=True) == 1  # joins a live job: no flush
    assert redis_server.zcard(keys["requests"]) == redis_server.scard(keys["dupefilter"]) == 1
    assert first.live() == 2
    assert first.leave(finished=True) == 1  # not the last: keys stay
    assert second.leave(finished=False) == 0  # the last, interrupted: the frontier is kept
    assert redis_server.zcard(keys["requests"]) == 1
    resumed = JobWorkers(redis_server, redis_job, "resumed", timeout=60)
    assert resumed.join(flush=False) == 0
    assert redis_server.zcard(keys["requests"]) == 1  # resumes
    assert resumed.leave(finished=True) == 0
    assert redis_server.keys(f"crawler:{redis_job}:*") == []  # a finished job is cleared


def test_a_dead_worker_does_not_keep_a_job_alive(redis_server, redis_job):
    keys = job_keys(redis_job)
    dead = JobWorkers(redis_server, redis_job, "dead", timeout=1)
    dead.join(flush=False)
    redis_server.zadd(keys["requests"], {"leftover": 0})
    time.sleep(1.2)  # no heartbeat: dead
    fresh = JobWorkers(redis_server, redis_job, "fresh", timeout=1)
    assert fresh.join(flush=True) == 0
    assert redis_server.zcard(keys["requests"]) == 0
    assert fresh.live() == 1


def test_unreachable_redis_fails_clearly(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    result = scrapy(
        "crawl", "analysis", "-s", f"DATABASE_URL={db_url}", "-s", "REDIS_URL=redis://127.0.0.1:1/0"
    )
    assert result.returncode == 1
    assert "crawl failed: Redis is unreachable for job analysis" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_job_name_fails_clearly(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'j.sqlite3'}"
    result = scrapy(
        "crawl", "analysis", "-s", f"DATABASE_URL={db_url}", "-s", f"REDIS_URL={REDIS_URL}",
        "-s", "REDIS_JOB=a job%s",
    )  # fmt: skip
    assert result.returncode == 1
    assert "crawl failed: REDIS_JOB 'a job%s' is not a job name" in result.stderr
    assert "Traceback" not in result.stderr
