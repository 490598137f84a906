"""Shared fixtures: databases (SQLite and PostgreSQL) and realistic article text."""

from __future__ import annotations

import itertools
import os
import random
import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError, SQLAlchemyError

from crawler.storage.db import close_databases, open_database, safe_url
from tests.services import (  # noqa: F401 - fixtures
    postgres_url,
    private_postgres,
    redis_job,
    redis_server,
)

DATABASES = ("sqlite", "postgresql")
"""Every storage and end-to-end test runs on each of these."""

POSTGRES_ADMIN_URL = (
    os.environ.get("CRAWLER_TEST_POSTGRES_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
"""A PostgreSQL database a test run may CREATE DATABASE from (trust or password in the URL)."""

LINGUISTIC = (
    "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' "
    "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
)
"""The run's PostgreSQL database sorts text linguistically, as production databases usually
do (en_US); storage must still order and compare as on SQLite."""

REQUIRE_SERVICES = os.environ.get("CRAWLER_REQUIRE_SERVICES") == "1"
"""In CI, PostgreSQL tests fail instead of skipping when the server is unreachable."""

WORDS = [
    "Russia",
    "Ukraine",
    "Iran",
    "Kremlin",
    "sanctions",
    "drones",
    "missiles",
    "Moscow",
    "Tehran",
    "Warsaw",
    "security",
    "council",
    "minister",
    "talks",
    "ceasefire",
    "energy",
    "trade",
    "banking",
    "agriculture",
    "transport",
    "military",
    "cooperation",
    "regime",
    "protests",
    "parliament",
    "delegation",
    "speaker",
    "visit",
    "officials",
    "strategy",
    "alliance",
    "opposition",
    "regional",
    "influence",
    "Caucasus",
    "Syria",
    "Turkey",
    "Armenia",
    "Azerbaijan",
    "budget",
    "economy",
    "inflation",
    "exports",
    "gas",
    "oil",
    "pipeline",
    "border",
    "refugees",
    "elections",
    "policy",
    "analysts",
]


def make_text(seed: int, paragraphs: int = 4, words: int = 60) -> str:
    """Return a deterministic, article-like body of ``paragraphs`` paragraphs."""
    rng = random.Random(seed)
    paras = []
    for _ in range(paragraphs):
        sentence = [rng.choice(WORDS) for _ in range(words)]
        paras.append(" ".join(sentence).capitalize() + ".")
    return "\n\n".join(paras)


class TestDatabases:
    """Fresh empty databases: a SQLite file each, or a PostgreSQL schema each inside one
    database made for this test run (``crawler_test_<pid>_<random>``, dropped at its end)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp = tmp_path_factory
        self.schemas = itertools.count(1)
        self.postgres: str | None = None  # the run's database URL, once made
        self.postgres_error: str | None = None

    def url(self, kind: str) -> str:
        """The URL of a new, empty database of ``kind`` (``sqlite`` or ``postgresql``)."""
        if kind == "sqlite":
            return f"sqlite:///{self.tmp.mktemp('db') / 'test.sqlite3'}"
        base = self._postgres()
        schema = f"t{next(self.schemas)}"
        engine = create_engine(base)
        with engine.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        query = {"options": f"-csearch_path={schema}"}
        return make_url(base).update_query_dict(query).render_as_string(hide_password=False)

    def _postgres(self) -> str:
        if self.postgres is None and self.postgres_error is None:
            name = f"crawler_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            try:
                admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    try:
                        connection.execute(text(f"CREATE DATABASE {name} {LINGUISTIC}"))
                    except ProgrammingError:  # a server without ICU (before PostgreSQL 15)
                        connection.execute(text(f"CREATE DATABASE {name}"))
                admin.dispose()
            except SQLAlchemyError as exc:
                reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
                self.postgres_error = f"PostgreSQL unreachable at {safe_url(POSTGRES_ADMIN_URL)}"
                self.postgres_error += f" ({reason}); set CRAWLER_TEST_POSTGRES_URL"
            else:
                url = make_url(POSTGRES_ADMIN_URL).set(database=name)
                self.postgres = url.render_as_string(hide_password=False)
        if self.postgres_error is not None:
            if REQUIRE_SERVICES:
                pytest.fail(f"{self.postgres_error} (CRAWLER_REQUIRE_SERVICES=1)")
            pytest.skip(self.postgres_error)
        assert self.postgres is not None
        return self.postgres

    def close(self) -> None:
        if self.postgres is None:
            return
        name = make_url(self.postgres).database
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture(autouse=True)
def _close_databases():
    """Close what a test opened through ``database()`` in this process, when it ends (not
    whenever the collector gets to it, in the middle of another test)."""
    yield
    close_databases()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    made = TestDatabases(tmp_path_factory)
    yield made
    made.close()


@pytest.fixture(params=DATABASES)
def db_url(request, databases) -> str:
    """A new, empty database, once per kind."""
    return databases.url(request.param)


@pytest.fixture
def sessions(db_url):
    factory = open_database(db_url)
    yield factory
    factory.kw["bind"].dispose()


def sql(url: str, statement: str, **params: Any) -> list[tuple]:
    """Rows of one SQL statement on the database at ``url`` (either kind)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement), params)]
    finally:
        engine.dispose()
