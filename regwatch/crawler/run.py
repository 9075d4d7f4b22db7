"""Run the spiders of the configured sources in one Scrapy process and report each source's run."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from regwatch.config import ConfigError, Settings, SourceConfig, load_sources
from regwatch.crawler.errors import one_line

#: Statuses that make ``regwatch crawl`` exit non-zero (EXIT_SOURCE_FAILED in the CLI).
FAILED_STATUSES = frozenset({"error", "blocked", "selectors_broken", "interrupted"})


@dataclass
class SourceRun:
    """The health record one source's crawl left behind; ``reason``: one line, why it is not ok."""

    source_id: str
    status: str
    pages_fetched: int
    new_articles: int
    skipped: int
    errors: int
    message: str
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


def select_sources(sources: Sequence[SourceConfig], ids: Sequence[str] | None) -> list[SourceConfig]:
    """The enabled sources, or exactly those named (enabled or not); unknown ids are an error."""
    if not ids:
        return [s for s in sources if s.enabled]
    by_id = {s.id: s for s in sources}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ConfigError("sources", [f"unknown source id {i!r} (known: {', '.join(by_id)})" for i in unknown])
    return [by_id[i] for i in ids]


class _OneLine(logging.Filter):
    """Log records without tracebacks: the exception is named at the end of the line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            exc = record.exc_info[1]
            detail = one_line(f"{type(exc).__name__}: {exc}") if exc is not None else ""
            record.msg, record.args = f"{record.getMessage()} ({detail})" if detail else record.getMessage(), None
            record.exc_info, record.exc_text = None, None
        return True


def _configure_logging(level: str, tracebacks: bool) -> None:
    """One stderr handler on the root logger at ``level`` ("OFF": nothing at all)."""
    logging.captureWarnings(True)
    logging.root.handlers.clear()
    if level == "OFF":
        logging.root.addHandler(logging.NullHandler())
        logging.root.setLevel(logging.CRITICAL + 1)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s", "%Y-%m-%d %H:%M:%S"))
    handler.setLevel(level)  # on the handler: Scrapy resets the root logger's level
    if not tracebacks:
        handler.addFilter(_OneLine())
    logging.root.addHandler(handler)
    logging.root.setLevel(level)


def run_crawl(settings: Settings, source_ids: Sequence[str] | None = None, *, progress: bool = False,
              verbosity: int = 1, scrapy_overrides: dict[str, Any] | None = None) -> list[SourceRun]:
    """Crawl the chosen sources concurrently (politeness applies per domain); one call per process.

    ``verbosity``: 0 logs nothing (the caller prints the runs), 1 logs warnings as one line each,
    2 logs at the configured ``log_level`` with tracebacks. Returns the runs of this call only.

    Scrapy's reactor cannot be restarted, so a long-running caller (the daemon) runs each crawl in
    a child process.
    """
    from scrapy.crawler import CrawlerProcess

    from regwatch.crawler.settings import scrapy_settings
    from regwatch.crawler.workers import WorkerPool

    chosen = select_sources(load_sources(settings.sources_file), source_ids)
    if not chosen:
        return []
    browser = any(getattr(s.options, "browser", False) for s in chosen)
    level = {0: "OFF", 1: "WARNING"}.get(verbosity, settings.log_level)
    overrides: dict[str, Any] = {"REGWATCH_PROGRESS": progress, "LOG_LEVEL": "CRITICAL" if level == "OFF" else level,
                                 "LOG_INSTALL_ROOT_HANDLER": False}
    overrides.update(scrapy_overrides or {})
    scrapy_conf = scrapy_settings(settings, browser=browser, **overrides)
    pool = WorkerPool(scrapy_conf.getint("REGWATCH_PROCESS_WORKERS"), settings.database_url,
                      scrapy_conf.getlist("REGWATCH_ALERT_SUBSCRIPTIONS"), scrapy_conf.get("REGWATCH_RULES_DIR"))
    scrapy_conf.set("REGWATCH_WORKER_POOL", pool, priority="cmdline")
    _configure_logging(level, tracebacks=verbosity >= 2)
    process = CrawlerProcess(scrapy_conf)
    crawlers, failures = {}, {}
    for src in chosen:
        crawler = crawlers[src.id] = process.create_crawler(src.kind)  # each kind's spider is named after it
        done = process.crawl(crawler, source=src.id)
        done.addErrback(lambda failure, sid=src.id: failures.__setitem__(sid, failure))
    try:
        process.start()
    finally:
        pool.close()
    return [_source_run(src.id, crawlers[src.id], failures.get(src.id)) for src in chosen]


def _source_run(source_id: str, crawler: Any, failure: Any) -> SourceRun:
    """The run this process recorded for a source (from its crawler's stats), or why it did not start."""
    from regwatch.crawler.extensions import run_record

    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    if failure is not None or not stats.get("regwatch/run_id"):
        why = one_line(f"the spider did not start: {failure.getErrorMessage()}" if failure is not None
                       else "the spider did not start (run with -v for details)")
        return SourceRun(source_id, "error", 0, 0, 0, 1, why, why)
    r = run_record(stats, stats.get("finish_reason") or "finished")
    return SourceRun(source_id, r["status"], r["pages_fetched"], r["new_articles"], r["skipped"], r["errors"],
                     r["message"], r["reason"])
