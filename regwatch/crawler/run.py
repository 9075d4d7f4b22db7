"""Run the spiders of the configured sources in one Scrapy process and report each source's run."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from regwatch.config import ConfigError, Settings, SourceConfig, load_sources

@dataclass
class SourceRun:
    """The health record one source's crawl left behind."""

    source_id: str
    status: str
    pages_fetched: int
    new_articles: int
    skipped: int
    errors: int
    message: str


def select_sources(sources: Sequence[SourceConfig], ids: Sequence[str] | None) -> list[SourceConfig]:
    """The enabled sources, or exactly those named (enabled or not); unknown ids are an error."""
    if not ids:
        return [s for s in sources if s.enabled]
    by_id = {s.id: s for s in sources}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ConfigError("sources", [f"unknown source id {i!r} (known: {', '.join(by_id)})" for i in unknown])
    return [by_id[i] for i in ids]


def run_crawl(settings: Settings, source_ids: Sequence[str] | None = None, *, progress: bool = False,
              scrapy_overrides: dict[str, Any] | None = None) -> list[SourceRun]:
    """Crawl the chosen sources concurrently (politeness applies per domain); one call per process.

    Scrapy's reactor cannot be restarted, so a long-running caller (the daemon) runs each crawl in
    a child process.
    """
    from scrapy.crawler import CrawlerProcess
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from regwatch.crawler import workers
    from regwatch.crawler.context import engine_for
    from regwatch.crawler.settings import scrapy_settings
    from regwatch.storage.models import CrawlRun

    chosen = select_sources(load_sources(settings.sources_file), source_ids)
    if not chosen:
        return []
    browser = any(getattr(s.options, "browser", False) for s in chosen)
    overrides: dict[str, Any] = {"REGWATCH_PROGRESS": progress, "LOG_INSTALL_ROOT_HANDLER": True}
    if progress and settings.log_level != "DEBUG":
        overrides["LOG_LEVEL"] = "WARNING"  # the progress lines replace Scrapy's INFO chatter
    overrides.update(scrapy_overrides or {})
    scrapy_conf = scrapy_settings(settings, browser=browser, **overrides)
    engine = engine_for(scrapy_conf)
    with Session(engine) as s:
        before = s.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1)) or 0
    logging.root.handlers.clear()  # Scrapy installs its own handler at LOG_LEVEL
    process = CrawlerProcess(scrapy_conf)
    for src in chosen:
        process.crawl(src.kind, source=src.id)  # each kind's spider is named after it
    workers.start(scrapy_conf.getint("REGWATCH_PROCESS_WORKERS"))
    try:
        process.start()
    finally:
        workers.stop()
    with Session(engine) as s:
        runs = s.scalars(select(CrawlRun).where(CrawlRun.id > before).order_by(CrawlRun.id)).all()
        by_source = {r.source_id: r for r in runs}
    out = []
    for src in chosen:
        r = by_source.get(src.id)
        if r is None:
            out.append(SourceRun(src.id, "error", 0, 0, 0, 1, "the spider did not start (see the log)"))
        else:
            out.append(SourceRun(src.id, r.status, r.pages_fetched, r.new_articles, r.skipped, r.errors, r.message))
    return out
