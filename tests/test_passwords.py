"""Database passwords never reach the user: not in messages, logs, stats or the runs table."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from tests.cli import scrapy
from tests.conftest import make_text, sql

PASSWORD = "S3cret-Pw0rd"
UNREACHABLE = f"postgresql+psycopg://crawler:{PASSWORD}@127.0.0.1:1/crawler"


@pytest.mark.parametrize(
    "command",
    [("crawl", "seeds"), ("crawl", "analysis"), ("export", "-o", "-"), ("db", "upgrade"),
     ("db", "current")],
    ids=" ".join,
)  # fmt: skip
def test_an_unreachable_database_fails_in_one_line_without_the_password(command):
    result = scrapy(*command, "-s", f"DATABASE_URL={UNREACHABLE}")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert PASSWORD not in output
    [line] = [line for line in output.splitlines() if "failed" in line]
    assert "postgresql+psycopg://crawler:***@127.0.0.1:1/crawler" in line
    assert "Connection refused" in line
    assert "Traceback" not in output


def test_a_crawl_with_a_password_keeps_it_out_of_logs_stats_and_runs(databases, tmp_path):
    url = make_url(databases.url("postgresql")).set(password=PASSWORD)  # trust: any password
    url_text = url.render_as_string(hide_password=False)
    (tmp_path / "a.txt").write_text(f"Date: 2023-01-02 Author: Ewa Król\n\nTitle\n\n{make_text(1)}")
    settings = ["-s", f"DATABASE_URL={url_text}", "-s", "LOG_LEVEL=DEBUG"]
    crawl = scrapy("crawl", "seeds", "-a", f"path={tmp_path}", *settings)
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    assert "new 1" in crawl.stderr
    upgrade = scrapy("db", "upgrade", *settings)
    assert ":***@" in upgrade.stdout
    for result in (crawl, upgrade, scrapy("db", "current", *settings)):
        assert PASSWORD not in result.stdout + result.stderr
    [(stats,)] = sql(url_text, "select stats from runs")
    assert PASSWORD not in str(stats)
