"""JSON columns hold readable UTF-8 on both engines; migration 0002_utf8_json rewrites older rows."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import text

from regwatch.config import SourceConfig
from regwatch.storage import ArticleRecord, ArticleStore, make_engine, sync_sources, upgrade_schema

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
STATUTES = ["网络安全法:21", "数据安全法:27"]
LIKE = "SELECT count(*) FROM cases WHERE CAST(statutes AS TEXT) LIKE '%网络安全法%'"


def test_stored_statutes_are_found_by_like(engine):
    sync_sources(engine, [SourceConfig(id="s", name="s", kind="feed", start_urls=["https://a.example/"], authority="网信")])
    ArticleStore(engine).save_article(
        ArticleRecord("https://a.example/1", "https://a.example/1", "s", "某公司被罚", "正文", NOW, NOW, "h", 2, True,
                      reasons=["罚款"]),
        [{"fingerprint": "f1", "statutes": STATUTES, "penalties": ["罚款"], "keywords": ["数据泄露"], "summary": "案情"}])
    with engine.connect() as conn:
        assert conn.scalar(text(LIKE)) == 1
        assert "罚款" in conn.scalar(text("SELECT CAST(reasons AS TEXT) FROM articles"))


def test_migration_rewrites_escaped_rows(db_url):
    engine = make_engine(db_url)
    upgrade_schema(engine, "0001")
    escaped = {c: json.dumps(v) for c, v in {"statutes": STATUTES, "subject": ["政企机构"], "nature": [], "impact": [],
                                            "penalties": ["罚款"], "fine_person_yuan": [5000], "keywords": ["泄露"],
                                            "reasons": ["罚款"]}.items()}
    assert "\\u" in escaped["statutes"]
    cast = "CAST(:{0} AS JSON)" if engine.dialect.name == "postgresql" else ":{0}"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO articles (id, canonical_url, url, title, fetched_at, updated_at, text, content_hash,"
                          " raw_size, status, is_enforcement, reasons) VALUES (1, 'u', 'u', 't', :now, :now, 'x', 'h', 1,"
                          f" 'classified', true, {cast.format('reasons')})"), {"now": NOW, "reasons": escaped["reasons"]})
        cols = ["statutes", "subject", "nature", "impact", "penalties", "fine_person_yuan", "keywords"]
        conn.execute(text(f"INSERT INTO cases (article_id, position, fingerprint, created_at, updated_at, summary, "
                          f"one_case_two_checks, insider, {', '.join(cols)}) VALUES (1, 0, 'f', :now, :now, '', false, "
                          f"false, {', '.join(cast.format(c) for c in cols)})"), {"now": NOW, **escaped})
        assert conn.scalar(text(LIKE)) == 0  # the defect this migration repairs
    upgrade_schema(engine)
    with engine.connect() as conn:
        assert conn.scalar(text(LIKE)) == 1
        row = conn.execute(text("SELECT CAST(statutes AS TEXT), CAST(fine_person_yuan AS TEXT) FROM cases")).one()
        assert json.loads(row[0]) == STATUTES and json.loads(row[1]) == [5000]
        assert "罚款" in conn.scalar(text("SELECT CAST(reasons AS TEXT) FROM articles"))
    engine.dispose()
