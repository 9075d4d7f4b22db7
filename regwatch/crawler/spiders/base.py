"""The base of every regwatch spider: one configured source, incremental list paging, article requests.

Nothing is marked seen before it is stored: a list page's ETag / Last-Modified is saved only when
every article it lists is stored or recorded as pending (and the list page after it is done too),
so a crawl that dies anywhere refetches that page next time. An article that fails (network,
HTTP error, no text, pipeline error) is recorded as pending with its reason and retried on later
runs with backoff until it is stored or given up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError

from regwatch import clock
from regwatch.config import SourceConfig
from regwatch.crawler.context import find_source
from regwatch.crawler.errors import failure_reason, one_line
from regwatch.crawler.extraction import canonical_url, parse_published
from regwatch.crawler.items import ArticleItem
from regwatch.crawler.middlewares import BlockedByChallenge, NotModified, validator_key
from regwatch.crawler.pipelines import NoArticleText
from regwatch.crawler.store import CrawlStore


@dataclass
class ListEntry:
    """One link found on a list page, API batch or feed."""

    url: str
    title: str | None = None
    date: str | datetime | None = None


@dataclass
class _ListPage:
    """A processed list page waiting for its articles (and its next page) before its validators are saved."""

    key: str
    etag: str | None
    modified: str | None
    parent: str | None
    waiting: set[tuple[str, str]] = field(default_factory=set)
    #: False for a page that listed nothing (selectors may be broken): it is fetched in full next time.
    save: bool = True


def absolute_http_url(response: Response, href: str) -> str | None:
    """``href`` resolved against the page, or None unless it is a well-formed http(s) URL."""
    try:
        url = response.urljoin(href.strip())
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


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

    def __init__(self, source: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.source_id = source

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "SourceSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._bind(crawler.settings)
        crawler.signals.connect(spider._item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spider._item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._item_error, signal=signals.item_error)
        return spider

    def _bind(self, settings: Any) -> None:
        self.source = find_source(settings, self.source_id, self.kind)
        self.source_id = self.source.id
        # A source's first complete crawl back-fills its window even past articles other sources
        # already stored, and so does the crawl after a failed or interrupted one; after a good
        # crawl, paging stops at the first stored article. Decided in start() (a database lookup).
        self.incremental = False
        self.window_start = clock.now() - timedelta(days=settings.getint("REGWATCH_WINDOW_DAYS", 30))
        self.max_list_pages = settings.getint("REGWATCH_MAX_LIST_PAGES", 5)
        opts = self.source.options  # validated per kind by regwatch.config.sources
        self.max_items_per_page = settings.getint("REGWATCH_MAX_ITEMS_PER_PAGE", 200)
        self.selectors = {
            "body": opts.body or self.default_selectors.get("body"),
            "title": opts.article_title or self.default_selectors.get("title"),
            "date": opts.article_date or self.default_selectors.get("date"),
        }
        self._lists: dict[str, _ListPage] = {}
        self._waiters: dict[tuple[str, str], set[str]] = {}  # what a list page waits for → those pages
        self._in_flight: set[str] = set()  # canonical URLs of article requests not yet settled

    @property
    def store(self) -> CrawlStore:
        return CrawlStore.of(self.crawler)

    async def start(self) -> AsyncIterator[Any]:
        """Due retries of articles that failed before, then the source's list pages."""
        store = self.store
        self.incremental = not await store.db(store.runs.needs_backfill, self.source.id)
        for entry in await store.db(store.pending.due, self.source.id):
            self.crawler.stats.inc_value("regwatch/articles_retried")
            self._in_flight.add(entry.canonical_url)
            yield self.article_request(entry.url, entry.canonical_url, entry.title_hint, entry.date_hint)
        async for request in self.start_lists():
            yield request

    async def start_lists(self) -> AsyncIterator[Any]:
        """The first list / feed / API requests of the source (``list_request``)."""
        for url in self.source.start_urls:
            yield self.list_request(url, self.parse_list)  # type: ignore[attr-defined]

    # --- list pages ---------------------------------------------------------------------------

    def list_request(self, url: str, callback: Any, page: int = 1, **kwargs: Any) -> Request:
        """A list/feed/API request: conditional GET (validators kept per source and URL), its page number."""
        meta = {"list_key": validator_key(self.source.id, url), "list_page": page, **kwargs.pop("meta", {})}
        return Request(url, callback=callback, meta=meta, errback=self.on_list_error, dont_filter=True, **kwargs)

    async def follow_entries(self, response: Response, entries: Iterable[ListEntry],
                             next_page: Request | None = None) -> list[Request]:
        """Requests for the entries not yet stored and inside the crawl window, then ``next_page`` if paging goes on.

        Paging stops once this page held an already-stored or too-old entry (incremental crawl;
        on a back-filling crawl only the window and ``max_list_pages`` stop it). Every unknown
        entry of the page is still fetched, so a pinned old item at the top does not hide new
        ones below it. Links that are not http(s) URLs are skipped and counted; at most
        ``max_items_per_page`` entries of a page are looked at.
        """
        entries = [e for e in entries if e.url]
        stats = self.crawler.stats
        stats.inc_value("regwatch/list_items", len(entries))
        if len(entries) > self.max_items_per_page:
            stats.inc_value("regwatch/items_over_limit", len(entries) - self.max_items_per_page)
            entries = entries[:self.max_items_per_page]
        found: list[tuple[ListEntry, str, str]] = []
        for entry in entries:
            url = absolute_http_url(response, entry.url)
            if url is None:
                stats.inc_value("regwatch/bad_links")
                continue
            found.append((entry, url, canonical_url(url)))
        page = response.meta.get("list_page", 1)
        if not entries:
            stats.inc_value("regwatch/empty_lists")
            if page == 1:
                stats.inc_value("regwatch/selector_misses")
        store = self.store
        canon = [c for _, _, c in found]
        known = await store.db(store.articles.known_urls, canon) if canon else set()
        pending = await store.db(store.pending.known, canon) if canon else set()
        requests: list[Request] = []
        waiting: set[tuple[str, str]] = set()
        more = bool(entries)
        for entry, url, canon_url in found:
            published = parse_published(entry.date) if entry.date else None
            if canon_url in known:
                stats.inc_value("regwatch/articles_known")
                more = more and not self.incremental
            elif canon_url in pending:
                stats.inc_value("regwatch/articles_pending")  # retried from the pending queue when due
            elif published is not None and published < self.window_start:
                stats.inc_value("regwatch/articles_too_old")
                more = False
            elif canon_url in self._in_flight or ("a", canon_url) in waiting:
                waiting.add(("a", canon_url))
            else:
                self._in_flight.add(canon_url)
                waiting.add(("a", canon_url))
                hint_date = entry.date.isoformat() if isinstance(entry.date, datetime) else entry.date
                requests.append(self.article_request(url, canon_url, entry.title, hint_date))
        if page >= self.max_list_pages:
            more = False
        key = response.meta.get("list_key") or validator_key(self.source.id, response.url)
        if more and next_page is not None:
            next_page.meta["parent_list"] = key
            waiting.add(("l", next_page.meta["list_key"]))
            requests.append(next_page)
        etag, modified = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
        listed = _ListPage(key, etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None,
                           response.meta.get("parent_list"), waiting, save=bool(entries))
        self._lists[key] = listed
        for what in waiting:
            self._waiters.setdefault(what, set()).add(key)
        if not waiting:
            await self._list_done(listed)
        return requests

    async def _settle(self, what: tuple[str, str]) -> None:
        """An article (``("a", canonical URL)``) or a next list page (``("l", key)``) is done."""
        if what[0] == "a":
            self._in_flight.discard(what[1])
        for key in self._waiters.pop(what, set()):
            listed = self._lists.get(key)
            if listed is None:
                continue
            listed.waiting.discard(what)
            if not listed.waiting:
                await self._list_done(listed)

    async def _list_done(self, listed: _ListPage) -> None:
        """Every article of the page is handled: save its validators, then tell the page before it."""
        self._lists.pop(listed.key, None)
        if listed.save and (listed.etag or listed.modified):
            await self.store.db(self.store.articles.set_validators, listed.key, listed.etag, listed.modified)
        if listed.parent:
            await self._settle(("l", listed.key))

    async def on_list_error(self, failure: Any) -> None:
        """A list/feed/API request failed: count it with its reason (its page and those before it stay unsaved)."""
        request = getattr(failure, "request", None)
        if failure.check(NotModified):
            parent = request.meta.get("parent_list") if request is not None else None
            if parent:
                await self._settle(("l", request.meta["list_key"]))
            return
        if failure.check(BlockedByChallenge):
            return  # the run is reported as blocked
        if request is not None and request.meta.get("guessed_page") and failure.check(HttpError) \
                and failure.value.response.status == 404:
            await self._settle(("l", request.meta["list_key"]))  # a guessed next page that does not exist ends the list
            return
        self._request_failed(request, failure_reason(failure))

    def _request_failed(self, request: Any, reason: str) -> None:
        stats = self.crawler.stats
        stats.inc_value("regwatch/request_errors")
        if not stats.get_value("regwatch/error_reason"):
            stats.set_value("regwatch/error_reason", one_line(f"{reason} at {getattr(request, 'url', '?')}"))
        self.logger.warning("request failed: %s: %s", getattr(request, "url", "?"), reason)

    # --- article pages ------------------------------------------------------------------------

    def article_request(self, url: str, canon: str, title: str | None, date: str | None) -> Request:
        """The request for one article (``canon``: its canonical URL; title and date: the list's hints)."""
        # Never dropped by the duplicate filter: every article request ends in a callback or errback.
        return Request(url, callback=self.parse_article, errback=self.on_article_error, dont_filter=True,
                       meta={"title_hint": title, "date_hint": date, "canonical": canon})

    def parse_article(self, response: Response) -> Iterable[ArticleItem]:
        self.crawler.stats.inc_value("regwatch/article_pages")
        yield ArticleItem(url=response.url, source_id=self.source.id, body=response.body,
                          content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1") or None,
                          title_hint=response.meta.get("title_hint"), date_hint=response.meta.get("date_hint"),
                          selectors=dict(self.selectors))

    async def on_article_error(self, failure: Any) -> None:
        """An article request failed (after Scrapy's retries): keep the article as pending."""
        request = failure.request
        await self._article_failed(request.url, request.meta, failure_reason(failure))

    async def _article_failed(self, url: str, meta: dict[str, Any], reason: str) -> None:
        stats, store = self.crawler.stats, self.store
        canon = meta.get("canonical") or canonical_url(url)
        stats.inc_value("regwatch/articles_failed")
        if not stats.get_value("regwatch/article_error"):
            stats.set_value("regwatch/article_error", one_line(f"{reason} at {url}"))
        kept = await store.db(store.pending.record_failure, self.source.id, canon, url, reason,
                              meta.get("title_hint"), meta.get("date_hint"))
        if kept is None:
            stats.inc_value("regwatch/articles_given_up")
        self.logger.warning("article failed (%s): %s: %s", "given up" if kept is None else "kept for retry", url, reason)
        await self._settle(("a", canon))

    # --- what became of an article item (signals) ----------------------------------------------

    async def _item_scraped(self, item: Any, response: Any, spider: Any) -> None:
        canon = response.meta.get("canonical") if response is not None else None
        if canon and canon != item.canonical_url:  # redirected: the list's URL is done too
            await self.store.db(self.store.pending.resolve, canon)
        await self._settle(("a", canon or item.canonical_url))

    async def _item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        meta = response.meta if response is not None else {}
        canon = meta.get("canonical") or item.canonical_url
        if isinstance(exception, NoArticleText):
            await self._article_failed(item.url, meta, "no article text found")
            return
        await self.store.db(self.store.pending.resolve, canon)  # a duplicate of a stored article
        await self._settle(("a", canon))

    async def _item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        meta = response.meta if response is not None else {}
        reason = one_line(f"processing failed: {type(failure.value).__name__}: {failure.getErrorMessage()}")
        await self._article_failed(item.url, meta, reason)
