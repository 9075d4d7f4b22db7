"""The worker pool: results come back from the worker process, and a dead worker is survived."""

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
    workers.start(1)
    yield
    workers.stop()


def test_calls_run_in_another_process(pool):
    assert asyncio.run(workers.call(_pid)) != os.getpid()
    encoding, found = asyncio.run(workers.call(workers.extract_page, "<p>某公司被罚款一万元。</p>".encode("gbk"),
                                               "text/html; charset=gbk", "http://x/", {}, None, None))
    assert encoding == "gb18030" and "罚款" in found.text


def test_a_dead_worker_falls_back_to_in_process(pool):
    assert asyncio.run(workers.call(_die_in_worker)) == "ran in-process"
    assert asyncio.run(workers.call(_pid)) == os.getpid()


def test_without_a_pool_calls_run_here():
    workers.stop()
    assert asyncio.run(workers.call(_pid)) == os.getpid()
