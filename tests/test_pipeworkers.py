"""Worker processes fed from the event loop: messages, results in order, errors, a worker that
dies, workers that end with the process that started them."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from crawler.pipeworkers import PipeWorkers, framed, outcome, take_messages
from tests.cli import ROOT
from tests.test_faults import alive


def test_messages_are_taken_whole_however_they_arrive():
    stream = framed(b"first") + framed(b"") + framed(b"x" * 70_000)
    buffer = bytearray()
    taken = []
    for start in range(0, len(stream), 1000):  # in pieces that cut headers and payloads
        buffer += stream[start : start + 1000]
        taken += take_messages(buffer)
    assert taken == [b"first", b"", b"x" * 70_000]
    assert buffer == bytearray()


def test_an_incomplete_message_stays_in_the_buffer():
    buffer = bytearray(framed(b"done") + framed(b"partial")[:-2])
    assert take_messages(buffer) == [b"done"]
    assert take_messages(buffer) == []
    buffer += b"al"
    assert take_messages(buffer) == [b"partial"]


def fail(message: str) -> None:
    raise ValueError(message)


class Unpicklable(Exception):
    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a} {b}")


def fail_unpicklably() -> None:
    raise Unpicklable("two", "arguments")


def test_an_outcome_is_the_result_or_the_error_with_the_workers_traceback():
    import pickle

    assert pickle.loads(outcome(len, ("abc",))) == (True, 3)
    ok, error = pickle.loads(outcome(fail, ("bad page",)))
    assert not ok and isinstance(error, ValueError) and str(error) == "bad page"
    assert "in fail" in error.__notes__[0]
    ok, error = pickle.loads(outcome(fail_unpicklably, ()))
    assert not ok and isinstance(error, RuntimeError)
    assert str(error) == "Unpicklable: two arguments"


def square(n: int) -> int:
    return n * n


def slow_square(n: int) -> int:
    time.sleep(0.01 * (n % 3))
    return n * n


def die() -> None:
    os._exit(3)


def run(coroutine_function, *args):
    return asyncio.run(coroutine_function(*args))


@pytest.fixture
def workers():
    pool = PipeWorkers(2, niceness=3)
    yield pool
    pool.shutdown()


def test_tasks_run_in_the_workers_and_each_gets_its_own_result(workers):
    async def main():
        results = await asyncio.gather(*(workers.run(slow_square, n) for n in range(60)))
        pids = set(await asyncio.gather(*(workers.run(os.getpid) for _ in range(20))))
        big = await workers.run(str.upper, "a" * 3_000_000)  # more than a socket buffer
        return results, pids, big

    results, pids, big = run(main)
    assert results == [n * n for n in range(60)]
    assert pids <= set(workers.pids) and os.getpid() not in pids
    assert big == "A" * 3_000_000


def test_workers_run_at_the_niceness_asked(workers):
    async def main():
        return await workers.run(os.nice, 0)

    assert run(main) == os.nice(0) + 3


def test_an_error_reaches_the_caller_and_the_workers_go_on(workers):
    async def main():
        with pytest.raises(ValueError, match="bad page"):
            await workers.run(fail, "bad page")
        return await workers.run(square, 7)

    assert run(main) == 49


def test_a_dead_worker_breaks_the_pool_and_fails_its_tasks(workers):
    async def main():
        tasks = [workers.run(slow_square, n) for n in range(6)]
        death = workers.run(die)
        outcomes = await asyncio.gather(*tasks, death, return_exceptions=True)
        with pytest.raises(BrokenProcessPool):
            workers.run(square, 2)
        return outcomes

    outcomes = run(main)
    assert isinstance(outcomes[-1], BrokenProcessPool)
    assert "exit code 3" in str(outcomes[-1])
    assert all(o == n * n or isinstance(o, BrokenProcessPool) for n, o in enumerate(outcomes[:-1]))
    assert workers.broken is not None
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers.pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers.pids)  # the other one is stopped too


def test_shutdown_ends_the_workers():
    pool = PipeWorkers(2)
    pids = pool.pids
    assert all(pid is not None and alive(pid) for pid in pids)
    pool.shutdown()
    assert not any(alive(pid) for pid in pids if pid is not None)


def test_workers_end_when_the_process_that_started_them_is_killed():
    script = textwrap.dedent(
        """
        import time
        from crawler.pipeworkers import PipeWorkers
        pool = PipeWorkers(2)
        print(" ".join(map(str, pool.pids)), flush=True)
        time.sleep(600)
        """
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=ROOT) as p:
        assert p.stdout is not None
        workers = [int(pid) for pid in p.stdout.readline().split()]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        p.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def test_an_interpreter_that_exits_without_shutting_them_down_does_not_wait_forever():
    script = "from crawler.pipeworkers import PipeWorkers\npool = PipeWorkers(2)\nprint('started')"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
