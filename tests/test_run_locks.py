"""No overlapping runs: the run lock, in process on SQLite and PostgreSQL, and between two
real ``scrapy crawl`` processes."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from crawler.storage.locks import RunLockHeld, acquire_run_lock, run_name
from tests.cli import scrapy, start_scrapy
from tests.site import AnalysisSite
from tests.test_web_crawl import FAST, sites_file


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'locks.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def test_a_second_local_run_is_refused_and_named(database_url):
    first = acquire_run_lock(database_url, "analysis")
    try:
        with pytest.raises(RunLockHeld) as refused:
            acquire_run_lock(database_url, "analysis")
        message = str(refused.value)
        assert message.startswith("analysis is already running on this database: ")
        assert f"pid {os.getpid()}" in message
        acquire_run_lock(database_url, "seeds").release()  # another spider: no conflict
    finally:
        first.release()
    acquire_run_lock(database_url, "analysis").release()  # released: free again


def test_workers_of_one_job_share_the_lock_and_nobody_else(database_url):
    first = acquire_run_lock(database_url, "analysis", job="night")
    second = acquire_run_lock(database_url, "analysis", job="night")
    try:
        with pytest.raises(RunLockHeld, match="analysis is already running"):
            acquire_run_lock(database_url, "analysis")  # a local run
        with pytest.raises(RunLockHeld, match="analysis is already running"):
            acquire_run_lock(database_url, "analysis", job="other")  # another job
        first.release()
        with pytest.raises(RunLockHeld):
            acquire_run_lock(database_url, "analysis")  # one worker of the job is left
    finally:
        first.release()
        second.release()
    local = acquire_run_lock(database_url, "analysis")
    try:
        with pytest.raises(RunLockHeld):
            acquire_run_lock(database_url, "analysis", job="night")
    finally:
        local.release()


def test_an_in_memory_database_needs_no_lock():
    first = acquire_run_lock("sqlite://", "analysis")
    acquire_run_lock("sqlite://", "analysis").release()
    first.release()


def _wait_for_holder(lock_file: Path, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads(lock_file.read_text()).get("pid") == pid:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} never took the lock")


def test_two_crawl_processes_never_overlap(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'run.sqlite3'}"
    lock_file = tmp_path / "run.sqlite3.analysis.lock"
    args = ["crawl", "analysis", "-s", f"DATABASE_URL={db_url}", *FAST]
    with AnalysisSite(articles=4, seed=9, crawl_delay=0.5) as site:  # a run of a few seconds
        sites = sites_file(tmp_path, site, max_pages=8, max_depth=1)
        first = start_scrapy(*args, "-s", f"SITES_FILE={sites}")
        _wait_for_holder(lock_file, first.pid)
        second = scrapy(*args, "-s", f"SITES_FILE={sites}")
        assert first.poll() is None, "the first run ended before the second was refused"
        _, first_log = first.communicate(timeout=240)
        third = scrapy(*args, "-s", f"SITES_FILE={sites}", "-s", "ANALYSIS_MAX_SITEMAPS=0")
    assert first.returncode == 0, first_log[-3000:]
    assert second.returncode == 1
    [message] = [line for line in second.stderr.splitlines() if "already running" in line]
    assert message.startswith("crawl failed: analysis is already running on this database: ")
    assert f"pid {first.pid} on " in message
    assert "Traceback" not in second.stderr
    assert "Spider opened" not in second.stderr  # refused before anything was fetched
    assert third.returncode == 0, third.stderr[-3000:]  # the lock went with the first run


def test_a_killed_run_leaves_no_stale_lock(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    lock_file = tmp_path / "kill.sqlite3.analysis.lock"
    with AnalysisSite(articles=4, seed=9, crawl_delay=2) as site:
        sites = sites_file(tmp_path, site, max_pages=8, max_depth=1)
        args = ["crawl", "analysis", "-s", f"DATABASE_URL={db_url}", "-s", f"SITES_FILE={sites}"]
        victim = start_scrapy(*args)
        _wait_for_holder(lock_file, victim.pid)
        os.kill(victim.pid, signal.SIGKILL)
        victim.communicate(timeout=60)
        lock = acquire_run_lock(db_url, "analysis")
    lock.release()


def test_runs_with_other_arguments_do_not_block_each_other(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'args.sqlite3'}"
    folder_a = run_name("seeds", {"path": str(tmp_path / "a")})
    assert folder_a == f"seeds (path={tmp_path / 'a'})"
    first = acquire_run_lock(database_url, folder_a)
    try:
        acquire_run_lock(database_url, run_name("seeds", {"path": str(tmp_path / "b")})).release()
        acquire_run_lock(database_url, run_name("seeds")).release()  # the default folder
        with pytest.raises(RunLockHeld, match=r"seeds \(path=.*a\) is already running"):
            acquire_run_lock(database_url, run_name("seeds", {"path": str(tmp_path / "b/../a")}))
    finally:
        first.release()
