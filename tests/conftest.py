"""Shared fixtures: databases and realistic article text."""

from __future__ import annotations

import random

import pytest

from crawler.storage.db import open_database
from tests.services import postgres_url, redis_job, redis_server  # noqa: F401 - fixtures

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


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def sessions(sqlite_url):
    factory = open_database(sqlite_url)
    yield factory
    factory.kw["bind"].dispose()
