"""Worker pools: forked from a forkserver that imported their modules beforehand, at a lower
scheduling priority when asked."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from crawler.workers import main_script_imports, start_workers, worker_pool
from tests.cli import ROOT


def loaded(module: str) -> bool:
    """Whether ``module`` is imported in this process (run in a worker)."""
    return module in sys.modules


def test_workers_run_at_the_niceness_asked():
    pool = worker_pool(2, processes=True, name="test", niceness=3)
    try:
        start_workers(pool, 2)
        assert pool.submit(os.nice, 0).result() == os.nice(0) + 3
    finally:
        pool.shutdown()


def test_workers_find_the_modules_the_forkserver_imported():
    script = (
        "from crawler.workers import start_forkserver, worker_pool\n"
        "from tests.test_workers import loaded\n"
        "start_forkserver(['email.mime.text'])\n"
        "pool = worker_pool(1, processes=True, name='test')\n"
        "print(pool.submit(loaded, 'email.mime.text').result(), loaded('email.mime.text'))\n"
        "pool.shutdown()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["True", "False"], result.stderr[-2000:]


@pytest.mark.parametrize(
    ("main", "imported_again"),
    [
        (SimpleNamespace(__spec__=None, __file__="/venv/bin/scrapy"), ["scrapy.cmdline"]),
        (SimpleNamespace(__spec__=SimpleNamespace(name="scrapy.__main__")), []),
        (SimpleNamespace(__spec__=SimpleNamespace(name="__main__")), []),
        (SimpleNamespace(__spec__=SimpleNamespace(name="tools.run")), ["tools.run"]),
        (SimpleNamespace(__spec__=None), []),  # python -c, an interactive session
    ],
)
def test_the_forkserver_imports_what_workers_would_import_again_of_the_main_module(
    main, imported_again
):
    assert main_script_imports(main) == imported_again
