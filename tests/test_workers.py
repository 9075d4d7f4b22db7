"""The worker pool: results come back from the worker process, a dead worker is survived, a dead parent kills it."""

from __future__ import annotations

import asyncio
import multiprocessing
import os

import pytest

from regwatch.crawler import workers


def _pid() -> int:
    return os.getpid()


def _die_in_worker() -> str:
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return "ran in-process"


@pytest.fixture
def pool():
    pool = workers.WorkerPool(1)
    yield pool
    pool.close()


def test_calls_run_in_another_process(pool):
    assert asyncio.run(pool.call(_pid)) != os.getpid()
    encoding, found = asyncio.run(pool.call(workers.extract_page, "<p>某公司被罚款一万元。</p>".encode("gbk"),
                                               "text/html; charset=gbk", "http://x/", {}, None, None))
    assert encoding == "gb18030" and "罚款" in found.text


def test_a_dead_worker_falls_back_to_in_process(pool):
    assert asyncio.run(pool.call(_die_in_worker)) == "ran in-process"
    assert asyncio.run(pool.call(_pid)) == os.getpid()


def test_without_workers_calls_run_here():
    assert asyncio.run(workers.WorkerPool(0).call(_pid)) == os.getpid()


def _parent_of_worker() -> tuple[int, int]:
    return os.getpid(), os.getppid()


def test_a_worker_dies_with_its_parent(tmp_path):
    """kill -9 of the process that owns the pool: its worker is gone too (no orphan left running)."""
    import signal
    import subprocess
    import sys
    import time

    script = ("import asyncio, os, sys, time\n"
              "from regwatch.crawler.workers import WorkerPool\n"
              "from tests.test_workers import _parent_of_worker\n"
              "pool = WorkerPool(1)\n"
              "print(asyncio.run(pool.call(_parent_of_worker))[0], flush=True)\n"
              "time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    worker = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{worker}") and "Z" not in _state(worker):
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{worker}") or "Z" in _state(worker), "the worker outlived its parent"


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
