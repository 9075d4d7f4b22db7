"""中国网信网 channel lists (``…index_1.htm``, ``…index_2.htm`` …) and their articles."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response

from regwatch.crawler.spiders.base import ListEntry, SourceSpider

_PAGE = re.compile(r"index_(\d+)\.htm$")


class CacSpider(SourceSpider):
    """``div#loadingInfoPage li`` items with a link and a ``.times`` date; pages ``index_N.htm``."""

    name = "cac"
    kind = "cac"
    default_selectors = {"body": "#BodyLabel, .main-content, #content", "title": "h1.title, .title h1", "date": "#pubtime, .time"}

    async def parse_list(self, response: Response) -> AsyncIterator[Any]:
        entries = [ListEntry(url=li.css("a::attr(href)").get() or "",
                             title=(li.css("a::attr(title)").get() or li.css("a::text").get() or "").strip() or None,
                             date=(li.css(".times::text").get() or "").strip() or None)
                   for li in response.css("div#loadingInfoPage li")]
        m = _PAGE.search(response.url)
        next_page = None
        if m:
            page = int(m.group(1)) + 1
            next_page = self.list_request(response.url[:m.start(1)] + f"{page}.htm", self.parse_list, page=page,
                                          meta={"guessed_page": True})
        for request in await self.follow_entries(response, entries, next_page):
            yield request
