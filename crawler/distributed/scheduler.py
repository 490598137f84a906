"""scrapy-redis's scheduler for a job shared by workers: who starts it, who ends it, and
what to do with a queue entry that is not a request."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from typing import Any

from redis.exceptions import RedisError
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task, threads

from crawler.distributed import job_keys
from crawler.distributed.serializer import UnserializableRequest

logger = logging.getLogger(__name__)

# KEYS: workers, requests, dupefilter, busy. ARGV: worker, now, stale before, flush (1/0).
# Returns the number of other live workers. Atomic, so two workers starting together
# cannot both take themselves for the first.
_JOIN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local others = redis.call('ZCARD', KEYS[1])
if others == 0 then redis.call('DEL', KEYS[4]) end
if others == 0 and ARGV[4] == '1' then redis.call('DEL', KEYS[2], KEYS[3]) end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return others
"""
# KEYS as above. ARGV: worker, stale before, finished (1/0). Returns the number of live
# workers left; the last one out of a finished job deletes the job's keys.
_LEAVE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local left = redis.call('ZCARD', KEYS[1])
if left == 0 and ARGV[3] == '1' then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) end
return left
"""
# KEYS as above. ARGV: worker, stale before. This worker is idle; returns the number of
# live workers still busy with requests (a dead one's mark does not count).
_IDLE = """
redis.call('SREM', KEYS[4], ARGV[1])
local busy = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local beat = redis.call('ZSCORE', KEYS[1], worker)
  if beat and tonumber(beat) > tonumber(ARGV[2]) then busy = busy + 1 end
end
return busy
"""


class JobWorkers:
    """The live workers of one Redis job: a sorted set of worker ids by last heartbeat.

    A worker whose heartbeat is older than ``timeout`` seconds is taken for dead.
    """

    def __init__(self, server: Any, job: str, worker: str, timeout: float) -> None:
        self.server, self.job, self.worker, self.timeout = server, job, worker, timeout
        keys = job_keys(job)
        self.keys = [keys["workers"], keys["requests"], keys["dupefilter"], keys["busy"]]

    def join(self, flush: bool) -> int:
        """Register; with ``flush``, first clear a frontier no live worker uses. Returns the
        number of other live workers."""
        now = time.time()
        args = [self.worker, now, now - self.timeout, int(flush)]
        return int(self.server.eval(_JOIN, 4, *self.keys, *args))

    def beat(self) -> None:
        """Refresh this worker's heartbeat (registering it again if it was taken for dead)."""
        self.server.zadd(self.keys[0], {self.worker: time.time()})

    def live(self) -> int:
        """Live workers, this one included."""
        return int(self.server.zcount(self.keys[0], time.time() - self.timeout, "+inf"))

    def busy(self) -> None:
        """Mark this worker busy with requests: what it fetches may add to the frontier."""
        self.server.sadd(self.keys[3], self.worker)

    def idle(self) -> int:
        """Mark this worker idle; returns the number of live workers still busy."""
        args = [self.worker, time.time() - self.timeout]
        return int(self.server.eval(_IDLE, 4, *self.keys, *args))

    def leave(self, finished: bool) -> int:
        """Unregister; returns the live workers left (0: the job's keys are gone if it
        finished, kept for a later run to resume otherwise)."""
        args = [self.worker, time.time() - self.timeout, int(finished)]
        return int(self.server.eval(_LEAVE, 4, *self.keys, *args))


def worker_id() -> str:
    """Names this process among a job's workers: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DistributedScheduler(Scheduler):
    """scrapy-redis's Scheduler (frontier and duplicate filter in Redis) for a job shared by
    any number of worker processes on any number of machines.

    Settings: those of scrapy-redis (``REDIS_URL``, ``SCHEDULER_QUEUE_KEY``...), set by
    ``crawler.distributed.use_redis``; ``REDIS_JOB`` (the job); ``REDIS_IDLE_TIMEOUT``
    (seconds at most a worker with nothing to do waits for other live workers to produce
    requests before it ends, default 30); ``REDIS_WORKER_TIMEOUT`` (a worker without a
    heartbeat for that long is dead, default 60); ``SCHEDULER_FLUSH_ON_START`` (drop a leftover
    frontier, only when no worker of the job is alive: a joining worker never wipes a running
    job).

    The first worker starts the job; a worker marks itself busy when it takes a request and
    idle when it has nothing left to do, and the job is done, every worker ending at once, when
    the frontier is empty and no live worker is busy (a busy one may still add requests). The
    last one to end a finished job deletes its keys, so the next run starts afresh; an
    interrupted job keeps its frontier and resumes.
    Stats: ``errors/bad_queue_entry``, ``errors/not_distributable``.
    """

    crawler: Crawler
    workers: JobWorkers
    idle_timeout: float
    flush_on_start: bool
    _idle_since: float | None = None
    _busy: bool = False
    _heartbeat: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DistributedScheduler:
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.stats = None  # counted below: scrapy-redis passes Scrapy a deprecated argument
        scheduler.workers = JobWorkers(
            scheduler.server,
            settings["REDIS_JOB"],
            worker_id(),
            settings.getfloat("REDIS_WORKER_TIMEOUT", 60),
        )
        scheduler.idle_timeout = settings.getfloat("REDIS_IDLE_TIMEOUT", 30)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        flush, self.flush_on_start = self.flush_on_start, False  # decided by join() instead
        others = self.workers.join(flush)
        job, worker = self.workers.job, self.workers.worker
        self.crawler.stats.set_value("run/job", job)
        if others:
            logger.info("Worker %s joined job %s (%d other workers alive)", worker, job, others)
        else:
            logger.info("Worker %s started job %s", worker, job)
        if flush and others:
            logger.warning("SCHEDULER_FLUSH_ON_START ignored: job %s has live workers", job)
        super().open(spider)
        self._heartbeat = task.LoopingCall(threads.deferToThread, self._beat)
        self._heartbeat.start(max(self.workers.timeout / 4, 0.5), now=False)

    def _beat(self) -> None:
        try:
            self.workers.beat()
        except RedisError as exc:
            logger.warning("Could not refresh the heartbeat of job %s: %s", self.workers.job, exc)

    def close(self, reason: str) -> None:
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        left = self.workers.leave(finished=reason == "finished")
        if left:
            logger.info("Left job %s to %d other workers", self.workers.job, left)
        elif reason == "finished":
            logger.info("Job %s finished: its Redis keys are deleted", self.workers.job)
        else:
            logger.info("Job %s stopped (%s): its frontier is kept", self.workers.job, reason)

    def enqueue_request(self, request: Request) -> bool:
        try:
            queued = super().enqueue_request(request)
        except UnserializableRequest as exc:
            logger.warning("Dropped %s: cannot be shared through Redis: %s", request.url, exc)
            self.crawler.stats.inc_value("errors/not_distributable")
            return False
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return queued

    def next_request(self) -> Request | None:
        while True:
            try:
                request = super().next_request()
            except ValueError as exc:  # RejectedPayload, or a callback the spider lacks
                logger.warning("Dropped an entry of Redis queue %s: %s", self.queue.key, exc)
                self.crawler.stats.inc_value("errors/bad_queue_entry")
                continue
            if request is not None:
                self._idle_since = None
                if not self._busy:
                    self.workers.busy()
                    self._busy = True
                self.crawler.stats.inc_value("scheduler/dequeued/redis")
            return request

    def spider_idle(self) -> None:
        """Keep an idle worker while other live workers are busy with requests (they may add
        to the frontier), up to ``REDIS_IDLE_TIMEOUT`` seconds; end it once the job is done."""
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        busy, self._busy = self.workers.idle(), False
        if busy == 0 and len(self.queue) == 0:  # nothing to take, nobody left to add any
            logger.info(
                "Job %s done: its frontier is empty and no worker is busy", self.workers.job
            )
            return
        if now - self._idle_since < self.idle_timeout and self.workers.live() > 1:
            raise DontCloseSpider
