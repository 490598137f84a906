"""The spool: batches the database refused, kept on disk until they are stored.

When the database refuses a batch (it went away in the middle of a run), that batch and every
later one of the run are written to JSON Lines files of their own, one file a batch, and the
next run or ``scrapy db replay`` stores them; storage deduplicates, so an item replayed after
its batch was in fact committed changes nothing. Batches on their way to the database are in
memory only: a run killed outright loses them, and the next run reads them again from their
source (their files, or their pages, which are not stored and so are fetched again).

A file is ``flock``-ed while it is written and while a replay reads it, so a replay never
takes a file still being written nor one another replay holds. The kernel drops the lock when
a process dies, even by SIGKILL.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count, islice
from pathlib import Path
from typing import IO

from crawler.items import Article
from crawler.storage.repository import BatchResult

logger = logging.getLogger(__name__)

SUFFIX = ".jsonl"
FORMAT = 1
"""Spool file version, in each file's first line."""


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def header(database: str) -> bytes:
    """A spool file's first line: its format and the database (password masked) it is for."""
    return _line({"spool": FORMAT, "database": database})


def _line(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode() + b"\n"


FIELDS = tuple(f.name for f in dataclasses.fields(Article))


def encode(item: Article) -> bytes:
    """One item as one JSON line (its fields hold JSON values already: no deep copy)."""
    return _line({name: getattr(item, name) for name in FIELDS})


def decode(line: bytes) -> Article:
    """An item from its JSON line; ValueError (or TypeError) when the line is not one."""
    value = json.loads(line)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return Article(**value)


@dataclass
class LockedFile:
    """A spool file open and locked by this process, until its batch is stored or kept."""

    path: Path
    handle: IO[bytes]

    def stored(self) -> None:
        """The batch is committed: the file goes (removed before its lock is let go)."""
        self.path.unlink(missing_ok=True)
        self.handle.close()

    def keep(self) -> None:
        """The batch is not stored: the file stays for a replay, unlocked."""
        self.handle.close()


def write_file(path: Path, database: str, items: list[Article]) -> LockedFile:
    """Write a batch's file (the header, then one line per item) in one write, and keep it
    locked: the caller lets it go when the batch is stored or kept."""
    handle = path.open("xb", buffering=0)
    fcntl.flock(handle, fcntl.LOCK_EX)
    handle.write(b"".join([header(database), *map(encode, items)]))
    return LockedFile(path, handle)


class Spool:
    """The spool folder of one database. ``database`` names it as shown to users (password
    masked); files written for another database are left alone."""

    def __init__(self, folder: str | Path, database: str) -> None:
        self.folder = Path(folder)
        self.database = database
        self._prefix = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._numbers = count(1)

    def next_path(self) -> Path:
        """The path of the next batch's file (the folder is created on first use)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{self._prefix}-{next(self._numbers):05d}{SUFFIX}"

    def keep(self, items: list[Article]) -> Path:
        """Write a batch that is not to be stored now to a file of its own, for a replay."""
        path = self.next_path()
        write_file(path, self.database, items).keep()
        return path

    def leftovers(self) -> list[Path]:
        """Spool files in the folder, oldest first (their names start with their time)."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"*{SUFFIX}"))

    def claim(self, path: Path) -> Claim | None:
        """Lock a left-over file for replay; None when another process holds it (a batch still
        in flight, or another replay) or when it is gone."""
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        if os.fstat(handle.fileno()).st_nlink == 0:  # stored by its owner meanwhile
            handle.close()
            return None
        return Claim(path, handle)


@dataclass
class Claim(LockedFile):
    """A left-over spool file, locked for replay."""

    database: str | None = field(init=False)
    bad_lines: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        first = self.handle.readline()
        try:
            self.database = json.loads(first).get("database")
        except (ValueError, AttributeError):
            self.database = None

    def items(self) -> Iterator[Article]:
        """The file's items; a line that is not one is logged, counted and skipped."""
        for number, line in enumerate(self.handle, start=2):
            if not line.strip():
                continue
            try:
                yield decode(line)
            except (ValueError, TypeError) as exc:
                self.bad_lines += 1
                logger.warning("Spool file %s, line %d skipped: %s", self.path, number, exc)


@dataclass
class Replayed:
    """What a replay did."""

    files: int = 0
    items: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    busy: int = 0
    """Files skipped because a running process holds them."""
    other_database: int = 0
    """Files skipped because they were written for another database."""
    bad_lines: int = 0
    error: str | None = None
    """Why the replay stopped early (the database's reason); the files not stored stay."""


def replay(
    spool: Spool, store: Callable[[list[Article]], BatchResult | str], batch_size: int
) -> Replayed:
    """Store the items of every left-over spool file of this database, ``batch_size`` at a
    time through ``store``; a file goes once all its items are stored. Stops at the first
    batch the database refuses (the rest waits for the next replay)."""
    done = Replayed()
    for path in spool.leftovers():
        claim = spool.claim(path)
        if claim is None:
            done.busy += 1
            continue
        if claim.database != spool.database:
            done.other_database += 1
            claim.keep()
            continue
        for batch in batched(claim.items(), batch_size):
            result = store(batch)
            if isinstance(result, str):
                done.error = result
                claim.keep()
                return done
            done.items += len(batch)
            done.outcomes.update(result.outcomes)
        done.bad_lines += claim.bad_lines
        done.files += 1
        claim.stored()
    return done
