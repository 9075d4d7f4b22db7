"""CPU-heavy pipeline steps (extraction, classification, the store transaction with its case matching)
in worker processes that die with the crawl.

Scrapy downloads on one event loop; handing the per-page CPU work to a worker process lets the
loop keep the connections busy and uses a second core. A ``WorkerPool`` is owned by whoever
builds it (``run_crawl`` for a multi-source crawl, else the crawl's ``CrawlStore``); 0 workers
runs everything in-process.

A worker never outlives the crawl process: on Linux the kernel kills it when its parent dies
(``PR_SET_PDEATHSIG``), and a watchdog thread checks the parent pid elsewhere — so ``kill -9``
of a crawl leaves no process behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from regwatch.clock import BEIJING
from regwatch.config.alerts import Subscription
from regwatch.crawler.extraction import (
    ArticleExtractor,
    ExtractedArticle,
    PageSelectors,
    decode_html,
)
from regwatch.storage.repository import ArticleRecord, ArticleStore, SaveResult

T = TypeVar("T")
logger = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
_WATCHDOG_SECONDS = 1.0
# The worker process's own extractor, classifier (jieba's dictionary takes a second to load) and store.
_extractor: ArticleExtractor | None = None
_classifier: Any = None
_store: ArticleStore | None = None
_rules_dir: str | None = None


class WorkerPool:
    """``workers`` worker processes (0: run calls in-process); ``close()`` stops them.

    With a ``database_url`` each worker opens its own engine on it, for ``store_article``, which
    also writes the alert deliveries new cases owe to ``subscriptions``.
    """

    def __init__(self, workers: int, database_url: str | None = None, subscriptions: Sequence[Subscription] = (),
                 rules_dir: str | None = None):
        global _rules_dir
        _rules_dir = rules_dir  # for calls run in this process
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker,
                                             initargs=(os.getpid(), database_url, list(subscriptions), rules_dir))
            for _ in range(workers):  # spawn (and load jieba) now, while Scrapy starts up
                self._pool.submit(_warm_up)

    async def call(self, fn: Callable[..., T], *args: Any, in_process: Callable[[], Awaitable[T]] | None = None) -> T:
        """``fn(*args)`` in a worker process when the pool runs, else ``await in_process()`` or ``fn(*args)`` here.

        If a worker process dies (killed, out of memory), the crawl carries on in-process.
        """
        pool = self._pool
        if pool is not None:
            try:
                return await asyncio.wrap_future(pool.submit(fn, *args))
            except BrokenProcessPool:
                if self._pool is pool:  # the first call to see it says so; concurrent ones just go on
                    logger.warning("the worker process died; continuing in-process")
                    self._pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
        return await in_process() if in_process is not None else fn(*args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __deepcopy__(self, memo: dict[int, Any]) -> "WorkerPool":
        # Handed to each crawler through Scrapy settings, which are deep-copied: share, never copy.
        return self


def _init_worker(parent_pid: int, database_url: str | None, subscriptions: list[Subscription],
                 rules_dir: str | None) -> None:
    """Tie this worker's life to the crawl process, open its database engine, load the extractor and the classifier."""
    global _store, _rules_dir
    _rules_dir = rules_dir
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watchdog").start()
    if database_url:
        from regwatch.storage.db import make_engine

        _store = ArticleStore(make_engine(database_url), subscriptions)
    _warm_up()


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(_WATCHDOG_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(1)


def _warm_up() -> None:
    """Load the extractor and the classifier (jieba's dictionary) once per process."""
    global _extractor, _classifier
    if _extractor is None:
        _extractor = ArticleExtractor()
    if _classifier is None:
        from regwatch.classifiers import EnforcementClassifier

        _classifier = EnforcementClassifier(Path(_rules_dir) if _rules_dir else None)


def extract_page(body: bytes, content_type: str | None, url: str, selectors: dict[str, str | None],
                 title_hint: str | None, date_hint: str | None) -> tuple[str, ExtractedArticle]:
    """(encoding, extracted article) of a fetched page."""
    _warm_up()
    html, encoding = decode_html(body, content_type)
    found = _extractor.extract(html, url, PageSelectors(selectors.get("body"), selectors.get("title"), selectors.get("date")),  # type: ignore[union-attr]
                               title_hint=title_hint, date_hint=date_hint)
    return encoding, found


def classify_article(title: str, text: str, published: datetime | None = None) -> tuple[bool, list[str], list[dict[str, Any]]]:
    """(is enforcement, reasons, case cards as dicts); ``published`` dates cases whose text names no year."""
    _warm_up()
    result = _classifier.classify(title, text, published=published.astimezone(BEIJING).date() if published else None)
    return result.is_enforcement, list(result.reasons), [card.to_dict() for card in result.cases]


def store_article(record: ArticleRecord, cases: list[dict[str, Any]]) -> SaveResult:
    """Write the article, its cases and the alert deliveries they owe (one transaction) with the worker's engine."""
    if _store is None:
        raise RuntimeError("this worker pool was started without a database URL")
    return _store.save_article(record, cases)
