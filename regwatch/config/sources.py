"""The crawl sources file (``sources.yaml``): one model per entry, typed options per kind.

Every source kind has its own options model, chosen by ``kind`` (a discriminated union), so an
unknown or malformed option — a misspelt key, a CSS selector that does not parse, an
``article_url`` without ``{id}`` — is reported by ``load_sources`` (and ``regwatch config check``)
with its key path, before any crawl starts.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .daemon import parse_schedule
from .errors import ConfigError, problems_of, read_yaml

#: The spider kinds, each with its options model below (``OPTIONS_BY_KIND``).
SourceKind = Literal["secrss", "cac", "listpage", "feed", "mps"]
SOURCE_KINDS: tuple[str, ...] = SourceKind.__args__  # type: ignore[attr-defined]
_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f]")
_HOST = re.compile(r"^[\w\-.]+$")


def http_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable absolute http(s) URL, or None when it is."""
    if not isinstance(url, str) or not url:
        return "must be an http(s) URL"
    if _WHITESPACE.search(url):
        return "contains whitespace or control characters (percent-encode them)"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    host = parts.hostname or ""
    if not host or not _HOST.match(host) or host.startswith((".", "-")) or ".." in host:
        return "has no valid host name"
    if port == 0:
        return "port 0 is not a valid port"
    return None


def _css_problem(selector: str, *, pseudo_elements: bool) -> str | None:
    """Why ``selector`` is not a CSS selector the crawler can use, or None.

    List-page selectors are run by parsel (Scrapy's ``response.css``), which also accepts
    ``::text`` and ``::attr(name)``; article-page selectors by lxml's ``cssselect``, which does not.
    """
    from cssselect import GenericTranslator, SelectorError
    from parsel.csstranslator import HTMLTranslator

    if not selector.strip():
        return "empty CSS selector"
    try:
        (HTMLTranslator() if pseudo_elements else GenericTranslator()).css_to_xpath(selector)
    except SelectorError as exc:
        return f"invalid CSS selector {selector!r}: {exc}"
    return None


def _list_css(v: str | None) -> str | None:
    if v is not None and (problem := _css_problem(v, pseudo_elements=True)):
        raise ValueError(problem)
    return v


def _page_css(v: str | None) -> str | None:
    if v is not None and (problem := _css_problem(v, pseudo_elements=False)):
        raise ValueError(problem)
    return v


class _Options(BaseModel):
    """Article-page selectors every kind accepts; each overrides the kind's built-in one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    body: str | None = None
    article_title: str | None = None
    article_date: str | None = None

    _page_selectors = field_validator("body", "article_title", "article_date")(_page_css)


class SecrssOptions(_Options):
    """secrss: ``tag`` filter, ``author`` (a republished official account), ``article_url`` template."""

    kind: Literal["secrss"] = Field("secrss", exclude=True, repr=False)
    tag: str | None = None
    author: str | None = None
    article_url: str | None = None

    @field_validator("article_url")
    @classmethod
    def _template(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if "{id}" not in v:
            raise ValueError("must contain {id}, e.g. https://www.secrss.com/articles/{id}")
        try:
            url = v.format(id=1)
        except (IndexError, KeyError, ValueError) as exc:
            raise ValueError(f"not a template with only {{id}}: {exc}") from None
        if problem := http_url_problem(url):
            raise ValueError(problem)
        return v


class CacOptions(_Options):
    """中国网信网: only the article-page selectors."""

    kind: Literal["cac"] = Field("cac", exclude=True, repr=False)


class FeedOptions(_Options):
    """RSS / Atom: article-page selectors for non-WeChat pages."""

    kind: Literal["feed"] = Field("feed", exclude=True, repr=False)


class _ListOptions(_Options):
    list_item: str | None = None
    link: str | None = None
    title: str | None = None
    date: str | None = None
    next_page: str | None = None

    _list_selectors = field_validator("list_item", "link", "title", "date", "next_page")(_list_css)


class ListPageOptions(_ListOptions):
    """Any list page: ``list_item`` (required) and the other list selectors, run by parsel."""

    kind: Literal["listpage"] = Field("listpage", exclude=True, repr=False)
    list_item: str  # type: ignore[assignment]


class MpsOptions(_ListOptions):
    """公安部: list selectors override the built-in ones; ``browser: true`` needs scrapy-playwright."""

    kind: Literal["mps"] = Field("mps", exclude=True, repr=False)
    browser: bool = False

    @field_validator("browser")
    @classmethod
    def _playwright_installed(cls, v: bool) -> bool:
        if v and importlib.util.find_spec("scrapy_playwright") is None:
            raise ValueError("needs scrapy-playwright (pip install scrapy-playwright && playwright install chromium)")
        return v


SourceOptions = Annotated[Union[SecrssOptions, CacOptions, ListPageOptions, FeedOptions, MpsOptions],
                          Field(discriminator="kind")]
OPTIONS_BY_KIND: dict[str, type[_Options]] = {
    m.model_fields["kind"].default: m for m in (SecrssOptions, CacOptions, ListPageOptions, FeedOptions, MpsOptions)}


class SourceConfig(BaseModel):
    """One crawl source from ``sources.yaml``; ``options`` is the model of its ``kind``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    kind: SourceKind
    start_urls: list[str] = Field(min_length=1)
    authority: Literal["网信", "公安", "媒体"]
    region: str | None = None
    schedule: str = "0 */6 * * *"
    enabled: bool = True
    options: SourceOptions

    @model_validator(mode="before")
    @classmethod
    def _options_of_kind(cls, data: Any) -> Any:
        """The options mapping is validated by the model of the entry's kind."""
        if isinstance(data, dict) and data.get("kind") in OPTIONS_BY_KIND:
            options = data.get("options")
            if options is None:
                options = {}
            if isinstance(options, dict):
                return {**data, "options": {**options, "kind": data["kind"]}}
        return data

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, v: list[str]) -> list[str]:
        for url in v:
            if problem := http_url_problem(url):
                raise ValueError(f"{url!r}: {problem}")
        return v

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        parse_schedule(v)  # a cron expression or an interval (30m, 10s, 2h)
        return v


def _source_problems(exc: ValidationError, label: object) -> list[str]:
    # A discriminated union puts the tag in the error path (options.listpage.list_item): drop it.
    out = []
    for err in exc.errors():
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "options" and loc[1] in OPTIONS_BY_KIND:
            del loc[1]
        out += problems_of([{**err, "loc": tuple(loc)}], prefix=f"sources[{label}].")
    return out


def load_sources(path: str | Path) -> list[SourceConfig]:
    """Read ``sources.yaml`` (``sources: [...]``); ids must be unique. Raises ConfigError listing every problem."""
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise ConfigError(path, ["sources: must be a list of source entries"])
    problems: list[str] = []
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    unknown_top = sorted(set(raw) - {"sources"})
    problems += [f"{k}: unknown key" for k in unknown_top]
    for i, entry in enumerate(raw["sources"]):
        label = entry.get("id", i) if isinstance(entry, dict) else i
        try:
            src = SourceConfig.model_validate(entry)
        except ValidationError as exc:
            problems += _source_problems(exc, label)
            continue
        if src.id in seen:
            problems.append(f"sources[{src.id}].id: duplicate source id")
        seen.add(src.id)
        sources.append(src)
    if problems:
        raise ConfigError(path, problems)
    return sources
