"""中国网信网 channel lists (``…index_1.htm``, ``…index_2.htm`` …) and their articles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from regwatch.crawler.spiders.base import ListEntry, SourceSpider

_PAGE = re.compile(r"index_(\d+)\.htm$")


class CacSpider(SourceSpider):
    """``div#loadingInfoPage li`` items with a link and a ``.times`` date; pages ``index_N.htm``."""

    name = "cac"
    kind = "cac"
    default_selectors = {"body": "#BodyLabel, .main-content, #content", "title": "h1.title, .title h1", "date": "#pubtime, .time"}

    async def start(self) -> Any:
        for url in self.source.start_urls:
            yield self.list_request(url, self.parse_list)

    def parse_list(self, response: Response) -> Iterable[Any]:
        entries = [ListEntry(url=li.css("a::attr(href)").get() or "",
                             title=(li.css("a::attr(title)").get() or li.css("a::text").get() or "").strip() or None,
                             date=(li.css(".times::text").get() or "").strip() or None)
                   for li in response.css("div#loadingInfoPage li")]
        requests, more = self.follow_entries(response, entries)
        yield from requests
        m = _PAGE.search(response.url)
        if more and m:
            page = int(m.group(1)) + 1
            yield self.list_request(response.url[:m.start(1)] + f"{page}.htm", self.parse_list, page=page)
