"""Job directories (``JOBDIR``) that a killed run cannot leave half-trusted."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Self

from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

RUNNING = "crawler.running"
"""Written into a job directory when a run opens it, removed when the run closes it."""


def recover_job_dir(jobdir: Path) -> bool:
    """Open a job directory for a run; True when its last run never closed it.

    Scrapy writes the state of its request queue only when a run closes, while its record of
    seen requests is written as it goes. After a run was killed (SIGKILL, a power cut), the
    queue is lost but the record partly survives: trusting it would drop, for good, the links
    found on the pages it names. So both go and the crawl starts again from its start; what
    the killed run stored is not stored twice (pages come back unchanged, or as 304), and the
    items it had not written yet are in the storage spool.
    """
    marker = jobdir / RUNNING
    killed = marker.exists()
    if killed:
        (jobdir / "requests.seen").unlink(missing_ok=True)
        shutil.rmtree(jobdir / "requests.queue", ignore_errors=True)
    jobdir.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{os.getpid()}\n")
    return killed


def close_job_dir(jobdir: Path) -> None:
    """The run closed its job directory: the next run may resume from it."""
    (jobdir / RUNNING).unlink(missing_ok=True)


class JobScheduler(Scheduler):
    """Scrapy's scheduler; with ``JOBDIR``, a job directory its last run did not close is
    reset (see ``recover_job_dir``) with one warning and the stat ``jobdir/reset``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        jobdir = job_dir(crawler.settings)
        if jobdir is not None and recover_job_dir(Path(jobdir)):
            logger.warning(
                "Job directory %s was not closed by its last run (killed?): its queue is lost, "
                "so the crawl starts again from its start URLs; what that run stored is kept "
                "and not stored twice",
                jobdir,
            )
            if crawler.stats:
                crawler.stats.set_value("jobdir/reset", 1)
        return super().from_crawler(crawler)

    def close(self, reason: str) -> Deferred[None] | None:
        result = super().close(reason)
        if self.dqdir is not None:
            close_job_dir(Path(self.dqdir).parent)
        return result
