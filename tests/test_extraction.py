"""Extraction building blocks: canonical URLs, decoding, dates, WeChat pages, feeds, challenges."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from defusedxml import DefusedXmlException
from scrapy.http import HtmlResponse, Request

from regwatch.crawler.extensions import run_status
from regwatch.config import ConfigError, load_extraction_rules
from regwatch.crawler.extraction import (ArticleExtractor, PageSelectors, canonical_url, content_hash, decode_html,
                                         default_rules, parse_published)
from regwatch.crawler.middlewares import is_challenge
from regwatch.crawler.spiders.feed import parse_feed
from regwatch.app.demo import CHALLENGE_PAGE

BODY = "国家网信办依法查处某公司违法处理个人信息案件，" * 20


@pytest.mark.parametrize("url, expected", [
    ("HTTPS://WWW.Example.gov.cn:443/a/b.htm?utm_source=x&id=3#top", "https://www.example.gov.cn/a/b.htm?id=3"),
    ("http://example.cn/list?b=2&a=1&spm=abc", "http://example.cn/list?a=1&b=2"),
    ("http://example.cn:8080/p", "http://example.cn:8080/p"),
    ("https://mp.weixin.qq.com/s?__biz=MzA5&mid=265&idx=2&sn=ff&chksm=aa&scene=21#wechat_redirect",
     "https://mp.weixin.qq.com/s?__biz=MzA5&idx=2&mid=265"),
    ("https://mp.weixin.qq.com/s/AbCdEf?from=timeline", "https://mp.weixin.qq.com/s/AbCdEf"),
    ("http://127.0.0.1:9/mp/s?sn=1&idx=1&mid=2&__biz=Q", "http://127.0.0.1:9/mp/s?__biz=Q&idx=1&mid=2"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_decoding_prefers_header_then_meta_then_detection():
    gbk = f"<html><head><meta charset='gb2312'></head><body><p>{BODY}</p></body></html>".encode("gbk")
    assert decode_html(gbk, "text/html")[1] == "gb18030" and BODY in decode_html(gbk, "text/html")[0]
    undeclared = f"<html><body><p>{BODY}</p></body></html>".encode("gbk")
    text, enc = decode_html(undeclared, None)
    assert enc == "gb18030" and BODY in text
    utf8_meta_gbk_header = f"<meta charset='utf-8'><p>{BODY}</p>".encode("gbk")
    assert BODY in decode_html(utf8_meta_gbk_header, "text/html; charset=GBK")[0]
    bom = b"\xef\xbb\xbf" + f"<p>{BODY}</p>".encode("utf-8")
    assert BODY in decode_html(bom, None)[0]


def test_a_wrong_declared_charset_falls_back_instead_of_failing():
    body = f"<meta charset='utf-8'><p>{BODY}</p>".encode("gbk")
    text, enc = decode_html(body, None)
    assert enc == "gb18030" and BODY in text


@pytest.mark.parametrize("value, expected", [
    ("2026-11-20", datetime(2026, 11, 19, 16, 0, tzinfo=timezone.utc)),
    ("2026年11月20日 10:30", datetime(2026, 11, 20, 2, 30, tzinfo=timezone.utc)),
    ("发布时间：2026/11/20 08:05:09", datetime(2026, 11, 20, 0, 5, 9, tzinfo=timezone.utc)),
    ("1763600000", datetime.fromtimestamp(1763600000, tz=timezone.utc)),
    ("no date here", None),
    ("2026-13-45", None),
])
def test_parse_published(value, expected):
    assert parse_published(value) == expected


WECHAT = """<html><head><meta property="og:title" content="OG 标题"></head><body>
<h1 class="rich_media_title" id="activity-name">  网信部门查处3起案件 </h1>
<a id="js_name">网信中国</a>
<div id="js_content" style="visibility: hidden;"><section><p><span>案例一：某公司未履行数据安全保护义务，</span>
<span>被罚款10万元。</span></p><p><img data-src="https://mmbiz.qpic.cn/x.png"></p><p>阅读原文</p></section></div>
<div class="qr_code_pc"><p>微信扫一扫<br>关注该公众号</p></div><div>预览时标签不可点</div><div>继续滑动看下一个</div>
<script>var ct = "1763600000"; var create_time = "1763600000" * 1;</script></body></html>"""


def test_wechat_article_parser_keeps_body_and_drops_noise():
    art = ArticleExtractor().extract(WECHAT, "https://mp.weixin.qq.com/s?__biz=a&mid=1&idx=1")
    assert art.method == "wechat" and art.title == "网信部门查处3起案件" and art.account == "网信中国"
    assert art.text == "案例一：某公司未履行数据安全保护义务，被罚款10万元。"
    assert art.published_at == datetime.fromtimestamp(1763600000, tz=timezone.utc)


PAGE = """<html><head><title>站点标题</title><meta name="PubDate" content="2026-11-02 09:00"></head><body>
<div class="nav"><a href="/">首页</a><a href="/a">政务</a></div>
<h1 class="title">查处通报</h1><div id="BodyLabel"><p>第一段：{body}</p><p>第二段：责令改正，给予警告。</p>
<script>alert(1)</script></div><div class="footer">版权所有 主办单位</div></body></html>"""


def test_selectors_first_then_metadata():
    art = ArticleExtractor().extract(PAGE.format(body=BODY), "http://x/a.htm", PageSelectors("#BodyLabel", "h1.title", None))
    assert art.method == "selectors" and art.title == "查处通报"
    assert art.text.split("\n") == [f"第一段：{BODY}", "第二段：责令改正，给予警告。"]
    assert art.published_at == datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)


def test_missing_selector_falls_back_to_trafilatura_and_says_so():
    art = ArticleExtractor().extract(PAGE.format(body=BODY), "http://x/a.htm", PageSelectors(".gone", None, None))
    assert art.method == "trafilatura" and art.selector_missed and "第二段" in art.text
    assert "版权所有" not in art.text and "alert" not in art.text


def test_garbage_is_not_a_crash():
    for garbage in ("\x00\x01", "", "<<<>>>", "<html><body></body></html>"):
        art = ArticleExtractor().extract(garbage, "http://x/")
        assert len(art.text) < 20 and art.published_at is None


def test_content_hash_ignores_whitespace():
    assert content_hash("a b\nc") == content_hash("abc") != content_hash("abd")


def test_feeds_rss_and_atom():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>
    <item><title>A</title><link>http://x/1</link><pubDate>Fri, 20 Nov 2026 10:00:00 +0800</pubDate></item>
    <item><title>B</title><guid>http://x/2</guid></item></channel></rss>"""
    entries = parse_feed(rss)
    assert [(e.url, e.title) for e in entries] == [("http://x/1", "A"), ("http://x/2", "B")]
    assert parse_published(entries[0].date) == datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title>C</title><link rel="alternate" href="http://x/3"/><updated>2026-11-21T08:00:00+08:00</updated></entry></feed>"""
    assert [(e.url, e.title) for e in parse_feed(atom)] == [("http://x/3", "C")]


def test_feeds_with_entities_are_refused():
    body = (Path(__file__).parent / "fixtures" / "hostile_site" / "feeds" / "entities.xml").read_bytes()
    with pytest.raises(DefusedXmlException):
        parse_feed(body)


def _response(body: str, status: int = 200) -> HtmlResponse:
    return HtmlResponse("http://x/", status=status, body=body.encode("utf-8"), request=Request("http://x/"))


def test_challenge_detection():
    rules = default_rules()
    assert is_challenge(_response(CHALLENGE_PAGE, 412), rules)
    assert is_challenge(_response(CHALLENGE_PAGE.replace("412", ""), 200), rules)
    real = PAGE.format(body=BODY) + "<script>document.cookie='a=1'</script>"
    assert not is_challenge(_response(real), rules)
    assert not is_challenge(_response("<html><body>短页面</body></html>"), rules)


def test_extraction_config_errors_name_the_key(tmp_path):
    bad = tmp_path / "extraction.yaml"
    bad.write_text("tracking_params: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_extraction_rules(bad)
    assert err.value.file == str(bad)
    assert {"wechat_identity_params: Field required", "wechat_noise_lines: Field required",
            "challenge: Field required"} == set(err.value.problems)


@pytest.mark.parametrize("stats, reason, status", [
    ({"regwatch/blocked": "blocked by anti-bot challenge"}, "finished", "blocked"),
    ({"regwatch/list_items": 0, "regwatch/selector_misses": 1}, "finished", "selectors_broken"),
    ({"regwatch/list_items": 5, "regwatch/article_pages": 5, "regwatch/articles_empty": 5}, "finished", "selectors_broken"),
    ({"regwatch/list_items": 0}, "finished", "empty"),
    ({"regwatch/list_items": 0, "regwatch/request_errors": 2}, "finished", "error"),
    ({"regwatch/not_modified": 1}, "finished", "ok"),
    ({"regwatch/list_items": 4, "regwatch/articles_new": 4}, "finished", "ok"),
    ({"regwatch/list_items": 4}, "shutdown", "error"),
    ({"regwatch/list_items": 2, "regwatch/article_pages": 2, "regwatch/articles_failed": 2}, "finished", "error"),
    ({"regwatch/list_items": 3, "regwatch/articles_new": 2, "regwatch/articles_failed": 1}, "finished", "error"),
    ({"regwatch/list_items": 3, "regwatch/articles_new": 3, "regwatch/bad_links": 1}, "finished", "ok"),
])
def test_run_status(stats, reason, status):
    assert run_status(stats, reason)[0] == status
