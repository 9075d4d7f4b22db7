"""Item pipelines, in order: extract → dedupe → classify → store.

Extraction, classification and the store transaction run in the crawl's worker pool, dedupe in a
thread (``CrawlStore``): the reactor never waits on either.

Each does one job and counts what it did in the crawl stats (``regwatch/…``); the run's health
record is built from those counts by ``crawler.extensions.CrawlRunRecorder``.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from regwatch import clock
from regwatch.crawler import workers
from regwatch.crawler.extraction import canonical_url, content_hash
from regwatch.crawler.items import ArticleItem
from regwatch.crawler.store import CrawlStore
from regwatch.storage.repository import ArticleRecord

MIN_TEXT_CHARS = 20


class NoArticleText(DropItem):
    """The page held no article text: kept as pending (the page or the selectors may be fixed)."""


class _Pipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        return cls(crawler)

    @property
    def store(self) -> CrawlStore:
        return CrawlStore.of(self.crawler)


class ExtractPipeline(_Pipeline):
    """Decode the page, find title / text / date, set the canonical URL and content hash."""

    async def process_item(self, item: ArticleItem, spider: Any = None) -> ArticleItem:
        body = item.body or b""
        item.encoding, found = await self.store.workers.call(workers.extract_page, body, item.content_type, item.url,
                                                             item.selectors, item.title_hint, item.date_hint)
        item.body = None
        item.raw_size = len(body)
        item.canonical_url = canonical_url(item.url)
        item.title, item.text, item.published_at, item.extraction = found.title, found.text, found.published_at, found.method
        if found.selector_missed:
            self.stats.inc_value("regwatch/selector_misses")
        if len(item.text) < MIN_TEXT_CHARS:
            self.stats.inc_value("regwatch/articles_empty")
            raise NoArticleText(f"no article text found at {item.url}")
        item.content_hash = content_hash(item.text)
        return item


class DedupePipeline(_Pipeline):
    """Skip an article already stored under its canonical URL or with the same text."""

    async def process_item(self, item: ArticleItem, spider: Any = None) -> ArticleItem:
        why = await self.store.db(self.store.articles.find_duplicate, item.canonical_url, item.content_hash)
        if why is None:
            return item
        self.stats.inc_value("regwatch/articles_skipped")
        if why == "url":
            raise DropItem(f"already stored: {item.canonical_url}")
        raise DropItem(f"same text already stored under another URL: {item.canonical_url}")


class ClassifyPipeline(_Pipeline):
    """Run the enforcement classifier: is it enforcement, why, and the case cards."""

    async def process_item(self, item: ArticleItem, spider: Any = None) -> ArticleItem:
        item.is_enforcement, item.reasons, item.cases = await self.store.workers.call(
            workers.classify_article, item.title, item.text, item.published_at)
        return item


class StorePipeline(_Pipeline):
    """Write the article and its cases in one transaction (which also clears its pending retry)."""

    async def process_item(self, item: ArticleItem, spider: Any = None) -> ArticleItem:
        record = ArticleRecord(
            canonical_url=item.canonical_url, url=item.url, source_id=item.source_id, title=item.title,
            text=item.text, published_at=item.published_at, fetched_at=clock.now(),
            content_hash=item.content_hash, raw_size=item.raw_size, is_enforcement=item.is_enforcement,
            reasons=item.reasons)
        result = await self.store.save_article(record, item.cases)
        item.article_id, item.new_cases, item.merged_cases = result.article_id, result.new_cases, result.merged_cases
        self.stats.inc_value("regwatch/articles_new" if result.created else "regwatch/articles_updated")
        self.stats.inc_value("regwatch/cases_new", result.new_cases)
        self.stats.inc_value("regwatch/cases_merged", result.merged_cases)
        return item
