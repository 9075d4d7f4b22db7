"""The one item the spiders yield: a fetched article page, filled in by the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ArticleItem:
    """An article page: the spider sets the fetch fields, the pipelines the rest.

    ``body`` (raw bytes) is dropped by the extract pipeline once the text is out, so the items
    exported by ``scrapy crawl … -O items.jsonl`` carry text, classification and cases only.
    """

    url: str
    source_id: str
    body: bytes | None
    content_type: str | None = None
    title_hint: str | None = None
    date_hint: str | None = None
    selectors: dict[str, str | None] = field(default_factory=dict)
    # set by ExtractPipeline
    canonical_url: str = ""
    title: str = ""
    text: str = ""
    published_at: datetime | None = None
    encoding: str = ""
    extraction: str = ""
    raw_size: int = 0
    content_hash: str = ""
    # set by ClassifyPipeline
    is_enforcement: bool = False
    reasons: list[str] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    # set by StorePipeline
    article_id: int | None = None
    new_cases: int = 0
    merged_cases: int = 0
