"""Any list page described by CSS selectors in ``config/sources.yaml`` — a new site is a YAML edit.

Options: ``list_item`` (required: one element per article), ``link`` (default ``a::attr(href)``),
``title`` (default ``a::attr(title)`` then ``a::text``), ``date`` (CSS of the date text),
``next_page`` (CSS of the next page's href), and the article-page selectors ``body``,
``article_title``, ``article_date``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from scrapy.http import Response

from regwatch.crawler.spiders.base import ListEntry, SourceSpider, absolute_http_url


class ListPageSpider(SourceSpider):
    name = "listpage"
    kind = "listpage"
    default_list: ClassVar[dict[str, str]] = {"link": "a::attr(href)", "title": "a::attr(title), a::text"}

    def _opt(self, key: str) -> str | None:
        return getattr(self.source.options, key) or self.default_list.get(key)

    async def parse_list(self, response: Response) -> AsyncIterator[Any]:
        entries = []
        for item in response.css(self._opt("list_item")):
            title = " ".join(t.strip() for t in item.css(self._opt("title")).getall()[:1] if t.strip()) or None
            date = self._opt("date")
            entries.append(ListEntry(url=(item.css(self._opt("link")).get() or "").strip(), title=title,
                                     date=" ".join(item.css(date).getall()).strip() or None if date else None))
        next_css = self._opt("next_page")
        href = response.css(next_css).get() if next_css else None
        next_url = absolute_http_url(response, href) if href else None
        next_page = None
        if next_url:
            next_page = self.list_request(next_url, self.parse_list, page=response.meta.get("list_page", 1) + 1)
        for request in await self.follow_entries(response, entries, next_page):
            yield request
