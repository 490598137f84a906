"""Worker processes the event loop feeds itself, through one socket pair each.

A task costs the crawl's process one pickle and one write, its result one read and one
unpickle, all on the event loop. ``concurrent.futures.ProcessPoolExecutor`` hands each task
and each result through two threads of its own (a feeder and a manager), their wake-up pipes
and a lock the workers share: about four times the CPU a task, in the process that runs the
reactor, which every page waits on, and in the workers. The workers are forked from the
forkserver, like every pool of ``crawler.workers``, and end with the process that started them.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import struct
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.util import Finalize
from typing import Any, Protocol, TypeVar

from crawler.workers import preload_in_forkserver, start_worker

T = TypeVar("T")

HEADER = struct.Struct("!Q")
"""A message's length, before its bytes (a pickle)."""

READ_SIZE = 1 << 16
"""Bytes read from a worker at a time: results that arrived together are read together."""

AHEAD = 2
"""Tasks a worker holds at most (the one it runs, the next one ready): the others wait here
and go to whichever worker is free first, so a slow page holds up no page behind it."""


def framed(payload: bytes) -> bytes:
    """``payload`` as one message: its length, then its bytes."""
    return HEADER.pack(len(payload)) + payload


def take_messages(buffer: bytearray) -> list[bytes]:
    """Remove the complete messages at the start of ``buffer`` and return their payloads (a
    message not yet complete stays)."""
    messages, start = [], 0
    while len(buffer) - start >= HEADER.size:
        (size,) = HEADER.unpack_from(buffer, start)
        end = start + HEADER.size + size
        if end > len(buffer):
            break
        messages.append(bytes(buffer[start + HEADER.size : end]))
        start = end
    del buffer[:start]
    return messages


def outcome(function: Callable[..., Any], args: tuple[Any, ...]) -> bytes:
    """The pickled ``(True, function(*args))``, or ``(False, exception)`` when it raised (the
    exception carries the worker's traceback as a note; one that cannot be pickled is sent
    as a RuntimeError naming it)."""
    try:
        return pickle.dumps((True, function(*args)), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # every error goes back to the caller
        exc.add_note("".join(traceback.format_exception(exc)).rstrip())
        try:
            sent = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            pickle.loads(sent)  # some pickle but cannot be unpickled (other __init__ arguments)
            return sent
        except Exception:  # an exception that does not pickle
            error = RuntimeError(f"{type(exc).__name__}: {exc}")
            return pickle.dumps((False, error), pickle.HIGHEST_PROTOCOL)


def serve(connection: Connection, lifeline: Connection, niceness: int) -> None:
    """A worker's life: read a task, run it, write its outcome, until the socket is closed."""
    start_worker(lifeline, niceness)
    reader = os.fdopen(connection.fileno(), "rb", closefd=False)
    while (header := reader.read(HEADER.size)) and len(header) == HEADER.size:
        function, args = pickle.loads(reader.read(HEADER.unpack(header)[0]))
        reply = memoryview(framed(outcome(function, args)))
        while reply:
            reply = reply[os.write(connection.fileno(), reply) :]


class Workers(Protocol):
    """What the web spiders run page extraction on."""

    def run(self, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """``function(*args)`` off the event loop (call on the loop)."""

    def shutdown(self) -> None:
        """Stop the workers (their tasks should be done)."""


class ThreadWorker:
    """One thread (``EXTRACTION_WORKERS=1``): no process to start, nothing to pickle."""

    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)

    def run(self, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class _Channel:
    """The parent's end of one worker's socket pair: tasks written, results read, in order."""

    def __init__(self, process: multiprocessing.process.BaseProcess, connection: Connection):
        self.process = process
        self.connection = connection
        self.fd = connection.fileno()
        os.set_blocking(self.fd, False)
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.outbox = bytearray()
        self.inbox = bytearray()


class PipeWorkers:
    """``workers`` processes at ``niceness`` below this one, fed from the event loop.

    Starting them waits for the forkserver (call from a thread while the reactor runs);
    ``run`` is called on the event loop. A worker holds ``AHEAD`` tasks at most; the others
    wait in this process, in order, for the first worker free.
    When a worker dies, every task waiting fails with BrokenProcessPool, as do later ones:
    the pool is broken, as a ProcessPoolExecutor whose worker died.
    """

    def __init__(self, workers: int, niceness: int = 0, preload: Iterable[str] = ()) -> None:
        preload_in_forkserver(preload)
        context = multiprocessing.get_context("forkserver")
        self._lifeline, self._lifeline_writer = context.Pipe(duplex=False)
        self._channels: list[_Channel] = []
        self._queue: deque[tuple[bytes, asyncio.Future[Any]]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.broken: str | None = None
        """Why the pool is broken, once it is."""
        for _ in range(max(1, workers)):
            ours, theirs = context.Pipe(duplex=True)
            process = context.Process(target=serve, args=(theirs, self._lifeline, niceness))
            process.start()
            theirs.close()  # the worker holds the only other end: its exit reads as EOF here
            self._channels.append(_Channel(process, ours))
        # an interpreter that exits waits for its child processes: these end first (once)
        self._end = Finalize(self, self._lifeline_writer.close, exitpriority=10)

    @property
    def pids(self) -> list[int | None]:
        """The workers' process ids."""
        return [channel.process.pid for channel in self._channels]

    def run(self, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        if self.broken is not None:
            raise BrokenProcessPool(self.broken)
        loop = self._attach()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.append((pickle.dumps((function, args), pickle.HIGHEST_PROTOCOL), future))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        """Send waiting tasks to the workers that hold fewer than ``AHEAD``."""
        while self._queue and self.broken is None:
            channel = min(self._channels, key=lambda c: len(c.waiting))
            if len(channel.waiting) >= AHEAD:
                return
            task, future = self._queue.popleft()
            if future.cancelled():
                continue
            channel.waiting.append(future)
            self._write(channel, framed(task))

    def _attach(self) -> asyncio.AbstractEventLoop:
        """The event loop, watching the workers' results from the first task on."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            for channel in self._channels:
                self._loop.add_reader(channel.fd, self._read, channel)
        return self._loop

    def _write(self, channel: _Channel, message: bytes) -> None:
        if not channel.outbox:  # the common case: the socket takes all of it at once
            try:
                written = os.write(channel.fd, message)
            except BlockingIOError:
                written = 0
            except OSError as exc:
                self._break(f"a worker process cannot be written to ({exc})")
                return
            if written == len(message):
                return
            message = message[written:]
            assert self._loop is not None
            self._loop.add_writer(channel.fd, self._flush, channel)
        channel.outbox += message

    def _flush(self, channel: _Channel) -> None:
        try:
            written = os.write(channel.fd, channel.outbox)
        except BlockingIOError:
            return
        except OSError as exc:
            self._break(f"a worker process cannot be written to ({exc})")
            return
        del channel.outbox[:written]
        if not channel.outbox and self._loop is not None:
            self._loop.remove_writer(channel.fd)

    def _read(self, channel: _Channel) -> None:
        try:
            data = os.read(channel.fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            channel.process.join(1)
            code = channel.process.exitcode
            self._break(f"a worker process ended unexpectedly (exit code {code})")
            return
        channel.inbox += data
        for message in take_messages(channel.inbox):
            future = channel.waiting.popleft()
            if future.cancelled():
                continue
            try:
                ok, value = pickle.loads(message)
            except Exception as exc:  # a result this process cannot read
                ok, value = False, RuntimeError(f"unreadable result from a worker: {exc!r}")
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._dispatch()

    def _break(self, reason: str) -> None:
        """A worker is gone: fail every task waiting, stop the others."""
        if self.broken is None:
            self.broken = reason
            self._close(BrokenProcessPool(reason))

    def _close(self, error: BaseException | None) -> None:
        waiting = [future for _, future in self._queue]
        self._queue.clear()
        for channel in self._channels:
            if self._loop is not None:
                self._loop.remove_reader(channel.fd)
                self._loop.remove_writer(channel.fd)
            channel.connection.close()  # the worker reads end-of-file and exits
            waiting.extend(channel.waiting)
            channel.waiting.clear()
        for future in waiting:
            if future.done():
                continue
            if error is None:
                future.cancel()
            else:
                future.set_exception(error)
        self._end()  # the lifeline: a worker still busy with a task exits too
        self._lifeline.close()

    def shutdown(self) -> None:
        """Close the workers' sockets (they exit when they read the end) and wait for them."""
        if self.broken is None:
            self.broken = "shut down"
            self._close(None)
        for channel in self._channels:
            channel.process.join()
