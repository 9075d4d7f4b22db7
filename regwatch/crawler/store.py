"""``CrawlStore``: the one component of a crawl that owns the database engine and the worker pool.

Built in ``from_crawler`` (it is an extension); spiders, middlewares and pipelines reach it with
``CrawlStore.of(crawler)``. Every database call goes through ``db()``, which runs it in a
thread, or — the store transaction — through the worker pool, so the reactor never waits on the
database; CPU-heavy steps go to ``workers``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from scrapy import signals
from sqlalchemy import Engine

from regwatch.config import ConfigError
from regwatch.config.alerts import Subscription
from regwatch.crawler import workers
from regwatch.crawler.workers import WorkerPool
from regwatch.storage.repository import ArticleRecord, ArticleStore, CrawlRunLog, PendingArticles, SaveResult

T = TypeVar("T")


class CrawlStore:
    """The crawl's database (``REGWATCH_DATABASE_URL``) and worker pool, closed when the engine stops.

    The pool is the one handed over in ``REGWATCH_WORKER_POOL`` (``run_crawl`` shares one pool
    between the crawlers of one process), else one of ``REGWATCH_PROCESS_WORKERS`` workers that
    this store owns.
    """

    def __init__(self, engine: Engine, pool: WorkerPool, *, owns_pool: bool, max_attempts: int, backoff: timedelta,
                 subscriptions: Sequence[Subscription] = ()):
        self.engine = engine
        self.workers = pool
        self._owns_pool = owns_pool
        self.articles = ArticleStore(engine, subscriptions)
        self.pending = PendingArticles(engine, max_attempts=max_attempts, backoff=backoff)
        self.runs = CrawlRunLog(engine)

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CrawlStore":
        from regwatch.storage.db import ensure_schema_current, make_engine

        settings = crawler.settings
        if settings.get("REGWATCH_CONFIG_ERROR"):
            raise ConfigError("settings", [settings.get("REGWATCH_CONFIG_ERROR")])
        url = settings.get("REGWATCH_DATABASE_URL")
        if not url:
            raise ConfigError("crawler settings", ["REGWATCH_DATABASE_URL: not set"])
        engine = make_engine(url)
        ensure_schema_current(engine)  # fail before crawling on a missing or outdated schema
        subscriptions = settings.getlist("REGWATCH_ALERT_SUBSCRIPTIONS")
        shared = settings.get("REGWATCH_WORKER_POOL")
        pool = shared if shared is not None else WorkerPool(settings.getint("REGWATCH_PROCESS_WORKERS"), url, subscriptions,
                                                            settings.get("REGWATCH_RULES_DIR"))
        store = cls(engine, pool, owns_pool=shared is None,
                    max_attempts=settings.getint("REGWATCH_RETRY_ATTEMPTS", 8),
                    backoff=timedelta(seconds=settings.getfloat("REGWATCH_RETRY_BACKOFF", 600)),
                    subscriptions=subscriptions)
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
        return store

    @staticmethod
    def of(crawler: Any) -> "CrawlStore":
        """The crawl's store (the ``CrawlStore`` extension must be enabled)."""
        store = crawler.get_extension(CrawlStore)
        if store is None:
            raise RuntimeError("the CrawlStore extension is not enabled (EXTENSIONS in regwatch.crawler.settings)")
        return store

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` (a repository call) in a thread: the reactor goes on meanwhile."""
        return await asyncio.to_thread(fn, *args)

    async def save_article(self, record: ArticleRecord, cases: list[dict[str, Any]]) -> SaveResult:
        """Store an article with its cases: in a worker (matching cases against stored ones costs CPU), else in a thread."""
        return await self.workers.call(workers.store_article, record, cases,
                                       in_process=lambda: self.db(self.articles.save_article, record, cases))

    def close(self) -> None:
        if self._owns_pool:
            self.workers.close()
        self.engine.dispose()
