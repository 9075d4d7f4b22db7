"""安全内参 (www.secrss.com): the JSON list API with cursor paging, then each article page.

``start_urls``: the API, e.g. ``https://www.secrss.com/api/articles``. Options: ``tag`` (only
articles with this tag), ``author`` (an account secrss republishes, e.g. 公安部网安局: uses the
``/api/articles/group?author=`` endpoint), ``article_url`` (template with ``{id}``; default: the
API's site + ``/articles/{id}``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from scrapy.http import Response

from regwatch import clock
from regwatch.clock import BEIJING
from regwatch.crawler.spiders.base import ListEntry, SourceSpider

API_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
OK_CODE = "10000"


class SecrssSpider(SourceSpider):
    name = "secrss"
    kind = "secrss"
    default_selectors = {"body": ".article-body", "title": "h1.title, h1", "date": ".time"}

    async def start_lists(self) -> AsyncIterator[Any]:
        for api in self.source.start_urls:
            yield self._api_request(api, clock.now().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"), page=1)

    def _site(self, api: str) -> str:
        return api.split("/api/", 1)[0]

    def _api_request(self, api: str, cursor: str, page: int) -> Any:
        opts = self.source.options
        if opts.author:
            url = f"{api.rstrip('/')}/group?" + urlencode({"author": opts.author})
        else:
            params = {"lastPublishedAt": cursor, "referer": "web"}
            if opts.tag:
                params["tag"] = opts.tag
            url = f"{api}?{urlencode(params)}"
        headers = {**API_HEADERS, "Referer": self._site(api) + "/"}
        return self.list_request(url, self.parse_api, page=page, headers=headers,
                                 meta={"api": api, "cursor": cursor})

    async def parse_api(self, response: Response) -> AsyncIterator[Any]:
        try:
            payload = json.loads(response.text)
        except (ValueError, AttributeError):
            self._request_failed(response.request, "secrss API did not return JSON")
            return
        if not isinstance(payload, dict) or str(payload.get("code", OK_CODE)) != OK_CODE:
            self._request_failed(response.request, f"secrss API error: {str(payload)[:200]}")
            return
        data = payload.get("data") or []
        rows = data.get("list", []) if isinstance(data, dict) else data
        rows = [r for r in rows if isinstance(r, dict)]
        api = response.meta["api"]
        template = self.source.options.article_url or self._site(api) + "/articles/{id}"
        entries = [ListEntry(url=str(r.get("url") or (template.format(id=r["id"]) if r.get("id") is not None else "")),
                             title=r.get("title"), date=r.get("published_at")) for r in rows]
        dates = sorted(str(r["published_at"]) for r in rows if r.get("published_at"))
        next_page = None
        if dates and not self.source.options.author and dates[0] < response.meta["cursor"]:
            next_page = self._api_request(api, dates[0], page=response.meta["list_page"] + 1)
        for request in await self.follow_entries(response, entries, next_page):
            yield request
