"""Hostile answers (compression bomb, oversized body, timeout): logged once, counted, survived."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli import export, scrapy

BOMB = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
ARTICLE = (
    "<html><head><title>Fine</title>"
    '<meta property="og:type" content="article"></head><body><article><h1>A Fine Article</h1>'
    '<time datetime="2024-02-01">1 February 2024</time>'
    + "".join(
        f"<p>Paragraph {i} on the Baltic energy market and its neighbours.</p>" for i in range(30)
    )
    + "</article></body></html>"
).encode()


class Hostile(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif self.path == "/bomb":
            self._send(200, BOMB, "text/html", {"Content-Encoding": "gzip"})
        elif self.path == "/big":
            self._send(200, b"<p>" + b"x" * 3_000_000 + b"</p>", "text/html")
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, ARTICLE, "text/html")
        else:
            self._send(200, ARTICLE, "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def hostile():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_hostile_answers_are_logged_once_counted_and_the_run_goes_on(hostile, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    urls = ",".join(f"{hostile}{p}" for p in ("/bomb", "/big", "/slow", "/fine"))
    result = scrapy(
        "crawl", "article", "-a", f"urls={urls}", "-s", f"DATABASE_URL={db_url}",
        "-s", "DOWNLOAD_MAXSIZE=1000000", "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=1",
        "-s", "RUN_MAX_ERROR_RATE=1",  # 3 pages of 4 fail on purpose: not what is tested here
    )  # fmt: skip
    log = result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "Traceback" not in log
    for path in ("/bomb", "/big", "/slow"):
        lines = [
            line
            for line in log.splitlines()
            if f"{hostile}{path}" in line and ("WARNING" in line or "ERROR" in line)
        ]
        assert len(lines) == 1, (path, lines)
    [summary] = [line for line in log.splitlines() if "(article) finished" in line]
    assert "errors 3 (timeout: 1, too_large: 2)" in summary
    assert [a["title"] for a in export(db_url)] == ["A Fine Article"]
