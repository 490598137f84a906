"""Run the project's commands as a user does: ``scrapy ...`` in a subprocess from the root."""

from __future__ import annotations

import contextlib
import json
import os
import signal
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


def start_scrapy(
    *args: str, env: dict[str, str] | None = None, new_session: bool = False
) -> subprocess.Popen[str]:
    """Start ``scrapy ARGS`` in the project root without waiting; output captured as text.
    ``new_session``: in a process group of its own, which a signal can be sent to as a
    terminal or a service manager does (``os.killpg``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=new_session,
    )


def finish(
    process: subprocess.Popen[str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Wait for a started ``scrapy`` and return what ``scrapy()`` would have; one still
    running after ``timeout`` seconds is killed (with its process group, if it leads one)
    before TimeoutExpired is raised, so that a failed test leaves nothing running."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
