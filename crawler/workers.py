"""Worker pools, started one way: forkserver processes, so no worker is forked from a process
that runs the reactor, threads and open database connections."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor


def worker_count(setting: int) -> int:
    """Workers for a setting where 0 means one per core."""
    return setting if setting > 0 else os.cpu_count() or 1


def worker_pool(workers: int, *, processes: bool, name: str) -> Executor:
    """``workers`` worker processes; or, when ``processes`` is false, one thread ``name``."""
    if not processes:
        return ThreadPoolExecutor(1, thread_name_prefix=name)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
