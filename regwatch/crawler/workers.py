"""CPU-heavy pipeline steps (extraction, classification, the store transaction) in a worker process.

Scrapy downloads on one event loop; handing the per-page CPU work to a worker process lets the
loop keep the connections busy and uses a second core. ``run_crawl`` starts the pool (``REGWATCH_PROCESS_WORKERS``; 0 = everything in-process, which is also what a standalone
``scrapy crawl`` does) and stops it when the crawl ends.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from regwatch.config.alerts import Subscription
from regwatch.crawler.context import engine_for_url
from regwatch.crawler.extraction import ArticleExtractor, ExtractedArticle, PageSelectors, decode_html
from regwatch.storage.repository import ArticleRecord, ArticleStore, SaveResult

T = TypeVar("T")
logger = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_extractor: ArticleExtractor | None = None
_classifier: Any = None


def start(workers: int) -> None:
    """Start ``workers`` worker processes (0: none, run in-process)."""
    global _pool
    stop()
    if workers > 0:
        _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up)
        for _ in range(workers):  # spawn (and load jieba) now, while Scrapy starts up
            _pool.submit(_warm_up)


def stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None


async def call(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a worker process when a pool runs, else right here.

    If the worker process dies (killed, out of memory), the crawl carries on in-process.
    """
    global _pool
    if _pool is not None:
        try:
            return await asyncio.wrap_future(_pool.submit(fn, *args))
        except BrokenProcessPool:
            logger.warning("the worker process died; continuing in-process")
            _pool = None
    return fn(*args)


def _warm_up() -> None:
    """Load the extractor and the classifier (jieba's dictionary) once per process."""
    global _extractor, _classifier
    if _extractor is None:
        _extractor = ArticleExtractor()
    if _classifier is None:
        from regwatch.classifiers import EnforcementClassifier

        _classifier = EnforcementClassifier()


def extract_page(body: bytes, content_type: str | None, url: str, selectors: dict[str, str | None],
                 title_hint: str | None, date_hint: str | None) -> tuple[str, ExtractedArticle]:
    """(encoding, extracted article) of a fetched page."""
    _warm_up()
    html, encoding = decode_html(body, content_type)
    found = _extractor.extract(html, url, PageSelectors(selectors.get("body"), selectors.get("title"), selectors.get("date")),  # type: ignore[union-attr]
                               title_hint=title_hint, date_hint=date_hint)
    return encoding, found


def classify_article(title: str, text: str) -> tuple[bool, list[str], list[dict[str, Any]]]:
    """(is enforcement, reasons, case cards as dicts)."""
    _warm_up()
    result = _classifier.classify(title, text)
    return result.is_enforcement, list(result.reasons), [card.to_dict() for card in result.cases]


def store_article(database_url: str, record: ArticleRecord, cases: list[dict[str, Any]],
                  subscriptions: Sequence[Subscription] = ()) -> SaveResult:
    """Write the article, its cases and the alert deliveries they owe (one transaction)."""
    return ArticleStore(engine_for_url(database_url), subscriptions).save_article(record, cases)
