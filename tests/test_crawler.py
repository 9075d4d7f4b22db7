"""End-to-end crawls: the real Scrapy engine (in a child process, as `regwatch crawl` runs it)
against the local demo server, checked by what lands in the database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regwatch.app.demo import DEMO_DIR, DemoServer, captured_at, write_demo_sources
from regwatch.storage.db import make_engine, upgrade_schema
from regwatch.storage.models import Article, Case, CaseReport, CrawlRun

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = yaml.safe_load((DEMO_DIR / "expected.yaml").read_text(encoding="utf-8"))
SOURCE_OF = {"secrss": "secrss", "cac": "cac-wxfb", "sh": "sh-wxsh", "wangxinzhongguo": "wx-wangxinzhongguo",
             "xianwangjing": "wx-xianwangjing"}
BROKEN_SELECTORS = {"id": "sh-broken", "name": "网信上海 (selectors out of date)", "kind": "listpage",
                    "start_urls": ["{{BASE}}/sh/wxsh/list.html"], "authority": "网信",
                    "options": {"list_item": "ul.old-layout li"}}


def regwatch(config: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGWATCH_CONFIG": str(config), "REGWATCH_NOW": captured_at().isoformat()}
    proc = subprocess.run([sys.executable, "-m", "regwatch.app.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"regwatch {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_config(tmp: Path, base_url: str, extra_sources: list[dict] | None = None, **crawl: object) -> Path:
    sources = write_demo_sources(base_url, tmp / "sources.yaml")
    if extra_sources:
        data = yaml.safe_load(sources.read_text(encoding="utf-8"))
        data["sources"] += json.loads(json.dumps(extra_sources).replace("{{BASE}}", base_url))
        sources.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = tmp / "regwatch.yaml"
    config.write_text(yaml.safe_dump({
        "database_url": f"sqlite:///{tmp / 'rw.db'}", "sources_file": str(sources), "digest_dir": str(tmp / "digests"),
        "crawl": {"download_delay": 0, "concurrent_per_domain": 4, **crawl}}), encoding="utf-8")
    upgrade_schema(make_engine(f"sqlite:///{tmp / 'rw.db'}"))
    return config


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo snapshot crawled twice; yields (engine, server, first-run hits, second-run hits, outputs)."""
    tmp = tmp_path_factory.mktemp("crawl")
    with DemoServer() as server:
        config = make_config(tmp, server.base_url, [BROKEN_SELECTORS])
        first = regwatch(config, "crawl", "--quiet", check=False)
        first_hits = list(server.hits)
        server.hits.clear()
        second = regwatch(config, "crawl", "--quiet", check=False)
        yield {"engine": make_engine(f"sqlite:///{tmp / 'rw.db'}"), "config": config, "first_hits": first_hits,
               "second_hits": list(server.hits), "first": first, "second": second}


def path_of(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


def stored(engine) -> dict[str, Article]:
    with Session(engine) as s:
        return {path_of(a.url): a for a in s.scalars(select(Article))}


def test_every_source_kind_stores_its_articles(demo):
    articles = stored(demo["engine"])
    for entry in EXPECTED:
        assert entry["path"] in articles, f"not stored: {entry['path']}"
        assert articles[entry["path"]].source_id == SOURCE_OF[entry["source"]]
    assert len(articles) == len(EXPECTED)


def test_enforcement_articles_and_their_cases(demo):
    articles = stored(demo["engine"])
    with Session(demo["engine"]) as s:
        reports = dict(s.execute(select(CaseReport.article_id, func.count()).group_by(CaseReport.article_id)).all())
    for entry in EXPECTED:
        art = articles[entry["path"]]
        assert art.is_enforcement == entry["enforcement"], f"{entry['path']} ({entry['note']}): {art.reasons}"
        assert reports.get(art.id, 0) == entry["cases"], entry["path"]


def test_the_same_case_from_two_outlets_is_one_case(demo):
    articles = stored(demo["engine"])
    dup = next(e for e in EXPECTED if e.get("duplicate_of"))
    a, b = articles[dup["path"]], articles[dup["duplicate_of"]]
    with Session(demo["engine"]) as s:
        ids_a = set(s.scalars(select(CaseReport.case_id).where(CaseReport.article_id == a.id)))
        ids_b = set(s.scalars(select(CaseReport.case_id).where(CaseReport.article_id == b.id)))
        assert ids_a == ids_b and len(ids_a) == 1
        assert s.scalar(select(func.count(Case.id))) == sum(e["cases"] for e in EXPECTED) - 1


def test_wechat_pages_lose_their_ui_noise_and_keep_identity(demo):
    wechat = [a for p, a in stored(demo["engine"]).items() if p.startswith("/mp/")]
    assert len(wechat) == sum(e["source"] in ("wangxinzhongguo", "xianwangjing") for e in EXPECTED)
    for art in wechat:
        for noise in ("预览时标签不可点", "继续滑动看下一个", "轻点两下取消赞", "微信扫一扫", "Scan to Follow"):
            assert noise not in art.text, (art.url, noise)
        query = urlsplit(art.canonical_url).query
        assert "sn=" not in query and "__biz=" in query and "mid=" in query and "idx=" in query
        assert art.published_at is not None and art.published_at.year == 2026 and art.title


def test_gbk_pages_are_decoded_with_and_without_a_charset_declaration(demo):
    pages = {p: a for p, a in stored(demo["engine"]).items() if p.startswith("/sh/")}
    raw = {p: (DEMO_DIR / "site" / p.lstrip("/")).read_bytes() for p in pages}
    assert any(b"charset" not in body.lower() for body in raw.values()), "fixture lost its undeclared page"
    for path, art in pages.items():
        assert "\ufffd" not in art.text and art.title.encode("gb18030") in raw[path], path
        first_line = art.text.split("\n")[0][:15]
        assert first_line.encode("gb18030") in raw[path], path


def test_second_crawl_downloads_no_article_and_adds_nothing(demo):
    with Session(demo["engine"]) as s:
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    by_run = {}
    for run in runs:
        by_run.setdefault(run.source_id, []).append(run)
    for source_id in SOURCE_OF.values():
        first, second = by_run[source_id]
        assert first.new_articles > 0 and first.status == "ok"
        assert second.new_articles == 0 and second.status == "ok", second.message
    article_paths = {e["path"] for e in EXPECTED}
    refetched = [p for p, _ in demo["second_hits"] if p in article_paths or p.startswith("/mp/s")]
    assert refetched == []
    assert any(status == 304 for _, status in demo["second_hits"]), "no conditional GET answered 304"


def test_blocked_and_broken_sources_exit_3_with_their_reason(demo):
    for proc in (demo["first"], demo["second"]):
        assert proc.returncode == 3, proc.stdout + proc.stderr
        lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
        assert "anti-bot challenge" in lines["mps"] and "list selectors matched nothing" in lines["sh-broken"]
        assert proc.stderr == ""  # -q: nothing but the table


def test_challenge_is_reported_not_stored(demo):
    with Session(demo["engine"]) as s:
        run = s.scalars(select(CrawlRun).where(CrawlRun.source_id == "mps").order_by(CrawlRun.id.desc())).first()
        assert run.status == "blocked" and "anti-bot challenge" in run.message
        assert s.scalar(select(func.count(Article.id)).where(Article.source_id == "mps")) == 0
    listing = regwatch(demo["config"], "sources", "list").stdout
    assert "blocked" in listing.split("mps", 1)[1]


def test_broken_selectors_are_flagged(demo):
    with Session(demo["engine"]) as s:
        run = s.scalars(select(CrawlRun).where(CrawlRun.source_id == "sh-broken")).first()
        assert run.status == "selectors_broken" and run.selector_misses > 0
    listing = regwatch(demo["config"], "sources", "list").stdout
    assert "selectors matched nothing" in listing.split("sh-broken", 1)[1]


def test_hostile_feed_and_oversized_page_are_refused(tmp_path):
    site = tmp_path / "site"
    (site / "feeds").mkdir(parents=True)
    shutil.copy(FIXTURES / "hostile_site" / "feeds" / "entities.xml", site / "feeds" / "entities.xml")
    (site / "big").mkdir()
    (site / "big" / "page.html").write_text("<html><body><p>" + "罚款" * 60_000 + "</p></body></html>", encoding="utf-8")
    (site / "feeds" / "big.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>big</title><link>{{BASE}}/big/page.html</link></item></channel></rss>", encoding="utf-8")
    with DemoServer(root=site) as server:
        sources = tmp_path / "sources.yaml"
        sources.write_text(yaml.safe_dump({"sources": [
            {"id": "evil", "name": "entities", "kind": "feed", "start_urls": [f"{server.base_url}/feeds/entities.xml"], "authority": "媒体"},
            {"id": "big", "name": "big page", "kind": "feed", "start_urls": [f"{server.base_url}/feeds/big.xml"], "authority": "媒体"},
        ]}), encoding="utf-8")
        config = tmp_path / "regwatch.yaml"
        config.write_text(yaml.safe_dump({"database_url": f"sqlite:///{tmp_path / 'rw.db'}", "sources_file": str(sources),
                                          "crawl": {"download_delay": 0, "max_page_bytes": 100_000}}), encoding="utf-8")
        regwatch(config, "db", "upgrade")
        regwatch(config, "crawl", "--quiet", check=False)
        hits = [p for p, _ in server.hits]
    engine = make_engine(f"sqlite:///{tmp_path / 'rw.db'}")
    with Session(engine) as s:
        assert s.scalar(select(func.count(Article.id))) == 0
        runs = {r.source_id: r for r in s.scalars(select(CrawlRun))}
    assert runs["evil"].errors >= 1 and runs["evil"].status == "error"
    assert "/big/page.html" in hits and runs["big"].new_articles == 0 and runs["big"].errors >= 1


def test_standalone_scrapy_crawl_exports_items(tmp_path):
    with DemoServer() as server:
        config = make_config(tmp_path, server.base_url)
        out = tmp_path / "items.jsonl"
        env = {**os.environ, "REGWATCH_CONFIG": str(config), "REGWATCH_NOW": captured_at().isoformat()}
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "feed", "-a", "source=wx-xianwangjing",
                               "-O", str(out), "-s", "LOG_LEVEL=WARNING"], cwd=Path(__file__).parents[1], env=env,
                              capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(items) == sum(e["source"] == "xianwangjing" for e in EXPECTED)
    assert all(i["body"] is None and i["text"] and i["canonical_url"] for i in items)
    assert sum(len(i["cases"]) for i in items) == sum(e["cases"] for e in EXPECTED if e["source"] == "xianwangjing")


def test_unknown_source_is_a_clear_error(tmp_path):
    with DemoServer() as server:
        config = make_config(tmp_path, server.base_url)
        proc = regwatch(config, "crawl", "--source", "nope", check=False)
    assert proc.returncode == 2 and "unknown source id 'nope'" in proc.stderr


def test_run_is_one_full_cycle_ending_in_a_digest(tmp_path):
    with DemoServer() as server:
        config = make_config(tmp_path, server.base_url)
        first = regwatch(config, "run", "--quiet", "--source", "wx-xianwangjing")
        again = regwatch(config, "run", "--quiet", "--source", "wx-xianwangjing")
    digests = sorted((tmp_path / "digests").glob("digest-*.html"))
    assert len(digests) == 1 and "digest:" in first.stdout
    html = digests[0].read_text(encoding="utf-8")
    cases = sum(e["cases"] for e in EXPECTED if e["source"] == "xianwangjing")
    assert f">{cases} 个案例" in html and html.count("<h3>") == cases
    assert "no new cases since the last digest" in again.stdout


def test_secrss_tag_and_author_filters(tmp_path):
    with DemoServer() as server:
        config = make_config(tmp_path, server.base_url, [
            {"id": "secrss-cases", "name": "secrss 执法案例", "kind": "secrss", "authority": "媒体",
             "start_urls": ["{{BASE}}/secrss/api/articles"], "options": {"tag": "执法案例"}},
            {"id": "secrss-gab", "name": "secrss 公安部网安局", "kind": "secrss", "authority": "公安",
             "start_urls": ["{{BASE}}/secrss/api/articles"], "options": {"author": "公安部网安局"}},
        ])
        regwatch(config, "crawl", "--quiet", "--source", "secrss-gab")
        regwatch(config, "crawl", "--quiet", "--source", "secrss-cases")
        hits = [p for p, _ in server.hits]
    items = json.loads((DEMO_DIR / "site" / "secrss" / "articles.json").read_text(encoding="utf-8"))
    tagged = {i["id"] for i in items if "执法案例" in [t["title"] for t in i["tags"]]}
    by_author = {i["id"] for i in items if i["author"] == "公安部网安局"}
    with Session(make_engine(f"sqlite:///{tmp_path / 'rw.db'}")) as s:
        rows = s.execute(select(Article.source_id, Article.url)).all()
    got = {src: {int(url.rsplit("/", 1)[1]) for s_, url in rows if s_ == src} for src in ("secrss-cases", "secrss-gab")}
    assert got["secrss-gab"] == by_author
    assert got["secrss-cases"] == tagged - by_author
    assert any("/secrss/api/articles/group?author=" in p for p in hits)
    assert all("tag=" in p for p in hits if p.startswith("/secrss/api/articles?"))
