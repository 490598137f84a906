"""Worker pools, started one way: forkserver processes, so no worker is forked from a process
that runs the reactor, threads and open database connections; and each worker ends when the
process that started its pool is gone, even killed with SIGKILL, instead of living on."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import forkserver
from multiprocessing.connection import Connection


def main_script_imports(main: object) -> list[str]:
    """What each worker imports again of the main module ``main``, to be imported once in the
    forkserver instead. A script run by its path (the ``scrapy`` command) is run again in every
    worker as ``__mp_main__`` (Python 3.11's forkserver is never told its path), and imports
    ``scrapy.cmdline``, all of Scrapy and Twisted; a module run with ``-m`` is imported again,
    unless it is a package's ``__main__`` (``python -m scrapy``), which is not."""
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return [] if name == "__main__" or name.endswith(".__main__") else [name]
    return ["scrapy.cmdline"] if getattr(main, "__file__", None) else []


_PRELOAD = ["__main__", *main_script_imports(sys.modules["__main__"])]
"""Modules the forkserver imports before it forks any worker (``__main__`` is its default):
what the main script imports again in each worker is imported once, there."""


_INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


def worker_count(setting: int) -> int:
    """Workers for a setting where 0 means one per core."""
    return setting if setting > 0 else os.cpu_count() or 1


def worker_pool(
    workers: int,
    *,
    processes: bool,
    name: str,
    preload: Iterable[str] = (),
    niceness: int = 0,
) -> Executor:
    """``workers`` worker processes; or, when ``processes`` is false, one thread ``name``.

    ``preload``: modules the workers run, imported once in the forkserver (when this pool is
    the first to start it) instead of in every worker. ``niceness``: how much lower than this
    process's the workers' scheduling priority is (``os.nice``).
    """
    if not processes:
        return ThreadPoolExecutor(1, thread_name_prefix=name)
    preload_in_forkserver(preload)
    return WorkerPool(workers, niceness)


def start_forkserver(preload: Iterable[str] = ()) -> None:
    """Start the forkserver now, importing ``preload`` (the modules workers will run) while
    this process goes on starting up: pools started later fork their workers at once.

    The forkserver and every worker it forks ignore SIGINT and SIGTERM (dispositions that
    survive fork and exec): Ctrl-C or ``kill -TERM`` of the process group must stop the crawl
    gracefully, which needs its workers, and a pool whose forkserver is gone is broken. The
    crawl shuts its pools down; the lifeline ends them if it dies. Call from the main thread."""
    preload_in_forkserver(preload)
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in _INTERRUPTS}
    try:
        forkserver.ensure_running()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def preload_in_forkserver(modules: Iterable[str]) -> None:
    """Have the forkserver import ``modules`` too (if it is not running yet)."""
    _PRELOAD.extend(module for module in modules if module not in _PRELOAD)
    multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOAD)


class WorkerPool(ProcessPoolExecutor):
    """Forkserver worker processes that end when this process ends, however it ends.

    Each worker waits on a pipe whose only writing end this process holds: when this process
    exits, even killed with SIGKILL, the kernel closes it and the worker reads end-of-file.
    (A pool's workers are children of the forkserver, not of this process, and wait on a call
    queue they hold both ends of: nothing else would tell them.)"""

    def __init__(self, workers: int, niceness: int = 0) -> None:
        context = multiprocessing.get_context("forkserver")
        self._lifeline, self._lifeline_writer = context.Pipe(duplex=False)
        super().__init__(
            workers,
            mp_context=context,
            initializer=start_worker,
            initargs=(self._lifeline, niceness),
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait, cancel_futures=cancel_futures)
        self._lifeline_writer.close()
        self._lifeline.close()


def start_worker(lifeline: Connection, niceness: int) -> None:
    """Worker initializer: lower the worker's priority by ``niceness``, end with ``lifeline``,
    and leave interrupts to the crawl (see ``start_forkserver``)."""
    for number in _INTERRUPTS:
        signal.signal(number, signal.SIG_IGN)
    # What the worker inherited from the forkserver (modules, mostly) lives as long as it
    # does: frozen, collections never walk it, so its pages stay shared instead of copied.
    gc.freeze()
    if niceness:
        os.nice(niceness)
    end_with(lifeline)


def end_with(lifeline: Connection) -> None:
    """Worker initializer: exit as soon as ``lifeline`` reads end-of-file (its writer is gone)."""

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()
        os._exit(0)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def start_workers(pool: Executor, workers: int) -> None:
    """Start the pool's processes now (they start on first use otherwise), so that they are
    ready when the first task comes."""
    for _ in range(workers):
        pool.submit(ready)


def ready() -> None:
    """Nothing: a first task that makes a pool start a worker."""
