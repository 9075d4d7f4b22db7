"""Fuzzing (hypothesis) of what regwatch reads from outside: `classify` input, feeds, list pages,
article pages. No input may raise out of the parser (a traceback), and every bad input is named.

The number of inputs tried is printed at the end of the module (run with ``-s`` to see it);
``FUZZ_EXAMPLES=2000`` runs more examples per test than the default 150.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter

import pytest
from click.testing import CliRunner
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request

from regwatch.app.commands.classify import classify_cmd
from regwatch.config import SourceConfig
from regwatch.crawler.extraction import ArticleExtractor, PageSelectors, decode_html
from regwatch.crawler.spiders.base import ListEntry
from regwatch.crawler.spiders.feed import parse_feed
from regwatch.crawler.spiders.listpage import ListPageSpider

TRIED: Counter[str] = Counter()
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
pytestmark = pytest.mark.usefixtures("shared_classifier")


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    print(f"\nfuzz inputs tried: {dict(TRIED)} total {sum(TRIED.values())}; crashes: 0 (any crash fails a test)")


def _check_classify(data: bytes) -> None:
    result = CliRunner().invoke(classify_cmd, ["-"], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1)
    out = [line for line in result.stdout.split("\n") if line]
    for line in out:
        json.loads(line)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    named = [line for line in result.stderr.splitlines() if line.startswith("-: line ")]
    if "--plain" in result.stderr:  # refused as a whole: named, nothing classified
        assert not out and result.exit_code == 1
        return
    assert len(out) + len(named) == len(lines), (data, result.stdout, result.stderr)
    assert result.exit_code == (1 if named else 0)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
rows = st.fixed_dictionaries({}, optional={"id": json_values, "title": st.one_of(st.text(max_size=40), json_values),
                                           "text": st.one_of(st.text(max_size=200), json_values)})


@FUZZ
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=5))
def test_classify_survives_random_bytes(chunks):
    TRIED["classify random bytes"] += 1
    _check_classify(b"{}\n" + b"\n".join(chunks))  # a JSONL start, so the lines themselves are judged
    _check_classify(b"\n".join(chunks))


@FUZZ
@given(st.lists(st.one_of(rows, json_values), min_size=1, max_size=6))
def test_classify_survives_random_json(values):
    TRIED["classify random JSON"] += 1
    data = b"\n".join(json.dumps(v, ensure_ascii=bool(i % 2)).encode() for i, v in enumerate(values)) + b"\n"
    _check_classify(data)


@FUZZ
@given(st.binary(max_size=2000))
def test_feed_parser_survives_random_bytes(body):
    TRIED["feed random bytes"] += 1
    try:
        entries = parse_feed(body)
    except (DefusedXmlException, ParseError):
        return  # FeedSpider.parse_feed counts and logs these as a refused feed
    assert all(isinstance(e, ListEntry) and isinstance(e.url, str) for e in entries)


xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@FUZZ
@given(st.lists(st.tuples(xml_text, xml_text, xml_text), max_size=5), st.booleans())
def test_feed_parser_reads_random_feeds(items, atom):
    from xml.sax.saxutils import escape, quoteattr

    TRIED["feed random feeds"] += 1
    if atom:
        body = "".join(f"<entry><title>{escape(t)}</title><link href={quoteattr(u)}/><updated>{escape(d)}</updated></entry>"
                       for t, u, d in items)
        doc = f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'
    else:
        body = "".join(f"<item><title>{escape(t)}</title><link>{escape(u)}</link><pubDate>{escape(d)}</pubDate></item>"
                       for t, u, d in items)
        doc = f"<rss><channel>{body}</channel></rss>"
    entries = parse_feed(doc.encode("utf-8"))
    assert len(entries) == len(items)


class _ListParser(ListPageSpider):
    """The list-page spider's parsing without a crawl: entries are collected, not followed."""

    async def follow_entries(self, response, entries, next_page=None):  # type: ignore[no-untyped-def]
        self.found = list(entries)
        return [next_page] if next_page is not None else []


def _list_spider() -> _ListParser:
    spider = _ListParser(source="fuzz")
    spider.source = SourceConfig(id="fuzz", name="f", kind="listpage", start_urls=["https://a.example/"],
                                 authority="网信", options={"list_item": "ul li", "date": "span::text",
                                                           "next_page": "a.next::attr(href)"})
    return spider


html_fragments = st.lists(st.sampled_from(["<ul>", "</ul>", "<li>", "</li>", "<a href='", "'>", "</a>", "<span>",
                                           "</span>", "<a class='next' href='", "javascript:alert(1)", "//x", "\x00",
                                           "2026-11-20", "&#0;", "<!--", "<![CDATA[", "<script>", "</script>"])
                          | st.text(max_size=20), max_size=30)


@FUZZ
@given(st.one_of(st.binary(max_size=2000), html_fragments.map(lambda parts: "".join(parts).encode("utf-8"))),
       st.sampled_from([None, "text/html", "text/html; charset=gbk", "text/html; charset=bogus"]))
def test_list_page_parsing_survives_random_pages(body, content_type):
    TRIED["list page random"] += 1
    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse("https://a.example/list.html", body=body, headers=headers,
                            request=Request("https://a.example/list.html"))
    spider = _list_spider()

    async def collect() -> list:  # type: ignore[type-arg]
        return [r async for r in spider.parse_list(response)]

    requests = asyncio.run(collect())
    assert all(isinstance(e.url, str) for e in spider.found)
    assert all(isinstance(r, Request) for r in requests)


@FUZZ
@given(st.one_of(st.binary(max_size=3000), html_fragments.map(lambda parts: "".join(parts).encode("utf-8"))),
       st.sampled_from([None, "text/html; charset=utf-8", "text/html; charset=gb2312", "text/html; charset=nope"]))
def test_article_extraction_survives_random_pages(body, content_type):
    TRIED["article page random"] += 1
    html, encoding = decode_html(body, content_type)
    assert isinstance(html, str) and encoding
    found = ArticleExtractor().extract(html, "https://a.example/a.html", PageSelectors(body="li", title="a", date="span"))
    assert isinstance(found.text, str) and isinstance(found.title, str)
