"""Storage under concurrency and crashes, on SQLite and PostgreSQL: schema upgrades, upserts,
interrupted runs, the digest watermark, and fingerprints that tell two cases of one article apart."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regwatch.alerts.digest import write_digest_files
from regwatch.config import SourceConfig
from regwatch.storage import ArticleRecord, ArticleStore, CrawlRunLog, make_engine, sync_sources
from regwatch.storage.db import current_revision, head_revision
from regwatch.storage.models import Article, Case, CaseReport, CrawlRun, PendingArticle
from regwatch.storage.repository import PendingArticles

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
SOURCE = SourceConfig(id="src", name="s", kind="feed", start_urls=["https://x.example/feed"], authority="网信")


def record(n: int, title: str = "", text: str = "") -> ArticleRecord:
    url = f"https://x.example/a/{n}"
    return ArticleRecord(url, url, SOURCE.id, title or f"标题{n}", text or f"正文{n}" * 20, NOW, NOW, f"hash-{n}", 100, True)


def card(fp: str, summary: str, **kw) -> dict:
    return {"fingerprint": fp, "summary": summary, "authority": "网信", "province": "上海", "penalties": ["责令改正"], **kw}


def test_concurrent_schema_upgrades_do_not_collide(db_url):
    """Two processes (two demos in one workdir) upgrading one fresh database at once."""
    code = "import sys; from regwatch.storage.db import make_engine, upgrade_schema; upgrade_schema(make_engine(sys.argv[1]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert current_revision(make_engine(db_url)) == head_revision()


def at_once(fn, n: int = 4) -> tuple[list, list[str]]:
    """Run ``fn`` in ``n`` threads at once: (results, errors)."""
    results, errors = [], []

    def run() -> None:
        try:
            results.append(fn())
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_saving_one_article_from_two_threads_stores_it_once(engine):
    sync_sources(engine, [SOURCE])
    store = ArticleStore(engine)
    results, errors = at_once(lambda: store.save_article(record(1), [card("fp-1", "某公司被责令改正")]))
    assert errors == []
    assert sum(r.created for r in results) == 1
    with Session(engine) as s:
        assert s.scalar(select(func.count(Article.id))) == 1
        assert s.scalar(select(func.count(Case.id))) == 1 and s.scalar(select(func.count(CaseReport.id))) == 1


def test_sync_sources_twice_at_once(engine):
    assert at_once(lambda: sync_sources(engine, [SOURCE]))[1] == []


def test_runs_of_a_dead_process_are_closed_as_interrupted(engine):
    sync_sources(engine, [SOURCE])
    log = CrawlRunLog(engine)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    mine = log.start(SOURCE.id)
    orphan = log.start(SOURCE.id)
    with Session(engine) as s, s.begin():
        s.get(CrawlRun, orphan).pid = dead.pid
    assert log.close_interrupted() == 1
    with Session(engine) as s:
        assert s.get(CrawlRun, orphan).status == "interrupted" and s.get(CrawlRun, orphan).finished_at is not None
        assert s.get(CrawlRun, mine).status == "running"  # this process is alive: not touched


def test_pending_articles_back_off_and_are_given_up(engine):
    from regwatch import clock

    sync_sources(engine, [SOURCE])
    pending = PendingArticles(engine, max_attempts=3, backoff=timedelta(minutes=10))
    clock.pin(NOW)
    try:
        assert pending.record_failure(SOURCE.id, "https://x.example/a/9", "https://x.example/a/9", "HTTP 503").attempts == 1
        assert pending.due(SOURCE.id) == []
        clock.pin(NOW + timedelta(minutes=11))
        assert [e.canonical_url for e in pending.due(SOURCE.id)] == ["https://x.example/a/9"]
        assert pending.record_failure(SOURCE.id, "https://x.example/a/9", "https://x.example/a/9", "HTTP 503").attempts == 2
        clock.pin(NOW + timedelta(minutes=11 + 15))
        assert pending.due(SOURCE.id) == []  # 20 minutes after the second failure
        assert pending.record_failure(SOURCE.id, "https://x.example/a/9", "https://x.example/a/9", "timed out") is None
        clock.pin(NOW + timedelta(days=30))
        assert pending.due(SOURCE.id) == [] and pending.counts(SOURCE.id) == {"pending": 0, "given_up": 1}
        ArticleStore(engine).save_article(record(9), [])
        assert pending.counts(SOURCE.id) == {"pending": 0, "given_up": 0}  # stored at last: nothing pending
    finally:
        clock.pin(None)


def test_a_case_committed_while_a_digest_is_written_is_in_the_next_digest(engine, tmp_path):
    sync_sources(engine, [SOURCE])
    store = ArticleStore(engine)
    store.save_article(record(1, title="第一篇"), [card("fp-1", "某甲公司被责令改正")])
    assert write_digest_files(engine, tmp_path)

    # A crawl's transaction: the case row exists (created_at stamped now) but is not committed yet.
    writer = Session(engine)
    article = Article(canonical_url="https://x.example/a/2", url="https://x.example/a/2", source_id=SOURCE.id,
                      title="迟到的案件", text="正文", content_hash="late", raw_size=1)
    writer.add(article)
    writer.flush()
    writer.add(Case(article_id=article.id, position=0, fingerprint="late", summary="某乙公司被罚款"))
    writer.flush()

    written: list = []
    digest = threading.Thread(target=lambda: written.append(write_digest_files(engine, tmp_path)))
    digest.start()
    time.sleep(0.5)  # the digest is being written (PostgreSQL: it waits for the open writer)
    writer.commit()
    writer.close()
    digest.join(timeout=60)
    written.append(write_digest_files(engine, tmp_path))
    texts = "".join(p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("digest-*.txt")))
    assert texts.count("迟到的案件") == 1, "the late case is in no digest, or in two"
    assert texts.count("第一篇") == 1


def test_two_cases_of_one_article_with_one_fingerprint_stay_apart(engine):
    """The classifier's fingerprint can match for two cases of one article; a later report of the
    second must merge into the second, not into whichever came first."""
    sync_sources(engine, [SOURCE])
    store = ArticleStore(engine)
    first = store.save_article(record(1), [card("same", "某健身App强制采集用户人脸信息，未取得单独同意，上海市网信办责令该公司限期整改"),
                                           card("same", "某阅读App利用个人信息进行个性化推送，未提供拒绝方式，上海市网信办责令该公司限期整改")])
    assert first.new_cases == 2
    with Session(engine) as s:
        fps = list(s.scalars(select(Case.fingerprint).order_by(Case.position)))
    assert len(set(fps)) == 2
    later = store.save_article(record(2), [card("same", "某阅读App利用个人信息进行个性化推送，未提供不针对个人特征的选项及拒绝方式，上海市网信办责令该公司限期整改")])
    assert later.merged_cases == 1 and later.case_ids == [first.case_ids[1]]


def test_a_pending_row_never_outlives_its_stored_article(engine):
    sync_sources(engine, [SOURCE])
    pending = PendingArticles(engine)
    pending.record_failure(SOURCE.id, "https://x.example/a/5", "https://x.example/a/5", "HTTP 500")
    ArticleStore(engine).save_article(record(5), [])
    with Session(engine) as s:
        assert s.scalar(select(func.count(PendingArticle.id))) == 0
