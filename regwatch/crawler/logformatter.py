"""Log lines for dropped items name the reason and URL, not the whole item (which holds the text)."""

from __future__ import annotations

from typing import Any

from scrapy import logformatter


class RegwatchLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> dict[str, Any]:
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped: %(exception)s"
        return entry
