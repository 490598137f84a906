"""Run locks: two runs of one spider (with the same arguments) never overlap on one database.

A local run holds its spider's lock exclusively. The workers of a distributed job hold it
shared and tagged with their job, so they join each other but neither a local run nor
another job of the same spider. The operating system or the database server releases the
lock when its holder ends, however it ends: no stale lock outlives a killed process.

- SQLite: ``flock`` on ``<database file>.<spider>.lock`` next to the database (SQLite is
  local to one machine); the holder writes who it is into the file.
- PostgreSQL: session advisory locks on a dedicated connection; holders are found in
  ``pg_locks``/``pg_stat_activity`` and named by their ``application_name``.
- An in-memory SQLite database belongs to one process: nothing to lock. Other databases
  run unlocked, with a warning.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, make_url, text

from crawler.storage.db import make_engine

logger = logging.getLogger(__name__)

WAIT = 2.0
"""Seconds a worker retries while another worker of its job is taking the lock."""


class RunLockHeld(RuntimeError):
    """Another run holds the lock; the message names the spider and the holder."""


@dataclass(frozen=True)
class Holder:
    """Who holds a run lock."""

    spider: str
    job: str | None
    pid: int
    host: str
    since: str

    @classmethod
    def me(cls, spider: str, job: str | None) -> Holder:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return cls(spider, job, os.getpid(), socket.gethostname(), now)

    def describe(self) -> str:
        who = f"pid {self.pid} on {self.host}, since {self.since}"
        return f"distributed job {self.job!r} ({who})" if self.job else who


def held_message(spider: str, holder: str) -> str:
    return f"{spider} is already running on this database: {holder}"


class RunLock(Protocol):
    def release(self) -> None: ...


class NoLock:
    """The lock of a database that needs none (or cannot have one)."""

    def release(self) -> None:
        pass


def run_name(spider: str, arguments: Mapping[str, str] | None = None) -> str:
    """What one run lock covers: a spider with its arguments (``-a``; a ``path`` made
    absolute). The same scheduled run never overlaps itself, while, say, imports of two
    different folders may run side by side (storage keeps concurrent writers consistent)."""
    if not arguments:
        return spider
    values = {
        key: str(Path(value).expanduser().resolve()) if key == "path" else value
        for key, value in sorted(arguments.items())
    }
    return f"{spider} ({', '.join(f'{key}={value}' for key, value in values.items())})"


def _file_label(name: str) -> str:
    """A file-name part for a run name: the spider, plus a hash of its arguments if any."""
    spider, _, arguments = name.partition(" ")
    return f"{spider}-{zlib.crc32(arguments.encode()):08x}" if arguments else spider


def acquire_run_lock(database_url: str, spider: str, job: str | None = None) -> RunLock:
    """Take the run lock of ``spider`` (a ``run_name``) on the database (shared with the other
    workers of ``job`` for a distributed worker); raise RunLockHeld when another run holds it."""
    url = make_url(database_url)
    me = Holder.me(spider, job)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:") or "mode=memory" in str(url):
            return NoLock()
        path = Path(url.database).expanduser()
        lock_file = path.with_name(f"{path.name}.{_file_label(spider)}.lock")
        return _retrying(lambda: FileRunLock(lock_file, me), me)
    if backend == "postgresql":
        return _retrying(lambda: PostgresRunLock(database_url, me), me)
    logger.warning("Runs on %s databases are not locked against overlapping", backend)
    return NoLock()


def _retrying(take: Callable[[], RunLock], me: Holder) -> RunLock:
    """A worker may meet another worker of its job in the middle of taking the lock: it
    tries again for ``WAIT`` seconds. A local run gets its answer at once."""
    deadline = time.monotonic() + (WAIT if me.job else 0)
    while True:
        try:
            return take()
        except RunLockHeld:
            if time.monotonic() >= deadline:
                raise
        time.sleep(0.05)


class FileRunLock:
    """``flock`` on a file next to the SQLite database; the file says who holds it."""

    def __init__(self, path: Path, me: Holder) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._take(me)
        except BaseException:
            os.close(self.fd)
            raise

    def _take(self, me: Holder) -> None:
        if self._try(fcntl.LOCK_EX):
            self._write(me)
            if me.job is None:
                return
            if not self._try(fcntl.LOCK_SH):  # let the job's other workers in
                raise RunLockHeld(held_message(me.spider, self._holder()))
        elif me.job is None or not self._try(fcntl.LOCK_SH):
            raise RunLockHeld(held_message(me.spider, self._holder()))
        holder = self._read()
        if holder is None or holder.job != me.job:  # only written under LOCK_EX
            raise RunLockHeld(held_message(me.spider, self._holder()))

    def _try(self, mode: int) -> bool:
        try:
            fcntl.flock(self.fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _write(self, me: Holder) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(me.__dict__).encode(), 0)

    def _read(self) -> Holder | None:
        try:
            return Holder(**json.loads(os.pread(self.fd, 4096, 0)))
        except (ValueError, TypeError):
            return None

    def _holder(self) -> str:
        holder = self._read()
        return holder.describe() if holder else f"lock file {self.path}"

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _key(*parts: str) -> int:
    return zlib.crc32("\0".join(parts).encode()) & 0x7FFFFFFF


_NAMESPACE = _key("crawler run lock")
_HOLDERS = text(
    "select l.pid, a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid"
    " where l.locktype = 'advisory' and l.classid = :k1 and l.objid = :k2"
    " and l.objsubid = 2 and l.granted and l.pid <> pg_backend_pid()"
)


class PostgresRunLock:
    """Session advisory locks (spider; spider and job) held by a dedicated connection."""

    def __init__(self, database_url: str, me: Holder) -> None:
        self.engine = make_engine(database_url)
        self.connection: Connection = self.engine.connect()
        try:
            self._take(me)
            self.connection.commit()  # the locks belong to the session, not a transaction
        except BaseException:
            self.release()
            raise

    def _take(self, me: Holder) -> None:
        conn = self.connection
        label = f"crawler {me.spider} pid {me.pid} on {me.host} since {me.since}"
        conn.execute(text("select set_config('application_name', :n, false)"), {"n": label[:63]})
        spider = {"k1": _NAMESPACE, "k2": _key(me.spider)}
        if me.job is None:
            if not conn.scalar(text("select pg_try_advisory_lock(:k1, :k2)"), spider):
                raise RunLockHeld(held_message(me.spider, self._holders(spider)))
            return
        job = {"k1": _NAMESPACE, "k2": _key(me.spider, me.job)}
        conn.scalar(text("select pg_advisory_lock_shared(:k1, :k2)"), job)  # never exclusive
        if not conn.scalar(text("select pg_try_advisory_lock_shared(:k1, :k2)"), spider):
            raise RunLockHeld(held_message(me.spider, self._holders(spider)))
        of_job = {pid for pid, _ in conn.execute(_HOLDERS, job)}
        if any(pid not in of_job for pid, _ in conn.execute(_HOLDERS, spider)):
            raise RunLockHeld(held_message(me.spider, self._holders(spider)))

    def _holders(self, key: dict[str, int]) -> str:
        rows = self.connection.execute(_HOLDERS, key).all()
        return "; ".join(name or f"PostgreSQL backend {pid}" for pid, name in rows) or "unknown"

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.connection.execute(text("select pg_advisory_unlock_all()"))
            self.connection.close()
        self.engine.dispose()  # ends the session, whose locks would go with it anyway
