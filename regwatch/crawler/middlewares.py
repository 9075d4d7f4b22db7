"""Downloader middlewares: conditional GET for list pages, anti-bot challenge detection."""

from __future__ import annotations

import re
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from regwatch.crawler.extraction import ExtractionRules, default_rules
from regwatch.crawler.store import CrawlStore

_TAGS = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)


def validator_key(source_id: str, url: str) -> str:
    """Validators are kept per source: two sources reading one page each need their own answer."""
    return f"{source_id} {url}"


class NotModified(IgnoreRequest):
    """The server answered 304: the list page has not changed since the last crawl."""


class BlockedByChallenge(IgnoreRequest):
    """The server answered with an anti-bot JavaScript challenge instead of the page."""


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to list requests (``meta['list_key']``).

    The spider stores a list page's validators only once every article it lists is stored or
    recorded as pending (and the page after it is done), so a page whose articles were not all
    handled — the crawl was killed, a request failed — is fetched again next time.
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ConditionalGetMiddleware":
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        key = request.meta.get("list_key")
        if not key:
            return None
        store = CrawlStore.of(self.crawler)
        etag, modified = await store.db(store.articles.get_validators, key)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1"))
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified.encode("latin-1"))
        return None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if response.status == 304 and request.meta.get("list_key"):
            self.crawler.stats.inc_value("regwatch/not_modified")
            raise NotModified(f"not modified since the last crawl: {request.url}")
        return response


def is_challenge(response: Response, rules: ExtractionRules) -> bool:
    """A JavaScript challenge page: almost no visible text, and a known marker or challenge status."""
    body = response.body[:200_000].decode("utf-8", "ignore")
    if "<script" not in body.lower():
        return False
    visible = re.sub(r"\s+", "", _TAGS.sub(" ", body))
    if len(visible) > rules.challenge_max_visible_chars:
        return False
    return response.status in rules.challenge_statuses or any(m in body for m in rules.challenge_markers)


class ChallengeDetectionMiddleware:
    """Turns an anti-bot challenge into a 'blocked' crawl status instead of a stored article."""

    def __init__(self, crawler: Any, rules: ExtractionRules):
        self.crawler = crawler
        self.rules = rules

    @classmethod
    def from_crawler(cls, crawler: Any) -> "ChallengeDetectionMiddleware":
        return cls(crawler, default_rules())

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if request.meta.get("playwright") or not is_challenge(response, self.rules):
            return response
        stats = self.crawler.stats
        stats.inc_value("regwatch/challenges")
        if not stats.get_value("regwatch/blocked"):
            stats.set_value("regwatch/blocked", f"blocked by anti-bot challenge at {request.url} (HTTP {response.status}); "
                                                "see options.browser in config/sources.yaml")
        raise BlockedByChallenge(f"anti-bot challenge at {request.url}")
