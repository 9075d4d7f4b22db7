"""RSS 2.0 / Atom feeds — how WeChat official accounts are followed (one RSS-bridge feed per account).

Feeds are parsed with defusedxml: DTDs and entity declarations are refused, so a hostile feed
cannot expand entities or reach local files. Linked WeChat pages are parsed by the WeChat parser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from scrapy.http import Response

from regwatch.crawler.spiders.base import ListEntry, SourceSpider

ATOM = "{http://www.w3.org/2005/Atom}"


def _text(el: Element | None) -> str | None:
    return (el.text or "").strip() or None if el is not None else None


def _date(value: str | None) -> Any:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return value


def parse_feed(body: bytes) -> list[ListEntry]:
    """Entries of an RSS 2.0, RSS 1.0 or Atom document, in feed order."""
    root = fromstring(body, forbid_dtd=True)
    entries: list[ListEntry] = []
    if root.tag == f"{ATOM}feed":
        for e in root.findall(f"{ATOM}entry"):
            links = e.findall(f"{ATOM}link")
            href = next((l.get("href") for l in links if l.get("rel", "alternate") == "alternate"), None)
            entries.append(ListEntry(url=(href or "").strip(), title=_text(e.find(f"{ATOM}title")),
                                     date=_text(e.find(f"{ATOM}published")) or _text(e.find(f"{ATOM}updated"))))
        return entries
    for item in root.iter():
        if item.tag.rsplit("}", 1)[-1] != "item":
            continue
        fields = {child.tag.rsplit("}", 1)[-1]: child for child in item}
        link = _text(fields.get("link")) or (_text(fields.get("guid")) or "")
        entries.append(ListEntry(url=link, title=_text(fields.get("title")),
                                 date=_date(_text(fields.get("pubDate")) or _text(fields.get("date")))))
    return entries


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"

    async def start_lists(self) -> AsyncIterator[Any]:
        for url in self.source.start_urls:
            yield self.list_request(url, self.parse_feed)

    async def parse_feed(self, response: Response) -> AsyncIterator[Any]:
        try:
            entries = parse_feed(response.body)
        except (DefusedXmlException, ParseError) as exc:
            self._request_failed(response.request, "feed refused: " + type(exc).__name__ + (f": {exc}" if str(exc) else ""))
            return
        for request in await self.follow_entries(response, entries):
            yield request
