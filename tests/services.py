"""Services some tests need (Redis, PostgreSQL): skipped when absent, unless
``CRAWLER_REQUIRE_SERVICES=1`` (CI) makes their absence a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

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
