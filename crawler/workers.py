"""Worker pools, started one way: forkserver processes, so no worker is forked from a process
that runs the reactor, threads and open database connections; and each worker ends when the
process that started its pool is gone, even killed with SIGKILL, instead of living on."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.connection import Connection


def worker_count(setting: int) -> int:
    """Workers for a setting where 0 means one per core."""
    return setting if setting > 0 else os.cpu_count() or 1


def worker_pool(workers: int, *, processes: bool, name: str) -> Executor:
    """``workers`` worker processes; or, when ``processes`` is false, one thread ``name``."""
    if not processes:
        return ThreadPoolExecutor(1, thread_name_prefix=name)
    return WorkerPool(workers)


class WorkerPool(ProcessPoolExecutor):
    """Forkserver worker processes that end when this process ends, however it ends.

    Each worker waits on a pipe whose only writing end this process holds: when this process
    exits, even killed with SIGKILL, the kernel closes it and the worker reads end-of-file.
    (A pool's workers are children of the forkserver, not of this process, and wait on a call
    queue they hold both ends of: nothing else would tell them.)"""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("forkserver")
        self._lifeline, self._lifeline_writer = context.Pipe(duplex=False)
        super().__init__(
            workers, mp_context=context, initializer=end_with, initargs=(self._lifeline,)
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait, cancel_futures=cancel_futures)
        self._lifeline_writer.close()
        self._lifeline.close()


def end_with(lifeline: Connection) -> None:
    """Worker initializer: exit as soon as ``lifeline`` reads end-of-file (its writer is gone)."""

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()
        os._exit(0)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()
