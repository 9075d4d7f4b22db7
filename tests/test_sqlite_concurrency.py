"""A daemon writing and a CLI export reading the same SQLite file at once must both succeed."""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime, timezone

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from regwatch.config import SourceConfig
from regwatch.storage import ArticleRecord, ArticleStore, make_engine, sync_sources, upgrade_schema
from regwatch.storage.models import Article, Case

N_ARTICLES = 150


def _writer(url: str, prefix: str, out: mp.Queue) -> None:
    try:
        store = ArticleStore(make_engine(url))
        now = datetime.now(timezone.utc)
        for i in range(N_ARTICLES):
            u = f"https://{prefix}.example/{i}"
            store.save_article(ArticleRecord(u, u, "src", f"标题{i}", "正文" * 200, now, now, f"{prefix}{i}", 400, True),
                               [{"fingerprint": f"{prefix}-{i}", "authority": "网信", "penalties": ["罚款"]}])
        out.put((prefix, "ok"))
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        out.put((prefix, repr(exc)))


def _reader(url: str, out: mp.Queue) -> None:
    try:
        engine = make_engine(url)
        reads = 0
        while reads < 400:
            with Session(engine) as s, s.begin():
                s.scalar(select(func.count(Article.id)))
                s.execute(select(Case.id, Case.authority, Case.fingerprint)).all()
                s.execute(text("select count(*) from case_reports")).scalar()
            reads += 1
        out.put(("reader", "ok"))
    except Exception as exc:  # noqa: BLE001
        out.put(("reader", repr(exc)))


def test_concurrent_writers_and_reader_all_succeed(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade_schema(engine)
    sync_sources(engine, [SourceConfig(id="src", name="s", kind="feed", start_urls=["https://x.example"], authority="网信")])
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(sqlite_url, "w1", out)),
             ctx.Process(target=_writer, args=(sqlite_url, "w2", out)),
             ctx.Process(target=_reader, args=(sqlite_url, out))]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    assert results == {"w1": "ok", "w2": "ok", "reader": "ok"}
    with Session(engine) as s:
        assert s.scalar(select(func.count(Article.id))) == 2 * N_ARTICLES
        assert s.scalar(select(func.count(Case.id))) == 2 * N_ARTICLES
