"""Reading stored cases for reports: streamed in batches, with every outlet that reported each case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from regwatch.storage.models import Article, Case, CaseReport, Source

BATCH = 2000


@dataclass(frozen=True)
class CaseFilter:
    """Cases published in [since, until) (a case without a publish date counts by when it was stored)."""

    since: datetime | None = None
    until: datetime | None = None
    industries: Sequence[str] = ()
    provinces: Sequence[str] = ()
    authorities: Sequence[str] = ()


@dataclass
class CaseRow:
    """One stored case as reports show it."""

    id: int
    title: str
    position: int
    cases_in_article: int
    published_at: datetime | None
    industry: str | None
    subject: list[str]
    nature: list[str]
    impact: list[str]
    statutes: list[str]
    responsibility: str | None
    domain: str | None
    authority: str | None
    province: str | None
    penalties: list[str]
    fine_org_yuan: int | None
    fine_person_yuan: list[int]
    one_case_two_checks: bool
    insider: bool
    sources: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


_COLUMNS = (Case.id, Article.title, Case.position, Case.published_at, Case.industry, Case.subject, Case.nature,
            Case.impact, Case.statutes, Case.responsibility, Case.domain, Case.authority, Case.province,
            Case.penalties, Case.fine_org_yuan, Case.fine_person_yuan, Case.one_case_two_checks, Case.insider)


def _where(flt: CaseFilter) -> list[Any]:
    clauses: list[Any] = []
    if flt.since is not None or flt.until is not None:
        def window(col: Any) -> Any:
            parts = []
            if flt.since is not None:
                parts.append(col >= flt.since)
            if flt.until is not None:
                parts.append(col < flt.until)
            return and_(*parts)
        clauses.append(or_(window(Case.published_at), and_(Case.published_at.is_(None), window(Case.created_at))))
    for col, values in ((Case.industry, flt.industries), (Case.province, flt.provinces), (Case.authority, flt.authorities)):
        if values:
            clauses.append(col.in_(list(values)))
    return clauses


def iter_cases(engine: Engine, flt: CaseFilter, *, batch: int = BATCH) -> Iterator[CaseRow]:
    """The matching cases, oldest first, streamed (server-side cursor, ``batch`` rows at a time)."""
    query = (select(*_COLUMNS).join(Article, Article.id == Case.article_id).where(*_where(flt))
             .order_by(func.coalesce(Case.published_at, Case.created_at), Case.id))
    with engine.connect() as conn, engine.connect() as side:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for rows in result.partitions():
            outlets = _outlets(side, [r.id for r in rows])
            for r in rows:
                sources, urls, in_article = outlets.get(r.id, ([], [], 1))
                yield CaseRow(
                    id=r.id, title=r.title, position=r.position, cases_in_article=in_article,
                    published_at=r.published_at, industry=r.industry, subject=list(r.subject or []),
                    nature=list(r.nature or []), impact=list(r.impact or []), statutes=list(r.statutes or []),
                    responsibility=r.responsibility, domain=r.domain, authority=r.authority, province=r.province,
                    penalties=list(r.penalties or []), fine_org_yuan=r.fine_org_yuan,
                    fine_person_yuan=list(r.fine_person_yuan or []), one_case_two_checks=bool(r.one_case_two_checks),
                    insider=bool(r.insider), sources=sources, urls=urls)


def _outlets(conn: Any, case_ids: list[int]) -> dict[int, tuple[list[str], list[str], int]]:
    """Per case: the names of the sources and the URLs of the articles reporting it, and how many cases its first article holds."""
    reports = conn.execute(
        select(CaseReport.case_id, Article.url, Article.source_id, Source.name, Case.article_id)
        .join(Article, Article.id == CaseReport.article_id)
        .join(Case, Case.id == CaseReport.case_id)
        .outerjoin(Source, Source.id == Article.source_id)
        .where(CaseReport.case_id.in_(case_ids)).order_by(CaseReport.case_id, CaseReport.id))
    sources: dict[int, dict[str, None]] = defaultdict(dict)
    urls: dict[int, list[str]] = defaultdict(list)
    first_article: dict[int, int] = {}
    for case_id, url, source_id, name, article_id in reports:
        sources[case_id][name or source_id or ""] = None
        urls[case_id].append(url)
        first_article[case_id] = article_id
    counts = dict(conn.execute(select(CaseReport.article_id, func.count()).where(
        CaseReport.article_id.in_(set(first_article.values()))).group_by(CaseReport.article_id)).all())
    return {cid: ([s for s in sources[cid] if s], urls[cid], counts.get(first_article[cid], 1)) for cid in first_article}
