"""Faults in the middle of a run, made for real: the crawler killed with SIGKILL, the database
server stopped. Nothing is lost and nothing is stored twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.exc import SQLAlchemyError

from crawler.jobs import RUNNING, close_job_dir, recover_job_dir
from tests.cli import finish, scrapy, start_scrapy
from tests.conftest import make_text, sql
from tests.site import AnalysisSite
from tests.test_web_crawl import sites_file

ARTICLES = 40


@pytest.fixture(scope="module")
def site():
    with AnalysisSite(articles=ARTICLES, seed=11) as running:
        yield running


def crawl_args(db_url: str, folder: Path, site: AnalysisSite) -> list[str]:
    """A slow, steady crawl of the site (one request at a time), stored in small batches."""
    sites = sites_file(folder, site, max_pages=500, max_depth=6)
    settings = {
        "DATABASE_URL": db_url,
        "SITES_FILE": sites,
        "STORAGE_SPOOL_DIR": folder / "spool",
        "STORAGE_BATCH_SIZE": 4,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0.05,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "ANALYSIS_MAX_PATTERN_PAGES": 8,
    }
    return ["crawl", "analysis", *(f"-s{k}={v}" for k, v in settings.items())]


def stored_count(db_url: str) -> int:
    try:
        return sql(db_url, "SELECT count(*) FROM articles")[0][0]
    except SQLAlchemyError:  # the schema is not there yet
        return 0


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, "the crawl ended before the fault could be made"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.1)


def assert_every_article_stored_once(db_url: str, site: AnalysisSite) -> None:
    titles = [title for (title,) in sql(db_url, "SELECT title FROM articles")]
    assert sorted(titles) == sorted(a.title for a in site.articles)
    urls = sql(db_url, "SELECT uri FROM origins")
    assert len(urls) == len(set(urls)) == ARTICLES


def spooled(folder: Path) -> list[Path]:
    return sorted((folder / "spool").glob("*.jsonl"))


def test_a_crawl_killed_mid_run_and_restarted_with_its_jobdir_stores_every_article_once(
    db_url, site, tmp_path
):
    args = [*crawl_args(db_url, tmp_path, site), f"-sJOBDIR={tmp_path / 'job'}"]
    process = start_scrapy(*args)
    wait_until(lambda: stored_count(db_url) >= ARTICLES // 3, process)
    process.send_signal(signal.SIGKILL)
    finish(process)  # returns: the crawl's worker processes end with it
    assert 0 < stored_count(db_url) < ARTICLES

    restarted = scrapy(*args)

    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert "was not closed by its last run (killed?)" in restarted.stderr
    assert_every_article_stored_once(db_url, site)
    assert spooled(tmp_path) == []
    assert not (tmp_path / "job" / "crawler.running").exists()  # closed: resumable again


def test_a_database_stopped_mid_run_loses_nothing(private_postgres, site, tmp_path):
    db_url = private_postgres.url
    process = start_scrapy(*crawl_args(db_url, tmp_path, site))
    wait_until(lambda: stored_count(db_url) >= 8, process)
    private_postgres.stop()

    failed = finish(process)

    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    failures = [line for line in failed.stderr.splitlines() if " failed: database " in line]
    assert len(failures) == 1, failed.stderr[-3000:]
    assert "articles kept in the spool" in failures[0]
    assert (
        f"{tmp_path / 'spool'}, to be stored by the next run or by `scrapy db replay`"
        in (failures[0])
    )
    assert spooled(tmp_path)

    private_postgres.start()
    stored_before = stored_count(db_url)
    replayed = scrapy("db", "replay", f"-sDATABASE_URL={db_url}",
                      f"-sSTORAGE_SPOOL_DIR={tmp_path / 'spool'}")  # fmt: skip

    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.startswith("Stored ")
    assert stored_before < ARTICLES
    assert_every_article_stored_once(db_url, site)  # the crawl went on; its items waited
    assert spooled(tmp_path) == []


SEED_FILES = 3000


@pytest.fixture(scope="module")
def large_seed_folder(tmp_path_factory) -> Path:
    """Enough seed files that an import is still running a few seconds in."""
    root = tmp_path_factory.mktemp("large")
    for doc in range(SEED_FILES):
        folder = root / f"{doc % 7}"
        folder.mkdir(exist_ok=True)
        (folder / f"{doc:05d}.txt").write_text(
            f"Date: 2023-{doc % 12 + 1:02d}-{doc % 28 + 1:02d} Author: Ewa Król\n\n"
            f"Interrupted analysis {doc}\n\n{make_text(doc, paragraphs=6)}\n",
            encoding="utf-8",
        )
    return root


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_an_import_interrupted_by_its_process_group_stops_cleanly(
    signal_number, db_url, large_seed_folder, tmp_path
):
    """Ctrl-C in a terminal, or a service manager stopping the run, signals every process of
    the group, workers included: the run stops within seconds, without a traceback, says it
    failed and why, and the next run stores the rest."""
    args = [
        "crawl", "seeds", "-a", f"path={large_seed_folder}", "-s", f"DATABASE_URL={db_url}",
        "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", "STORAGE_BATCH_SIZE=50",
    ]  # fmt: skip
    process = start_scrapy(*args, new_session=True)
    wait_until(lambda: stored_count(db_url) >= 100, process)
    os.killpg(process.pid, signal_number)
    result = finish(process, timeout=30)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert sum("(seeds) failed: shutdown" in line for line in result.stderr.splitlines()) == 1
    assert stored_count(db_url) < SEED_FILES
    rerun = scrapy(*args)
    assert rerun.returncode == 0, rerun.stderr
    assert stored_count(db_url) == SEED_FILES
    assert sql(db_url, "SELECT count(*) FROM origins")[0][0] == SEED_FILES


def test_an_import_whose_writer_process_is_killed_keeps_its_articles_for_the_next_run(
    large_seed_folder, tmp_path
):
    """The out-of-memory killer takes the writer: the run goes on into the spool, ends with
    one error line and exit 1, and the next run stores every article once."""
    database = tmp_path / "import.sqlite3"
    db_url = f"sqlite:///{database}"
    args = [
        "crawl", "seeds", "-a", f"path={large_seed_folder}", "-s", f"DATABASE_URL={db_url}",
        "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", "STORAGE_BATCH_SIZE=50",
    ]  # fmt: skip
    process = start_scrapy(*args)
    wait_until(lambda: stored_count(db_url) >= 100, process)
    [writer] = {pid for pid in processes_with_open(database) if pid != process.pid}
    os.kill(writer, signal.SIGKILL)
    result = finish(process)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [summary] = [line for line in result.stderr.splitlines() if "(seeds) failed:" in line]
    assert "the writer process ended unexpectedly" in summary and "kept in the spool" in summary
    assert spooled(tmp_path)
    rerun = scrapy(*args)
    assert rerun.returncode == 0, rerun.stderr
    assert stored_count(db_url) == SEED_FILES
    assert sql(db_url, "SELECT count(*) FROM origins")[0][0] == SEED_FILES
    assert spooled(tmp_path) == []


def processes_with_open(path: Path) -> set[int]:
    """The processes that hold ``path`` open."""
    found = set()
    for fd_folder in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(link.resolve() == path.resolve() for link in fd_folder.iterdir()):
                found.add(int(fd_folder.parent.name))
        except OSError:  # ended, or not ours to look at
            continue
    return found


def test_worker_processes_end_when_the_process_that_started_them_is_killed(tmp_path):
    script = textwrap.dedent(
        """
        import os, sys, time
        from crawler.workers import worker_pool
        pool = worker_pool(2, processes=True, name="test")
        pids = {pool.submit(os.getpid).result() for _ in range(20)}
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(600)
        """
    )
    root = Path(__file__).parent.parent
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=root
    ) as process:
        assert process.stdout is not None
        workers = [int(pid) for pid in process.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)
        process.send_signal(signal.SIGKILL)

    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie waiting for its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_job_directory_its_last_run_did_not_close_is_reset(tmp_path):
    job = tmp_path / "job"
    (job / "requests.queue" / "p0").mkdir(parents=True)
    (job / "requests.seen").write_text("0123abcd\n")
    (job / "spider.state").write_bytes(b"kept")
    (job / RUNNING).write_text("12345\n")  # as a killed run leaves it

    assert recover_job_dir(job) is True

    assert not (job / "requests.seen").exists()
    assert not (job / "requests.queue").exists()
    assert (job / "spider.state").read_bytes() == b"kept"
    assert (job / RUNNING).read_text() == f"{os.getpid()}\n"


def test_a_job_directory_closed_by_its_run_is_resumed_as_it_is(tmp_path):
    job = tmp_path / "job"
    (job / "requests.queue").mkdir(parents=True)
    (job / "requests.seen").write_text("0123abcd\n")

    assert recover_job_dir(job) is False
    assert (job / "requests.seen").read_text() == "0123abcd\n"
    close_job_dir(job)
    assert not (job / RUNNING).exists()
