"""Run the project's commands as a user does: ``scrapy ...`` in a subprocess from the root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scrapy(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy ARGS`` in the project root; output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def export(db_url: str, *options: str) -> list[dict]:
    """``scrapy export -o -`` of the database, parsed."""
    result = scrapy("export", "-o", "-", "-s", f"DATABASE_URL={db_url}", *options)
    assert result.returncode == 0, result.stderr
    assert "\\u" not in result.stdout  # ordinary letters are written as they are
    return [json.loads(line) for line in result.stdout.splitlines()]


def start_scrapy(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``scrapy ARGS`` in the project root without waiting; output captured as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Wait for a started ``scrapy`` and return what ``scrapy()`` would have."""
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
