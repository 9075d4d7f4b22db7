"""The base of every regwatch spider: one configured source, incremental list paging, article requests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import scrapy
from scrapy.http import Request, Response

from regwatch import clock
from regwatch.config import SourceConfig
from regwatch.crawler.context import engine_for, find_source
from regwatch.crawler.extraction import canonical_url, parse_published
from regwatch.crawler.items import ArticleItem
from regwatch.crawler.middlewares import validator_key
from regwatch.storage.repository import ArticleStore, CrawlRunLog


@dataclass
class ListEntry:
    """One link found on a list page, API batch or feed."""

    url: str
    title: str | None = None
    date: str | datetime | None = None


class SourceSpider(scrapy.Spider):
    """Crawls one source of ``config/sources.yaml``: ``scrapy crawl <kind> -a source=<id>``.

    Subclasses find list entries; this class decides which ones to fetch (unknown, within the
    crawl window), when paging stops (a page that reached known or too-old items), and turns
    article responses into ``ArticleItem``s.
    """

    kind: ClassVar[str]
    #: Article-page selectors used when the source's options name none.
    default_selectors: ClassVar[dict[str, str | None]] = {}

    source: SourceConfig
    store: ArticleStore

    def __init__(self, source: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.source_id = source

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "SourceSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._bind(crawler.settings)
        return spider

    def _bind(self, settings: Any) -> None:
        self.source = find_source(settings, self.source_id, self.kind)
        self.source_id = self.source.id
        engine = engine_for(settings)
        self.store = ArticleStore(engine)
        # A source's first complete crawl back-fills its window even past articles other sources
        # already stored; after that, paging stops at the first stored article.
        self.incremental = CrawlRunLog(engine).has_completed(self.source.id)
        self.window_start = clock.now() - timedelta(days=settings.getint("REGWATCH_WINDOW_DAYS", 30))
        self.max_list_pages = settings.getint("REGWATCH_MAX_LIST_PAGES", 5)
        opts = self.source.options  # validated per kind by regwatch.config.sources
        self.selectors = {
            "body": opts.body or self.default_selectors.get("body"),
            "title": opts.article_title or self.default_selectors.get("title"),
            "date": opts.article_date or self.default_selectors.get("date"),
        }

    # --- list pages ---------------------------------------------------------------------------

    def list_request(self, url: str, callback: Any, page: int = 1, **kwargs: Any) -> Request:
        """A list/feed/API request: conditional GET, remembers its page number."""
        meta = {"conditional": True, "list_page": page, **kwargs.pop("meta", {})}
        return Request(url, callback=callback, meta=meta, errback=self.on_error, **kwargs)

    def follow_entries(self, response: Response, entries: Iterable[ListEntry]) -> tuple[list[Request], bool]:
        """Requests for the entries not yet stored and inside the crawl window.

        Returns (requests, more): ``more`` is False once this page held an already-stored or
        too-old entry — paging stops there (incremental crawl; on the source's first complete
        crawl only the window and ``max_list_pages`` stop it). Every unknown entry of the page
        is still fetched, so a pinned old item at the top does not hide new ones below it.
        """
        entries = [e for e in entries if e.url]
        stats = self.crawler.stats
        stats.inc_value("regwatch/list_items", len(entries))
        if not entries:
            stats.inc_value("regwatch/empty_lists")
            if response.meta.get("list_page", 1) == 1:
                stats.inc_value("regwatch/selector_misses")
            return [], False
        canon = [canonical_url(response.urljoin(e.url)) for e in entries]
        known = self.store.known_urls(canon)
        requests: list[Request] = []
        more = True
        for entry, url in zip(entries, canon):
            published = parse_published(entry.date) if entry.date else None
            if url in known:
                stats.inc_value("regwatch/articles_known")
                more = more and not self.incremental
            elif published is not None and published < self.window_start:
                stats.inc_value("regwatch/articles_too_old")
                more = False
            else:
                requests.append(self.article_request(response.urljoin(entry.url), entry))
        if response.meta.get("list_page", 1) >= self.max_list_pages:
            more = False
        self.remember_validators(response)
        return requests, more

    def remember_validators(self, response: Response) -> None:
        """Store ETag / Last-Modified of a list page once it has been processed."""
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.store.set_validators(validator_key(self.source.id, response.url), etag.decode("latin-1") if etag else None,
                                      modified.decode("latin-1") if modified else None)

    # --- article pages ------------------------------------------------------------------------

    def article_request(self, url: str, entry: ListEntry) -> Request:
        hint_date = entry.date.isoformat() if isinstance(entry.date, datetime) else entry.date
        return Request(url, callback=self.parse_article, errback=self.on_error,
                       meta={"title_hint": entry.title, "date_hint": hint_date})

    def parse_article(self, response: Response) -> Iterable[ArticleItem]:
        self.crawler.stats.inc_value("regwatch/article_pages")
        yield ArticleItem(url=response.url, source_id=self.source.id, body=response.body,
                          content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
                          title_hint=response.meta.get("title_hint"), date_hint=response.meta.get("date_hint"),
                          selectors=dict(self.selectors))

    def on_error(self, failure: Any) -> None:
        """Count a failed request (after retries); the run's health record reports it."""
        from scrapy.exceptions import IgnoreRequest

        if failure.check(IgnoreRequest):
            return
        self.crawler.stats.inc_value("regwatch/request_errors")
        request = getattr(failure, "request", None)
        self.logger.warning("request failed: %s: %s", getattr(request, "url", "?"), failure.getErrorMessage())
