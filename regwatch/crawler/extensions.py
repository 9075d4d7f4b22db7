"""Extensions: the crawl-run health record of each source, and a progress display."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals

from regwatch.crawler.context import engine_for
from regwatch.storage.repository import CrawlRunLog, sync_sources


def _count(stats: dict[str, Any], key: str) -> int:
    return stats.get(f"regwatch/{key}", 0) or 0


def run_errors(stats: dict[str, Any]) -> int:
    """Failed requests (after retries), spider exceptions and pipeline errors of a crawl."""
    return _count(stats, "request_errors") + (stats.get("spider_exceptions/count", 0) or 0) + _count(stats, "item_errors")


def run_status(stats: dict[str, Any], reason: str) -> tuple[str, str]:
    """(status, message) of a finished crawl from its stats; statuses as in ``storage.repository.RUN_STATUSES``."""
    g = lambda key: _count(stats, key)  # noqa: E731
    errors = run_errors(stats)
    summary = (f"list items {g('list_items')}, already stored {g('articles_known')}, new {g('articles_new')}, "
               f"cases {g('cases_new')} new + {g('cases_merged')} merged, not modified {g('not_modified')}, "
               f"errors {errors}")
    if stats.get("regwatch/blocked"):
        return "blocked", stats["regwatch/blocked"]
    if reason not in ("finished",):
        return "error", f"crawl stopped early ({reason}); {summary}"
    if g("list_items") == 0 and g("selector_misses"):
        return "selectors_broken", f"list selectors matched nothing; {summary}"
    if g("article_pages") and g("item_errors") >= g("article_pages"):
        return "error", f"no article could be processed; {summary}"
    if g("article_pages") and g("articles_empty") == g("article_pages"):
        return "selectors_broken", f"no article text found on any page; {summary}"
    if g("list_items") == 0 and g("not_modified") == 0:
        if errors:
            return "error", summary
        return "empty", f"the source listed nothing; {summary}"
    return "ok", summary


class CrawlRunRecorder:
    """Opens a crawl-run row when the spider starts and fills it from the stats when it closes."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> "CrawlRunRecorder":
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def _log(self) -> CrawlRunLog:
        return CrawlRunLog(engine_for(self.crawler.settings))

    def spider_opened(self, spider: Any) -> None:
        engine = engine_for(self.crawler.settings)
        sync_sources(engine, [spider.source])
        self.run_id = self._log().start(spider.source.id)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        self.crawler.stats.inc_value("regwatch/item_errors")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats.get_stats()
        status, message = run_status(stats, reason)
        self._log().finish(
            self.run_id, pages_fetched=stats.get("downloader/response_count", 0) or 0,
            new_articles=_count(stats, "articles_new"),
            skipped=_count(stats, "articles_known") + _count(stats, "articles_skipped"),
            errors=run_errors(stats), status=status, message=message,
            selector_misses=_count(stats, "selector_misses"))


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
        status, message = run_status(self.crawler.stats.get_stats(), reason)
        sys.stderr.write(f"  [{spider.source.id}] {status}: {message}\n")
