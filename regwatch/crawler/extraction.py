"""From fetched bytes to an article: decoding, canonical URL, main text, title and date.

Order of preference for the text: a WeChat page's ``#js_content``; the source's configured CSS
selectors; trafilatura. Everything configurable lives in ``regwatch/config/extraction.yaml``
(validated by ``regwatch.config.extraction``).
"""

from __future__ import annotations

import codecs
import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from regwatch import clock
from regwatch.clock import BEIJING
from regwatch.config import MAX_TEXT_CHARS, MAX_TITLE_CHARS, ExtractionRules, load_extraction_rules
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
#: Legacy Chinese encodings are all read as their superset GB18030.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                     "cp936": "gb18030", "ascii": "utf-8", "us-ascii": "utf-8"}
_BLOCK_TAGS = {"p", "div", "section", "article", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
               "table", "blockquote", "pre", "br", "hr", "dd", "dt", "header", "footer"}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "form", "button")
_WS = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")
#: A line break inside inline text is source formatting: it becomes _SOFT_BREAK, which is
#: dropped between two CJK characters and is a space elsewhere.
_SOURCE_BREAK = re.compile(r"[ \t\u00a0\r\f\v]*\n\s*")
_SOFT_BREAK = "\x00"
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\x00+(?=[\u3000-\u9fff\uff00-\uffef])")
_DATE = re.compile(r"(20\d\d|19\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"
                   r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_RELATIVE = re.compile(r"刚刚|\d+\s*(?:秒|分钟|小时|天|周|个月)前|今天|昨天|前天")
_WECHAT_TIME = re.compile(r"""\b(?:var\s+ct|create_time)\s*[=:]\s*["']?(\d{9,11})""")


@lru_cache(maxsize=1)
def default_rules() -> ExtractionRules:
    return load_extraction_rules()


# --- URLs -------------------------------------------------------------------------------------

def _is_tracking(name: str, patterns: tuple[str, ...]) -> bool:
    name = name.lower()
    return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in patterns)


def is_wechat_url(url: str, rules: ExtractionRules | None = None) -> bool:
    """A WeChat article URL: mp.weixin.qq.com, or any ``/s?__biz=…&mid=…&idx=…`` (RSS bridges, mirrors)."""
    rules = rules or default_rules()
    parts = urlsplit(url)
    if parts.hostname == "mp.weixin.qq.com":
        return True
    keys = {k for k, _ in parse_qsl(parts.query)}
    return parts.path.rstrip("/").endswith("/s") and set(rules.wechat_identity_params) <= keys


def canonical_url(url: str, rules: ExtractionRules | None = None) -> str:
    """The article identity: lower-case scheme/host, no fragment, no tracking parameters, sorted query.

    WeChat article URLs keep only ``__biz``, ``mid`` and ``idx``.
    """
    rules = rules or default_rules()
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if is_wechat_url(url, rules) and parts.path.rstrip("/").endswith("/s") and query:
        keep = set(rules.wechat_identity_params)
        query = [(k, v) for k, v in query if k in keep]
    else:
        query = [(k, v) for k, v in query if not _is_tracking(k, rules.tracking_params)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


# --- decoding ---------------------------------------------------------------------------------

def _normalise_encoding(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    name = _ENCODING_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page: HTTP header charset, then BOM, then ``<meta charset>``, then detection.

    GB2312/GBK are read as GB18030. Returns (text, encoding used).
    """
    candidates: list[str | None] = []
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        candidates.append(_normalise_encoding(m.group(1)) if m else None)
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            candidates.append(enc)
    m = _META_CHARSET.search(body[:4096])
    candidates.append(_normalise_encoding(m.group(1).decode("ascii", "ignore")) if m else None)
    for enc in filter(None, candidates):
        try:
            return body.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000], cp_isolation=["gb18030", "big5", "utf_8", "cp1252"]).best()
    enc = _normalise_encoding(best.encoding) if best is not None else None
    enc = enc or "gb18030"
    return body.decode(enc, errors="replace"), enc


# --- dates ------------------------------------------------------------------------------------

def parse_published(value: Any) -> datetime | None:
    """A publication instant (UTC) from what sites write; a time without a zone is Beijing time.

    ISO-8601 (``2026-11-20T02:30:00Z``, ``…+08:00``, ``2026-11-20 10:30``), unix seconds, the
    Chinese forms (``2026年11月20日 10:30``, ``2026/11/20``), and relative ones (``3小时前``,
    ``昨天 10:30``, ``刚刚``) counted back from ``clock.now()``. A bare date is that day in Beijing.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=BEIJING)).astimezone(timezone.utc)
    s = str(value).strip()[:100]
    if re.fullmatch(r"\d{9,11}", s):
        return datetime.fromtimestamp(int(s), tz=timezone.utc)
    if _ISO.fullmatch(s):
        try:
            return parse_published(datetime.fromisoformat(s))
        except ValueError:
            pass
    if _RELATIVE.search(s):
        return _parse_relative(s)
    m = _DATE.search(s)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, sec, tzinfo=BEIJING).astimezone(timezone.utc)
    except ValueError:
        return None


def _parse_relative(text: str) -> datetime | None:
    """``3小时前``, ``昨天 10:30`` … in Beijing time, relative to the clock (dateparser)."""
    import dateparser

    base = clock.now().astimezone(BEIJING).replace(tzinfo=None)
    found = dateparser.parse(text, languages=["zh"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    return found.replace(tzinfo=BEIJING).astimezone(timezone.utc) if found else None


# --- text -------------------------------------------------------------------------------------

def _inline(text: str) -> str:
    return _SOURCE_BREAK.sub(_SOFT_BREAK, text.replace(_SOFT_BREAK, ""))


def element_text(el: etree._Element) -> str:
    """Visible text of an element with one line per block (paragraph, list item, heading …)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP_TAGS:
            if node.tail:
                parts.append(_inline(node.tail))
            return
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text and tag:
            parts.append(_inline(node.text))
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail and node is not el:
            parts.append(_inline(node.tail))

    walk(el)
    joined = _CJK_GAP.sub("", "".join(parts)).replace(_SOFT_BREAK, " ")
    lines = (_WS.sub(" ", line).strip() for line in joined.split("\n"))
    return "\n".join(line for line in lines if line)[:MAX_TEXT_CHARS]


def _first_text(doc: lxml.html.HtmlElement, selector: str | None) -> str:
    if not selector:
        return ""
    for el in doc.cssselect(selector):
        text = element_text(el)
        if text:
            return text
    return ""


def _meta(doc: lxml.html.HtmlElement, *names: str) -> str:
    for name in names:
        for el in doc.xpath(f'//meta[@name="{name}" or @property="{name}"]'):
            content = (el.get("content") or "").strip()
            if content:
                return content
    return ""


def content_hash(text: str) -> str:
    """Hash of the text with whitespace removed: the same article served twice hashes the same."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


@dataclass
class ExtractedArticle:
    """What extraction found in one page."""

    title: str
    text: str
    published_at: datetime | None
    method: str  # wechat | selectors | trafilatura
    account: str | None = None
    selector_missed: bool = False


@dataclass(frozen=True)
class PageSelectors:
    """CSS selectors a source configures for its article pages (any may be None)."""

    body: str | None = None
    title: str | None = None
    date: str | None = None


class WeChatArticleParser:
    """mp.weixin.qq.com article pages: title, account, publish time and the ``#js_content`` body."""

    def __init__(self, rules: ExtractionRules | None = None):
        self.rules = rules or default_rules()

    @staticmethod
    def looks_like(doc: lxml.html.HtmlElement) -> bool:
        return bool(doc.xpath('//*[@id="js_content"]'))

    def parse(self, doc: lxml.html.HtmlElement, html: str) -> ExtractedArticle:
        title = _first_text(doc, "#activity-name") or _meta(doc, "og:title", "twitter:title")
        account = _first_text(doc, "#js_name") or None
        body = doc.xpath('//*[@id="js_content"]')[0]
        lines = [ln for ln in element_text(body).split("\n") if ln.strip() not in self.rules.wechat_noise_lines]
        m = _WECHAT_TIME.search(html)
        published = parse_published(m.group(1)) if m else parse_published(_first_text(doc, "#publish_time"))
        return ExtractedArticle(title=title, text="\n".join(lines), published_at=published, method="wechat",
                                account=account)


class ArticleExtractor:
    """Turns a decoded page into an ``ExtractedArticle``; one instance per crawl."""

    def __init__(self, rules: ExtractionRules | None = None):
        self.rules = rules or default_rules()
        self.wechat = WeChatArticleParser(self.rules)

    def extract(self, html: str, url: str, selectors: PageSelectors | None = None,
                title_hint: str | None = None, date_hint: str | None = None) -> ExtractedArticle:
        selectors = selectors or PageSelectors()
        try:
            doc = lxml.html.document_fromstring(html)
        except (etree.ParserError, ValueError):
            return ExtractedArticle(title=title_hint or "", text="", published_at=parse_published(date_hint),
                                    method="none")
        if self.wechat.looks_like(doc):
            return self.wechat.parse(doc, html)
        result: ExtractedArticle | None = None
        missed = False
        if selectors.body:
            text = _first_text(doc, selectors.body)
            if text:
                result = ExtractedArticle(title="", text=text, published_at=None, method="selectors")
            else:
                missed = True
        if result is None:
            result = self._trafilatura(doc, url)
        result.selector_missed = missed
        title = (_first_text(doc, selectors.title) or _meta(doc, "ArticleTitle", "og:title") or title_hint
                 or _first_text(doc, "h1") or _first_text(doc, "title"))
        result.title = title.split("\n")[0][:MAX_TITLE_CHARS]
        if selectors.date:
            result.published_at = parse_published(_first_text(doc, selectors.date))
        result.published_at = (result.published_at
                                or parse_published(_meta(doc, "PubDate", "publishdate", "article:published_time"))
                                or parse_published(date_hint) or self._find_date(doc))
        return result

    @staticmethod
    def _find_date(doc: lxml.html.HtmlElement) -> datetime | None:
        """Last resort for the date: htmldate's heuristics over the page (slow, so only when nothing else)."""
        from htmldate import find_date

        try:
            return parse_published(find_date(doc, extensive_search=False, original_date=True))
        except (ValueError, TypeError):
            return None

    @staticmethod
    def _trafilatura(doc: lxml.html.HtmlElement, url: str) -> ExtractedArticle:
        """Main text by trafilatura; title and date are found by the cheaper steps of ``extract``."""
        import trafilatura

        text = trafilatura.extract(copy.deepcopy(doc), url=url, include_comments=False, include_tables=True,
                                   favor_precision=True, with_metadata=False) or ""
        return ExtractedArticle(title="", text=text[:MAX_TEXT_CHARS], published_at=None, method="trafilatura")
