"""Extensions: the crawl-run health record of each source, and a progress display."""

from __future__ import annotations

import functools
import sys
from typing import Any

from scrapy import signals

from regwatch.crawler.store import CrawlStore
from regwatch.storage.repository import sync_sources


def _count(stats: dict[str, Any], key: str) -> int:
    return stats.get(f"regwatch/{key}", 0) or 0


def run_errors(stats: dict[str, Any]) -> int:
    """Failed list requests, failed articles, spider exceptions and pipeline errors of a crawl."""
    return (_count(stats, "request_errors") + _count(stats, "articles_failed")
            + (stats.get("spider_exceptions/count", 0) or 0))


def run_status(stats: dict[str, Any], reason: str) -> tuple[str, str, str]:
    """(status, reason, summary) of a finished crawl from its stats; statuses as in ``storage.repository.RUN_STATUSES``.

    ``reason`` is one line saying why a run is not ``ok`` (empty for ``ok``).
    """
    g = lambda key: _count(stats, key)  # noqa: E731
    errors = run_errors(stats)
    summary = (f"list items {g('list_items')}, already stored {g('articles_known')}, new {g('articles_new')}, "
               f"cases {g('cases_new')} new + {g('cases_merged')} merged, not modified {g('not_modified')}, "
               f"pending {g('articles_pending')}, retried {g('articles_retried')}, bad links {g('bad_links')}, "
               f"over the item limit {g('items_over_limit')}, errors {errors}")
    request_error = stats.get("regwatch/error_reason") or ""
    article_error = stats.get("regwatch/article_error") or ""
    if stats.get("regwatch/blocked"):
        return "blocked", stats["regwatch/blocked"], summary
    if reason not in ("finished",):
        return "error", f"crawl stopped early ({reason})", summary
    if g("list_items") == 0 and g("selector_misses"):
        return "selectors_broken", "list selectors matched nothing", summary
    if g("article_pages") and g("articles_empty") == g("article_pages") and not g("articles_new"):
        return "selectors_broken", "no article text found on any page", summary
    if g("articles_given_up"):
        return "error", f"gave up on {g('articles_given_up')} article(s) after repeated failures: {article_error}", summary
    if g("articles_failed"):
        return "error", f"{g('articles_failed')} article(s) failed, kept for retry: {article_error}", summary
    if g("request_errors"):
        return "error", f"{g('request_errors')} request(s) failed: {request_error}", summary
    if errors:
        return "error", f"{errors} error(s) in the spider (run with -v for details)", summary
    if g("list_items") == 0 and g("not_modified") == 0:
        return "empty", "the source listed nothing", summary
    return "ok", "", summary


def run_record(stats: dict[str, Any], reason: str) -> dict[str, Any]:
    """The fields of a finished crawl's run record (``CrawlRunLog.finish``), plus ``reason``."""
    status, why, summary = run_status(stats, reason)
    return {"status": status, "reason": why, "message": f"{why}; {summary}" if why else summary,
            "pages_fetched": stats.get("downloader/response_count", 0) or 0, "new_articles": _count(stats, "articles_new"),
            "skipped": _count(stats, "articles_known") + _count(stats, "articles_skipped"), "errors": run_errors(stats),
            "selector_misses": _count(stats, "selector_misses")}


class CrawlRunRecorder:
    """Opens a crawl-run row when the spider starts and fills it from the stats when it closes.

    Runs left ``running`` by a crawl process that died are closed as ``interrupted`` first. The
    run's id is kept in the stats (``regwatch/run_id``) so the process reports its own runs only.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CrawlRunRecorder":
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_opened(self, spider: Any) -> None:
        store = CrawlStore.of(self.crawler)
        await store.db(sync_sources, store.engine, [spider.source])
        await store.db(store.runs.close_interrupted)
        self.run_id = await store.db(store.runs.start, spider.source.id)
        self.crawler.stats.set_value("regwatch/run_id", self.run_id)

    async def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None:
            return
        store = CrawlStore.of(self.crawler)
        record = run_record(self.crawler.stats.get_stats(), reason)
        record.pop("reason")
        await store.db(functools.partial(store.runs.finish, self.run_id, **record))


class ProgressReporter:
    """Prints one line per stored article and a summary per source (``REGWATCH_PROGRESS = True``)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ProgressReporter":
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("REGWATCH_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any, response: Any, spider: Any) -> None:
        cases = len(item.cases)
        label = f"{cases} case{'s' if cases != 1 else ''}" if item.is_enforcement else "not enforcement"
        sys.stderr.write(f"  [{item.source_id}] + {item.title[:60]} ({label})\n")

    def spider_closed(self, spider: Any, reason: str) -> None:
        status, why, summary = run_status(self.crawler.stats.get_stats(), reason)
        sys.stderr.write(f"  [{spider.source.id}] {status}: {why + '; ' if why else ''}{summary}\n")
