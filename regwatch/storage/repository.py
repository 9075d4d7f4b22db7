"""Repositories: what the crawler, the CLI and the alerts read and write."""

from __future__ import annotations

import hashlib
import os
import socket
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Select, bindparam, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.cases import CaseCard
from regwatch.config import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from regwatch.config.alerts import Subscription
from regwatch.storage import matching, outbox
from regwatch.storage.db import writer
from regwatch.storage.models import (
    Article,
    Case,
    CaseReport,
    CrawlRun,
    HttpValidator,
    IdHighWater,
    PendingArticle,
    Source,
)

RUN_STATUSES = ("ok", "empty", "blocked", "error", "selectors_broken", "interrupted")
#: A ``running`` run whose owner cannot be checked (another host) is taken as dead after this long.
STALE_RUN_AFTER = timedelta(hours=12)


@dataclass
class ArticleRecord:
    """An extracted article ready to be stored."""

    canonical_url: str
    url: str
    source_id: str | None
    title: str
    text: str
    published_at: datetime | None
    fetched_at: datetime
    content_hash: str
    raw_size: int
    is_enforcement: bool
    reasons: list[str] = field(default_factory=list)
    status: str = "classified"


@dataclass
class SaveResult:
    """What ``ArticleStore.save_article`` did."""

    article_id: int
    created: bool
    case_ids: list[int]
    new_cases: int
    merged_cases: int


def _insert(s: Session, model: Any) -> Any:
    """An INSERT for ``model`` that supports ``on_conflict_do_nothing`` / ``…_do_update`` on either backend."""
    return (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)(model)


def _distinct_fingerprints(cards: Sequence[dict[str, Any]]) -> list[str]:
    """The cards' fingerprints, made distinct where two cases of one article share one.

    The classifier's fingerprint holds what outlets agree on (authority, fines, penalties …); two
    cases of one article can agree on all of it. Those get the summary (and position) mixed in, so a
    later report of one of them is matched by its text instead of merging into the wrong case.
    """
    raw = [str(card.get("fingerprint") or "")[:64] for card in cards]
    seen = Counter(fp for fp in raw if fp)
    out = []
    for pos, (fp, card) in enumerate(zip(raw, cards)):
        if fp and seen[fp] > 1:
            fp = hashlib.sha1(f"{fp}|{pos}|{card.get('summary') or ''}".encode()).hexdigest()[:16]
        out.append(fp)
    return out


_TWIN_BY_FINGERPRINT = (select(Case.id).where(Case.fingerprint == bindparam("fingerprint"),
                                              Case.article_id != bindparam("article_id")).order_by(Case.id).limit(1))


@lru_cache(maxsize=8)
def _twin_candidates(with_fine: bool, with_province: bool, with_date: bool) -> Select[Any]:
    """Recent cases of other articles with the same authority, organisation fine and province."""
    query = select(Case.id, Case.summary).where(
        Case.article_id != bindparam("article_id"), Case.authority == bindparam("authority"),
        Case.fine_org_yuan == bindparam("fine") if with_fine else Case.fine_org_yuan.is_(None),
        Case.province == bindparam("province") if with_province else Case.province.is_(None))
    if with_date:
        query = query.where(Case.published_at.between(bindparam("after"), bindparam("before")))
    return query.order_by(Case.id.desc()).limit(50)


def _case_values(card: dict[str, Any], published_at: datetime | None) -> dict[str, Any]:
    """The Case row's values of a classifier card (coerced and bounded by the case contract)."""
    values = CaseCard.from_dict(card).to_dict()
    del values["position"]
    values["published_at"] = published_at
    return values


class ArticleStore:
    """Articles and their cases. Each ``save_article`` is one transaction."""

    def __init__(self, engine: Engine, subscriptions: Sequence[Subscription] = ()):
        self.engine = engine
        #: The alert subscriptions: a new case owes them deliveries, written with it (``storage.outbox``).
        self.subscriptions = tuple(subscriptions)
        self._writer = writer(engine)

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The subset of ``urls`` (canonical) already stored."""
        urls = list(dict.fromkeys(urls))
        found: set[str] = set()
        with Session(self.engine) as s:
            for i in range(0, len(urls), 500):
                chunk = urls[i:i + 500]
                found.update(s.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(chunk))))
        return found

    def find_duplicate(self, canonical_url: str, content_hash: str) -> str | None:
        """Why an article would be a duplicate: 'url' (already stored), 'text' (same text elsewhere), or None."""
        query = (select(Article.canonical_url).where(or_(Article.canonical_url == canonical_url,
                                                         Article.content_hash == content_hash)).limit(2))
        with self.engine.connect() as conn:
            found = list(conn.scalars(query))
        if not found:
            return None
        return "url" if canonical_url in found else "text"

    def get_validators(self, url: str) -> tuple[str | None, str | None]:
        """The (ETag, Last-Modified) last seen for ``url``."""
        with Session(self.engine) as s:
            row = s.get(HttpValidator, url)
            return (row.etag, row.last_modified) if row else (None, None)

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with Session(self._writer) as s, s.begin():
            stmt = _insert(s, HttpValidator).values(url=url, etag=etag, last_modified=last_modified, updated_at=clock.now())
            s.execute(stmt.on_conflict_do_update(index_elements=[HttpValidator.url], set_={
                "etag": etag, "last_modified": last_modified, "updated_at": clock.now()}))

    def save_article(self, article: ArticleRecord, cases: Sequence[dict[str, Any]]) -> SaveResult:
        """Insert or update (by canonical URL) an article and its cases in one transaction.

        A case whose fingerprint matches a case first seen in another article is merged into it
        (recorded as one more report of that case) instead of becoming a second record.
        """
        values = dict(vars(article))
        values["text"] = values["text"][:MAX_TEXT_CHARS]
        values["title"] = values["title"][:MAX_TITLE_CHARS]
        now = clock.now()
        with Session(self._writer) as s, s.begin():
            newest_before = outbox.newest_case_id(s) if self.subscriptions else 0
            # Idempotent under concurrency: a second process saving the same article updates it.
            inserted = s.scalar(_insert(s, Article).values(**values, updated_at=now)
                                .on_conflict_do_nothing(index_elements=[Article.canonical_url]).returning(Article.id))
            created = inserted is not None
            row = s.scalar(select(Article).where(Article.canonical_url == article.canonical_url))
            if not created:
                for k, v in values.items():
                    setattr(row, k, v)
            s.execute(delete(PendingArticle).where(PendingArticle.canonical_url == article.canonical_url))
            case_ids, new, merged = self._save_cases(s, row, cases, created)
            outbox.owe_deliveries(s, self.subscriptions, case_ids, after=newest_before)
            return SaveResult(row.id, created, case_ids, new, merged)

    def _save_cases(self, s: Session, article: Article, cards: Sequence[dict[str, Any]],
                    created: bool = False) -> tuple[list[int], int, int]:
        reports = {} if created else {r.position: r for r in s.scalars(select(CaseReport).where(CaseReport.article_id == article.id))}
        case_ids: list[int] = []
        new = merged = 0
        for pos, (card, fingerprint) in enumerate(zip(cards, _distinct_fingerprints(cards))):
            values = _case_values(card, article.published_at) | {"fingerprint": fingerprint}
            report = reports.pop(pos, None)
            if report is not None:
                case = s.get(Case, report.case_id)
                if case.article_id == article.id and case.position == pos:
                    for k, v in values.items():
                        setattr(case, k, v)
                    case_ids.append(case.id)
                    continue
                if case.fingerprint == values["fingerprint"]:
                    case_ids.append(case.id)
                    continue
                s.delete(report)
                s.flush()
            twin = self._find_twin(s, article, values)
            if twin is not None:
                s.add(CaseReport(case_id=twin, article_id=article.id, position=pos))
                case_ids.append(twin)
                merged += 1
                continue
            case = None if created else s.scalar(select(Case).where(Case.article_id == article.id, Case.position == pos))
            if case is None:
                case = Case(id=_new_case_id(s), article_id=article.id, position=pos, **values)
                s.add(case)
                s.flush()
                new += 1
            else:
                for k, v in values.items():
                    setattr(case, k, v)
            s.add(CaseReport(case_id=case.id, article_id=article.id, position=pos))
            case_ids.append(case.id)
        for report in reports.values():
            self._drop_report(s, article, report)
        s.flush()
        return case_ids, new, merged

    @staticmethod
    def _find_twin(s: Session, article: Article, values: dict[str, Any]) -> int | None:
        """The id of a stored case of another article that reports the same real-world case, if any."""
        if values["fingerprint"]:
            twin = s.scalar(_TWIN_BY_FINGERPRINT, {"fingerprint": values["fingerprint"], "article_id": article.id})
            if twin is not None:
                return twin
        if not values["authority"] or not values["summary"]:
            return None
        params = {"article_id": article.id, "authority": values["authority"], "fine": values["fine_org_yuan"],
                  "province": values["province"]}
        if values["published_at"] is not None:
            params |= {"after": values["published_at"] - matching.MAX_APART,
                       "before": values["published_at"] + matching.MAX_APART}
        query = _twin_candidates(bool(values["fine_org_yuan"]), bool(values["province"]), values["published_at"] is not None)
        threshold = (matching.MIN_SIMILARITY_WITH_FINE if values["fine_org_yuan"]
                     else matching.MIN_SIMILARITY_WITHOUT_FINE)
        best, best_score = None, threshold
        for case_id, summary in s.execute(query, params):
            score = matching.text_similarity(values["summary"], summary)
            if score >= best_score:
                best, best_score = case_id, score
        return best

    @staticmethod
    def _drop_report(s: Session, article: Article, report: CaseReport) -> None:
        """Forget that ``article`` reports a case; a case seen only there goes too."""
        case = s.get(Case, report.case_id)
        s.delete(report)
        s.flush()
        if case.article_id != article.id:
            return
        other = s.scalar(select(CaseReport).where(CaseReport.case_id == case.id).order_by(CaseReport.id).limit(1))
        if other is None:
            s.delete(case)
        else:
            case.article_id, case.position = other.article_id, other.position


def _new_case_id(s: Session) -> int | None:
    """The id of a new case on SQLite: one above any id ever given out (``id_high_water``), so a
    watermark never skips a case. None elsewhere: PostgreSQL's sequence never repeats an id.
    Runs inside the writer's transaction, which holds SQLite's write lock."""
    if s.get_bind().dialect.name != "sqlite":
        return None
    last = s.get(IdHighWater, "cases")
    new_id = max(last.last_id if last else 0, s.scalar(select(func.max(Case.id))) or 0) + 1
    if last is None:
        s.add(IdHighWater(table_name="cases", last_id=new_id))
    else:
        last.last_id = new_id
    return new_id


def sync_sources(engine: Engine, sources: Iterable[Any]) -> None:
    """Mirror the configured sources (``SourceConfig``) into the sources table (an upsert: safe to race)."""
    with Session(writer(engine)) as s, s.begin():
        for src in sources:
            values = {"name": src.name, "kind": src.kind, "authority": src.authority, "region": src.region,
                      "enabled": src.enabled, "updated_at": clock.now()}
            s.execute(_insert(s, Source).values(id=src.id, **values)
                      .on_conflict_do_update(index_elements=[Source.id], set_=values))


@dataclass
class PendingEntry:
    """An article to fetch again: its URL and the list page's hints."""

    url: str
    canonical_url: str
    title_hint: str | None
    date_hint: str | None
    attempts: int


class PendingArticles:
    """Articles a list named that are not stored yet: the crawl retries them with backoff until stored or given up.

    Backoff after the n-th failure: ``backoff × 2^(n-1)``, at most one day; after ``max_attempts``
    failures the article is given up (state ``given_up``, kept with its reason for ``sources list``).
    """

    def __init__(self, engine: Engine, *, max_attempts: int = 8, backoff: timedelta = timedelta(minutes=10)):
        self.engine = engine
        self._writer = writer(engine)
        self.max_attempts = max_attempts
        self.backoff = backoff

    def record_failure(self, source_id: str, canonical_url: str, url: str, reason: str,
                       title_hint: str | None = None, date_hint: str | None = None) -> PendingEntry | None:
        """Count one more failure of an article; returns it, or None when it has now been given up."""
        now = clock.now()
        with Session(self._writer) as s, s.begin():
            if s.scalar(select(Article.id).where(Article.canonical_url == canonical_url)) is not None:
                return PendingEntry(url, canonical_url, title_hint, date_hint, 0)  # stored meanwhile: nothing pending
            s.execute(_insert(s, PendingArticle).values(
                canonical_url=canonical_url, url=url[:4000], source_id=source_id, title_hint=(title_hint or None) and title_hint[:1000],
                date_hint=(date_hint or None) and date_hint[:100], state="pending", reason="", attempts=0,
                next_attempt_at=now, first_failed_at=now, last_failed_at=now,
            ).on_conflict_do_nothing(index_elements=[PendingArticle.canonical_url]))
            row = s.scalar(select(PendingArticle).where(PendingArticle.canonical_url == canonical_url).with_for_update())
            row.attempts += 1
            row.reason, row.last_failed_at, row.source_id = reason[:2000], now, source_id
            if row.attempts >= self.max_attempts:
                row.state = "given_up"
            else:
                row.state = "pending"
                row.next_attempt_at = now + min(self.backoff * 2 ** (row.attempts - 1), timedelta(days=1))
            entry = PendingEntry(row.url, row.canonical_url, row.title_hint, row.date_hint, row.attempts)
            return None if row.state == "given_up" else entry

    def due(self, source_id: str, limit: int = 500) -> list[PendingEntry]:
        """The source's pending articles whose next attempt is due."""
        with Session(self.engine) as s:
            rows = s.scalars(select(PendingArticle).where(
                PendingArticle.source_id == source_id, PendingArticle.state == "pending",
                PendingArticle.next_attempt_at <= clock.now()).order_by(PendingArticle.id).limit(limit))
            return [PendingEntry(r.url, r.canonical_url, r.title_hint, r.date_hint, r.attempts) for r in rows]

    def known(self, canonical_urls: Iterable[str]) -> set[str]:
        """The subset of ``canonical_urls`` already recorded (pending or given up)."""
        urls = list(dict.fromkeys(canonical_urls))
        found: set[str] = set()
        with Session(self.engine) as s:
            for i in range(0, len(urls), 500):
                found.update(s.scalars(select(PendingArticle.canonical_url)
                                       .where(PendingArticle.canonical_url.in_(urls[i:i + 500]))))
        return found

    def resolve(self, canonical_url: str) -> None:
        """Forget an article that no longer needs a retry (stored, or a duplicate of a stored text)."""
        with Session(self._writer) as s, s.begin():
            s.execute(delete(PendingArticle).where(PendingArticle.canonical_url == canonical_url))

    def counts(self, source_id: str) -> dict[str, int]:
        """{'pending': n, 'given_up': m} for a source."""
        with Session(self.engine) as s:
            rows = s.execute(select(PendingArticle.state, func.count()).where(PendingArticle.source_id == source_id)
                             .group_by(PendingArticle.state)).all()
        return {"pending": 0, "given_up": 0} | {state: n for state, n in rows}


@dataclass
class SourceHealth:
    """A source's latest run and the warnings derived from its history."""

    source_id: str
    last_run: CrawlRun | None
    warnings: list[str]


class CrawlRunLog:
    """Crawl runs per source, and the health flags derived from them.

    Runs reference the sources table: call ``sync_sources`` with the configured sources first.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._writer = writer(engine)

    def start(self, source_id: str) -> int:
        """Open a ``running`` run owned by this process."""
        with Session(self._writer) as s, s.begin():
            run = CrawlRun(source_id=source_id, status="running", started_at=clock.now(), host=socket.gethostname()[:255],
                           pid=os.getpid())
            s.add(run)
            s.flush()
            return run.id

    def close_interrupted(self) -> int:
        """Mark ``interrupted`` the runs left ``running`` by a crawl that died (killed, power loss).

        A run is dead when its process no longer exists on this host, or, for a run of another
        host, when it started more than ``STALE_RUN_AFTER`` ago. Returns how many were closed.
        """
        host, now = socket.gethostname()[:255], clock.now()
        with Session(self._writer) as s, s.begin():
            runs = s.execute(select(CrawlRun.id, CrawlRun.host, CrawlRun.pid, CrawlRun.started_at)
                             .where(CrawlRun.status == "running")).all()
            dead = [r.id for r in runs
                    if (r.host == host and not process_alive(r.pid))
                    or (r.host != host and clock.as_utc(r.started_at) < now - STALE_RUN_AFTER)]
            if dead:
                s.execute(update(CrawlRun).where(CrawlRun.id.in_(dead), CrawlRun.status == "running").values(
                    status="interrupted", finished_at=now, message="the crawl process ended without closing this run"))
            return len(dead)

    def finish(self, run_id: int, *, pages_fetched: int, new_articles: int, skipped: int, errors: int,
               status: str, message: str = "", selector_misses: int = 0) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown crawl status {status!r}; expected one of {RUN_STATUSES}")
        with Session(self._writer) as s, s.begin():
            run = s.get(CrawlRun, run_id)
            if run is None:
                raise KeyError(f"no crawl run {run_id}")
            run.finished_at = clock.now()
            run.pages_fetched, run.new_articles, run.skipped, run.errors = pages_fetched, new_articles, skipped, errors
            run.status, run.message, run.selector_misses = status, message[:5000], selector_misses

    def has_completed(self, source_id: str) -> bool:
        """Whether the source ever finished a crawl with status ok."""
        with Session(self.engine) as s:
            return s.scalar(select(CrawlRun.id).where(CrawlRun.source_id == source_id, CrawlRun.status == "ok")
                            .limit(1)) is not None

    def needs_backfill(self, source_id: str) -> bool:
        """Whether the next crawl must page through the whole window: no good crawl yet, or the last one failed.

        After a failed or interrupted crawl, pages past the first stored article may hold articles
        that were never fetched.
        """
        with Session(self.engine) as s:
            last = s.scalar(select(CrawlRun.status).where(CrawlRun.source_id == source_id, CrawlRun.finished_at.is_not(None))
                            .order_by(CrawlRun.id.desc()).limit(1))
        return last not in ("ok", "empty") or not self.has_completed(source_id)

    def health(self, source_id: str, history: int = 10) -> SourceHealth:
        """Latest run plus warnings: blocked, errors, selectors matching nothing, or silence after yield."""
        with Session(self.engine) as s:
            runs = list(s.scalars(select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.finished_at.is_not(None))
                                  .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(history)))
            ever = s.scalar(select(func.count(Article.id)).where(Article.source_id == source_id)) or 0
            given_up = s.scalar(select(func.count(PendingArticle.id)).where(
                PendingArticle.source_id == source_id, PendingArticle.state == "given_up")) or 0
        warnings: list[str] = []
        if given_up:
            warnings.append(f"{given_up} article(s) given up after repeated failures")
        if runs:
            last = runs[0]
            if last.status == "blocked":
                warnings.append(f"blocked: {last.message or 'anti-bot challenge'}")
            elif last.status == "selectors_broken" or last.selector_misses:
                warnings.append("selectors matched nothing: the site layout may have changed")
            elif last.status == "error":
                warnings.append(f"last crawl failed: {last.message}")
            elif last.status == "interrupted":
                warnings.append("last crawl was interrupted (the process died); the next one pages through the window again")
            if last.status == "empty" and (ever or any(r.new_articles for r in runs[1:])):
                warnings.append("yielded nothing while it used to")
        return SourceHealth(source_id, runs[0] if runs else None, warnings)


def process_alive(pid: int | None) -> bool:
    """Whether a process with this pid runs on this host."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
