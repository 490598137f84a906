"""A run's verdict (failed, or error rate over RUN_MAX_ERROR_RATE), its exit status, and
``scrapy runs`` listing what the runs table recorded."""

from __future__ import annotations

import json
import sqlite3

import pytest

from crawler.extensions import error_rate, run_failure
from tests.cli import ROOT, scrapy
from tests.site import AnalysisSite
from tests.test_web_crawl import crawl, sites_file


@pytest.mark.parametrize(
    ("errors", "pages", "rate"),
    [(0, 0, 0.0), (0, 10, 0.0), (3, 12, 0.25), (5, 0, 1.0), (9, 3, 1.0)],
)
def test_error_rate(errors, pages, rate):
    assert error_rate(errors, pages) == rate


@pytest.mark.parametrize(
    ("stats", "reason", "limit", "failure"),
    [
        ({"response_received_count": 10, "errors/http_500": 5}, "finished", 0.5, None),
        (
            {"response_received_count": 10, "errors/http_500": 6},
            "finished",
            0.5,
            "error rate 0.60 (6 errors, 10 pages) is over RUN_MAX_ERROR_RATE 0.5",
        ),
        ({"response_received_count": 10, "errors/timeout": 9}, "finished", 1.0, None),
        (
            {"response_received_count": 10, "errors/dns": 1},
            "finished",
            0.0,
            "error rate 0.10 (1 errors, 10 pages) is over RUN_MAX_ERROR_RATE 0",
        ),
        ({"response_received_count": 3, "store/errors": 2, "run/failed": "database error"},
         "finished", 0.5, "database error"),
        ({}, "shutdown", 0.5, "shutdown"),
        ({}, "finished", 0.5, None),
    ],
)  # fmt: skip
def test_run_failure(stats, reason, limit, failure):
    assert run_failure(stats, reason, limit) == failure


@pytest.fixture(scope="module")
def failing_site():
    with AnalysisSite(articles=8, seed=4, failing=0.8) as site:
        yield site


def test_a_run_over_the_error_rate_exits_non_zero(failing_site, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'bad.sqlite3'}"
    sites = sites_file(tmp_path, failing_site, max_pages=100, max_depth=3)
    result = crawl(db_url, sites)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [summary] = [line for line in result.stderr.splitlines() if "Run 1 (analysis)" in line]
    assert "ERROR" in summary
    assert "failed: error rate" in summary and "is over RUN_MAX_ERROR_RATE 0.5" in summary
    db = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    status, pages, errors = db.execute("select status, pages, errors from runs").fetchone()
    assert status.startswith("failed: error rate")
    assert errors / pages > 0.5


def test_the_limit_is_a_setting(failing_site, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'tolerant.sqlite3'}"
    sites = sites_file(tmp_path, failing_site, max_pages=100, max_depth=3)
    result = crawl(db_url, sites, "-s", "RUN_MAX_ERROR_RATE=1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Run 1 (analysis) finished" in result.stderr


@pytest.fixture(scope="module")
def runs_db(tmp_path_factory) -> str:
    """Three runs: two seed imports and a failed one (a path that does not exist)."""
    folder = tmp_path_factory.mktemp("runs")
    db_url = f"sqlite:///{folder / 'runs.sqlite3'}"
    seeds = ROOT / "seeds"
    for path in (seeds, seeds, folder / "missing"):
        scrapy("crawl", "seeds", "-a", f"path={path}", "-s", f"DATABASE_URL={db_url}")
    return db_url


def runs(db_url: str, *options: str) -> list[str]:
    result = scrapy("runs", "-s", f"DATABASE_URL={db_url}", *options)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_scrapy_runs_lists_the_latest_runs_first(runs_db):
    header, *rows = runs(runs_db)
    assert header.split() == [
        "id", "spider", "started", "finished", "pages", "new", "updated", "merged", "errors",
        "status",
    ]  # fmt: skip
    assert [row.split()[0] for row in rows] == ["3", "2", "1"]
    assert rows[0].split()[1] == "seeds" and "failed:" in rows[0]
    assert rows[1].split()[-1] == "finished"


def test_scrapy_runs_json_lines(runs_db):
    records = [json.loads(line) for line in runs(runs_db, "--json")]
    assert [r["id"] for r in records] == [3, 2, 1]
    first, second = records[2], records[1]
    assert first["status"] == "finished" and first["new"] > 0 and first["errors"] == 0
    assert second["new"] == 0  # the same folder again
    assert first["started"] <= first["finished"]
    assert set(first) == {
        "id", "spider", "job", "started", "finished", "status", "pages", "new", "updated",
        "merged", "errors",
    }  # fmt: skip
    assert records[0]["status"].startswith("failed")


def test_scrapy_runs_options(runs_db):
    assert [json.loads(line)["id"] for line in runs(runs_db, "--json", "-n", "2")] == [3, 2]
    assert runs(runs_db, "--json", "--spider", "analysis") == []
    assert len(runs(runs_db, "--spider", "seeds")) == 4
    bad = scrapy("runs", "-s", f"DATABASE_URL={runs_db}", "-n", "zero")
    assert bad.returncode != 0 and "not a positive number" in bad.stderr
