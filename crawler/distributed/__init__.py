"""Distributed crawls: with ``REDIS_URL`` set, N workers share one frontier in Redis."""

from __future__ import annotations

import re

from scrapy.settings import BaseSettings

SCHEDULER = "crawler.distributed.scheduler.DistributedScheduler"
KEY_PREFIX = "crawler"
_JOB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


class JobNameError(ValueError):
    """``REDIS_JOB`` cannot name Redis keys."""


def job_name(settings: BaseSettings, spider: str) -> str:
    """The Redis job of a distributed crawl: ``REDIS_JOB``, by default the spider's name."""
    job = settings.get("REDIS_JOB") or spider
    if not _JOB_NAME.match(job):
        raise JobNameError(
            f"REDIS_JOB {job!r} is not a job name (letters, digits and _ . : - only)"
        )
    return job


def job_keys(job: str) -> dict[str, str]:
    """The Redis keys of one job: its frontier, seen requests, live workers and the workers
    busy with requests."""
    parts = ("requests", "dupefilter", "workers", "busy")
    return {part: f"{KEY_PREFIX}:{job}:{part}" for part in parts}


def use_redis(settings: BaseSettings, spider: str) -> None:
    """Wire scrapy-redis in when ``REDIS_URL`` is set; without it, change nothing.

    The frontier and the duplicate filter of job ``REDIS_JOB`` live in Redis, requests are
    stored as JSON (``crawler.distributed.serializer``), and the job's keys are managed by
    DistributedScheduler (never flushed under a live worker). Values given with ``-s`` win.
    """
    if not settings.get("REDIS_URL"):
        return
    job = job_name(settings, spider)
    keys = job_keys(job)
    for name, value in {
        "REDIS_JOB": job,
        "SCHEDULER": SCHEDULER,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_SERIALIZER": "crawler.distributed.serializer",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys["requests"],
        "SCHEDULER_DUPEFILTER_KEY": keys["dupefilter"],
        "SCHEDULER_PERSIST": True,  # the scheduler clears the job when its last worker ends
    }.items():
        settings.set(name, value, priority="spider")


def distributed_job(settings: BaseSettings) -> str | None:
    """The Redis job a crawler with these settings works for, None for a local crawl."""
    return settings.get("REDIS_JOB") if settings.get("SCHEDULER") == SCHEDULER else None
