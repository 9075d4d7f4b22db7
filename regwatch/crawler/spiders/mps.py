"""公安部 (www.mps.gov.cn) lists and articles, behind a JavaScript anti-bot challenge.

Plain HTTP gets the challenge script: ``ChallengeDetectionMiddleware`` reports the source as
blocked instead of storing it. With ``options: {browser: true}`` and scrapy-playwright installed
(``pip install scrapy-playwright && playwright install chromium``), pages are fetched by a
headless browser that runs the challenge; this is off by default.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapy.http import Request

from regwatch.crawler.spiders.listpage import ListPageSpider


class MpsSpider(ListPageSpider):
    name = "mps"
    kind = "mps"
    default_list: ClassVar[dict[str, str]] = {"list_item": ".list li", "link": "a::attr(href)",
                                              "title": "a::attr(title), a::text", "date": "span::text"}
    default_selectors = {"body": "#ztdx, #UCAP-CONTENT, .pages_content", "title": "h1, .title", "date": None}

    def _bind(self, settings: Any) -> None:
        super()._bind(settings)
        self.use_browser = self.source.options.browser  # scrapy-playwright checked by the config

    def _browser_meta(self, request: Request) -> Request:
        if self.use_browser:
            request.meta["playwright"] = True
        return request

    def list_request(self, url: str, callback: Any, page: int = 1, **kwargs: Any) -> Request:
        return self._browser_meta(super().list_request(url, callback, page, **kwargs))

    def article_request(self, url: str, canon: str, title: str | None, date: str | None) -> Request:
        return self._browser_meta(super().article_request(url, canon, title, date))
