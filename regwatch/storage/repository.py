"""Repositories: what the crawler, the CLI and the alerts read and write."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.cases import CaseCard
from regwatch.config import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from regwatch.config.alerts import Subscription
from regwatch.storage import matching, outbox
from regwatch.storage.models import (
    Article,
    Case,
    CaseReport,
    CrawlRun,
    HttpValidator,
    Source,
)

RUN_STATUSES = ("ok", "empty", "blocked", "error", "selectors_broken")


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
        with Session(self.engine) as s, s.begin():
            row = s.get(HttpValidator, url)
            if row is None:
                s.add(HttpValidator(url=url, etag=etag, last_modified=last_modified))
            else:
                row.etag, row.last_modified = etag, last_modified

    def save_article(self, article: ArticleRecord, cases: Sequence[dict[str, Any]]) -> SaveResult:
        """Insert or update (by canonical URL) an article and its cases in one transaction.

        A case whose fingerprint matches a case first seen in another article is merged into it
        (recorded as one more report of that case) instead of becoming a second record.
        """
        with Session(self.engine) as s, s.begin():
            newest_before = outbox.newest_case_id(s) if self.subscriptions else 0
            row = s.scalar(select(Article).where(Article.canonical_url == article.canonical_url))
            created = row is None
            values = dict(vars(article))
            values["text"] = values["text"][:MAX_TEXT_CHARS]
            values["title"] = values["title"][:MAX_TITLE_CHARS]
            if created:
                row = Article(**values)
                s.add(row)
                s.flush()
            else:
                for k, v in values.items():
                    setattr(row, k, v)
            case_ids, new, merged = self._save_cases(s, row, cases, created)
            outbox.owe_deliveries(s, self.subscriptions, case_ids, after=newest_before)
            return SaveResult(row.id, created, case_ids, new, merged)

    def _save_cases(self, s: Session, article: Article, cards: Sequence[dict[str, Any]],
                    created: bool = False) -> tuple[list[int], int, int]:
        reports = {} if created else {r.position: r for r in s.scalars(select(CaseReport).where(CaseReport.article_id == article.id))}
        case_ids: list[int] = []
        new = merged = 0
        for pos, card in enumerate(cards):
            values = _case_values(card, article.published_at)
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
                case = Case(article_id=article.id, position=pos, **values)
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


def sync_sources(engine: Engine, sources: Iterable[Any]) -> None:
    """Mirror the configured sources (``SourceConfig``) into the sources table."""
    with Session(engine) as s, s.begin():
        for src in sources:
            row = s.get(Source, src.id) or Source(id=src.id)
            row.name, row.kind, row.authority = src.name, src.kind, src.authority
            row.region, row.enabled = src.region, src.enabled
            s.add(row)


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

    def start(self, source_id: str) -> int:
        with Session(self.engine) as s, s.begin():
            run = CrawlRun(source_id=source_id, status="running")
            s.add(run)
            s.flush()
            return run.id

    def finish(self, run_id: int, *, pages_fetched: int, new_articles: int, skipped: int, errors: int,
               status: str, message: str = "", selector_misses: int = 0) -> None:
        if status not in RUN_STATUSES:
            raise ValueError(f"unknown crawl status {status!r}; expected one of {RUN_STATUSES}")
        with Session(self.engine) as s, s.begin():
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

    def health(self, source_id: str, history: int = 10) -> SourceHealth:
        """Latest run plus warnings: blocked, errors, selectors matching nothing, or silence after yield."""
        with Session(self.engine) as s:
            runs = list(s.scalars(select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.finished_at.is_not(None))
                                  .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(history)))
            ever = s.scalar(select(func.count(Article.id)).where(Article.source_id == source_id)) or 0
        warnings: list[str] = []
        if runs:
            last = runs[0]
            if last.status == "blocked":
                warnings.append(f"blocked: {last.message or 'anti-bot challenge'}")
            elif last.status == "selectors_broken" or last.selector_misses:
                warnings.append("selectors matched nothing: the site layout may have changed")
            elif last.status == "error":
                warnings.append(f"last crawl failed: {last.message}")
            if last.status == "empty" and (ever or any(r.new_articles for r in runs[1:])):
                warnings.append("yielded nothing while it used to")
        return SourceHealth(source_id, runs[0] if runs else None, warnings)
