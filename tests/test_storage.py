"""Storage: migrations, idempotent re-ingest, cross-source merging, transactional safety, health."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from regwatch.config import SourceConfig
from regwatch.storage import ArticleRecord, ArticleStore, CrawlRunLog, SchemaOutdated, ensure_schema_current, make_engine, sync_sources, upgrade_schema
from regwatch.storage.db import current_revision, head_revision
from regwatch.storage.models import Article, Case, CaseReport

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
SOURCE = SourceConfig(id="wx-test", name="网信测试", kind="feed", start_urls=["https://example.org/feed"], authority="网信")


def article(url: str = "https://example.org/a/1", title: str = "某公司被罚", text: str = "正文", **kw) -> ArticleRecord:
    values = dict(canonical_url=url, url=url + "?utm_source=x", source_id=SOURCE.id, title=title, text=text,
                  published_at=NOW, fetched_at=NOW, content_hash=f"h-{url}-{text}", raw_size=len(text),
                  is_enforcement=True, reasons=["罚款"])
    values.update(kw)
    return ArticleRecord(**values)


def card(fingerprint: str, fine: int | None = 50000, **kw) -> dict:
    values = dict(industry="金融", subject=["政企机构"], nature=["建设运维管理疏失"], impact=["个人利益"],
                  statutes=["数据安全法:27"], responsibility="未履行安全保护义务", domain="数据安全",
                  authority="网信", province="北京", penalties=["罚款"], fine_org_yuan=fine,
                  fine_person_yuan=[10000], one_case_two_checks=False, insider=False, keywords=["数据泄露"],
                  fingerprint=fingerprint, summary=f"{fingerprint} " * 3)
    values.update(kw)
    return values


@pytest.fixture
def store(engine):
    sync_sources(engine, [SOURCE])
    return ArticleStore(engine)


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_migrations_take_an_empty_database_to_head(db_url):
    eng = make_engine(db_url)
    with pytest.raises(SchemaOutdated, match="regwatch db upgrade"):
        ensure_schema_current(eng)
    assert current_revision(eng) is None
    upgrade_schema(eng)
    assert current_revision(eng) == head_revision()
    ensure_schema_current(eng)
    tables = set(inspect(eng).get_table_names())
    assert {"sources", "crawl_runs", "articles", "cases", "case_reports", "deliveries", "http_validators"} <= tables
    upgrade_schema(eng)  # idempotent
    assert current_revision(eng) == head_revision()
    eng.dispose()


def test_reingesting_the_same_url_updates_in_place(engine, store):
    first = store.save_article(article(), [card("fp1"), card("fp2", fine=None)])
    again = store.save_article(article(title="某公司被罚（更新）"), [card("fp1"), card("fp2", fine=200000)])
    assert first.created and not again.created
    assert again.article_id == first.article_id and again.case_ids == first.case_ids
    assert (count(engine, Article), count(engine, Case), count(engine, CaseReport)) == (1, 2, 2)
    with Session(engine) as s:
        assert s.scalar(select(Article.title)) == "某公司被罚（更新）"
        assert s.scalar(select(Case.fine_org_yuan).where(Case.position == 1)) == 200000


def test_reingest_with_fewer_cases_drops_the_rest(engine, store):
    store.save_article(article(), [card("a"), card("b"), card("c")])
    store.save_article(article(), [card("a")])
    assert count(engine, Case) == 1 and count(engine, CaseReport) == 1


def test_same_case_from_two_outlets_is_one_case(engine, store):
    one = store.save_article(article("https://a.example/1"), [card("same-case")])
    two = store.save_article(article("https://b.example/9", text="另一家媒体的报道"), [card("other"), card("same-case")])
    assert two.merged_cases == 1 and two.new_cases == 1
    assert two.case_ids[1] == one.case_ids[0]
    assert count(engine, Case) == 2
    with Session(engine) as s:
        reports = s.scalars(select(CaseReport).where(CaseReport.case_id == one.case_ids[0])).all()
        assert {r.article_id for r in reports} == {one.article_id, two.article_id}


REPORT_A = ("11月18日，北京市网信办依法对北京某教育科技有限公司违法处理未成年人个人信息案件作出行政处罚，"
            "该公司运营的App要求填写儿童姓名、学校和家庭住址，未取得监护人同意，罚款50万元。")
REPORT_B = ("据网信北京消息，北京市网信办对北京某教育科技有限公司违法处理未成年人个人信息一案作出处罚决定："
            "其App注册时要求填写儿童姓名、就读学校、家庭住址，未取得其父母同意，责令改正并处罚款50万元。")
OTHER = ("北京市网信办对某物流公司数据泄露作出处罚：该公司未建立数据安全管理制度，"
         "导致运单信息被批量导出，依据数据安全法罚款50万元。")


def test_same_case_worded_differently_by_two_outlets_is_merged(engine, store):
    one = store.save_article(article("https://a.example/1"), [card("fp-a", fine=500000, summary=REPORT_A)])
    two = store.save_article(article("https://b.example/2", text="转载"),
                             [card("fp-b", fine=500000, summary=REPORT_B, penalties=["罚款", "责令改正"])])
    assert two.merged_cases == 1 and two.case_ids == one.case_ids
    assert count(engine, Case) == 1


def test_different_cases_with_the_same_fine_are_not_merged(engine, store):
    store.save_article(article("https://a.example/1"), [card("fp-a", fine=500000, summary=REPORT_A)])
    other = store.save_article(article("https://b.example/2", text="另一案"), [card("fp-c", fine=500000, summary=OTHER)])
    assert other.new_cases == 1 and other.merged_cases == 0
    assert count(engine, Case) == 2


def test_merged_case_survives_when_its_first_article_drops_it(engine, store):
    one = store.save_article(article("https://a.example/1"), [card("shared")])
    two = store.save_article(article("https://b.example/2"), [card("shared")])
    store.save_article(article("https://a.example/1"), [])
    with Session(engine) as s:
        case = s.get(Case, one.case_ids[0])
        assert case is not None and case.article_id == two.article_id


def test_a_failed_write_loses_nothing(engine, store, monkeypatch):
    store.save_article(article(text="原文"), [card("x", fine=50000)])

    def boom(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ArticleStore, "_save_cases", boom)
    with pytest.raises(RuntimeError):
        store.save_article(article(text="被破坏的新文本"), [card("x", fine=1)])
    with Session(engine) as s:
        assert s.scalar(select(Article.text)) == "原文"
        assert s.scalar(select(Case.fine_org_yuan)) == 50000


def test_lookups_for_incremental_crawling(store):
    store.save_article(article("https://a.example/1", text="甲"), [])
    assert store.known_urls(["https://a.example/1", "https://a.example/2"]) == {"https://a.example/1"}
    assert store.find_duplicate("https://a.example/1", "other-hash") == "url"
    assert store.find_duplicate("https://a.example/9", "h-https://a.example/1-甲") == "text"
    assert store.find_duplicate("https://a.example/9", "nope") is None
    assert store.get_validators("https://a.example/list") == (None, None)
    store.set_validators("https://a.example/list", '"etag-1"', "Mon, 02 Nov 2026 08:00:00 GMT")
    store.set_validators("https://a.example/list", '"etag-2"', None)
    assert store.get_validators("https://a.example/list") == ('"etag-2"', None)


def test_crawl_run_health_flags(engine, store):
    runs = CrawlRunLog(engine)
    r1 = runs.start(SOURCE.id)
    runs.finish(r1, pages_fetched=3, new_articles=2, skipped=0, errors=0, status="ok")
    assert runs.health(SOURCE.id).warnings == []
    store.save_article(article(), [])
    r2 = runs.start(SOURCE.id)
    runs.finish(r2, pages_fetched=1, new_articles=0, skipped=0, errors=0, status="empty")
    assert any("used to" in w for w in runs.health(SOURCE.id).warnings)
    r3 = runs.start(SOURCE.id)
    runs.finish(r3, pages_fetched=1, new_articles=0, skipped=0, errors=0, status="blocked", message="anti-bot challenge")
    health = runs.health(SOURCE.id)
    assert health.last_run.id == r3 and health.warnings[0].startswith("blocked")
    with pytest.raises(ValueError, match="unknown crawl status"):
        runs.finish(r3, pages_fetched=0, new_articles=0, skipped=0, errors=0, status="fine")


def test_a_case_id_is_never_given_out_twice(engine, store):
    """Case ids are the digest watermark: after the newest case is dropped, the next case gets a higher id
    (SQLite by itself hands the id of a deleted last row out again)."""
    first = store.save_article(article(), [card("a"), card("b")])
    store.save_article(article(), [card("a")])  # drops the newest case, b
    later = store.save_article(article(url="https://example.org/a/2"), [card("c", fine=7000, summary="另一起案件 " * 3)])
    assert later.case_ids[0] > max(first.case_ids)
