"""Services some tests need (Redis, PostgreSQL): skipped when absent, unless
``CRAWLER_REQUIRE_SERVICES=1`` (CI) makes their absence a failure."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.exceptions import RedisError

from crawler.distributed import job_keys

REDIS_URL = os.environ.get("CRAWLER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get(
    "CRAWLER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def unavailable(service: str, reason: str) -> None:
    """Skip the test, or fail it when the services are required."""
    if os.environ.get("CRAWLER_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{service} is required (CRAWLER_REQUIRE_SERVICES=1) but {reason}")
    pytest.skip(f"{service} is not reachable: {reason}")


@pytest.fixture
def redis_server() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except RedisError as exc:
        unavailable(f"Redis at {REDIS_URL}", str(exc))
    yield client
    client.close()


@pytest.fixture
def redis_job(redis_server: redis.Redis) -> Iterator[str]:
    """A job name of this test's own; its keys are deleted afterwards."""
    job = f"test-{uuid.uuid4().hex[:10]}"
    yield job
    redis_server.delete(*job_keys(job).values())


@pytest.fixture
def postgres_url() -> str:
    pytest.importorskip("psycopg", reason="the PostgreSQL driver is not installed")
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except SQLAlchemyError as exc:
        unavailable(f"PostgreSQL at {POSTGRES_URL}", str(exc).splitlines()[0])
    finally:
        engine.dispose()
    return POSTGRES_URL


class PrivatePostgres:
    """A PostgreSQL server of one test's own, on a free port of 127.0.0.1, that the test may
    stop and start again: a new cluster (``initdb``) in a temporary folder. Run as the
    ``postgres`` user when the tests run as root (the server refuses root)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="crawler-pg-"))
        self.data = self.folder / "data"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions")  # fmt: skip

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_user, str(self.bindir / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c fsync=off"
        )
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """Stop at once, as a crash would (open connections are cut)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bindir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: on the PATH, else the newest Debian install."""
    if found := shutil.which("initdb"):
        return Path(found).parent
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    return installed[-1].parent if installed else None


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running PostgreSQL server this test owns (and may stop)."""
    pytest.importorskip("psycopg", reason="the PostgreSQL driver is not installed")
    bindir = postgres_bindir()
    if bindir is None:
        unavailable("A PostgreSQL server of the test's own", "initdb is not installed")
    assert bindir is not None
    server = PrivatePostgres(bindir)
    try:
        server.start()
        yield server
    finally:
        server.remove()
