"""Reading stored cases for reports: streamed in batches, with every outlet that reported each case."""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, String, and_, cast, func, or_, select
from sqlalchemy.orm import aliased

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


@dataclass(slots=True)
class CaseRow:
    """One stored case as reports show it; list fields are tuples shared between rows (read-only)."""

    id: int
    title: str
    position: int
    published_at: datetime | None
    industry: str | None
    subject: tuple[str, ...]
    nature: tuple[str, ...]
    impact: tuple[str, ...]
    statutes: tuple[str, ...]
    responsibility: str | None
    domain: str | None
    authority: str | None
    province: str | None
    penalties: tuple[str, ...]
    fine_org_yuan: int | None
    fine_person_yuan: tuple[int, ...]
    one_case_two_checks: bool
    insider: bool
    cases_in_article: int = 1
    sources: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def _raw(col: Any) -> Any:
    """A JSON column as its text: the same few label lists repeat across cases, so each text is decoded once."""
    return cast(col, String).label(col.key)


_CASE_COLUMNS = (Case.position, Case.published_at, Case.industry, _raw(Case.subject),
            _raw(Case.nature), _raw(Case.impact), _raw(Case.statutes), Case.responsibility, Case.domain,
            Case.authority, Case.province, _raw(Case.penalties), Case.fine_org_yuan, _raw(Case.fine_person_yuan),
            Case.one_case_two_checks, Case.insider)


@lru_cache(maxsize=65536)
def _decoded(text: str | None) -> tuple[Any, ...]:
    value = json.loads(text) if text else None
    return tuple(value) if isinstance(value, list) else ()


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
    """The matching cases, oldest first, streamed (server-side cursor, ``batch`` rows at a time).

    One query: a row per (case, reporting article), in case order, folded into one ``CaseRow`` each.
    """
    first, outlet, sibling = aliased(Article), aliased(Article), aliased(CaseReport)
    cases_in_article = (select(func.count()).select_from(sibling).where(sibling.article_id == Case.article_id)
                        .scalar_subquery())
    query = (select(Case.id, first.title, *_CASE_COLUMNS, cases_in_article, outlet.url, outlet.source_id, Source.name)
             .join(first, first.id == Case.article_id)
             .outerjoin(CaseReport, CaseReport.case_id == Case.id)
             .outerjoin(outlet, outlet.id == CaseReport.article_id)
             .outerjoin(Source, Source.id == outlet.source_id)
             .where(*_where(flt))
             .order_by(func.coalesce(Case.published_at, Case.created_at), Case.id, CaseReport.id))
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
        for _, reports in groupby(result, key=itemgetter(0)):
            (case_id, title, position, published_at, industry, subject, nature, impact, statutes, responsibility,
             domain, authority, province, penalties, fine_org, fine_person, two_checks, insider, in_article,
             url, source_id, source_name) = next(reports)
            sources = {source_name or source_id: None} if url else {}
            urls = [url] if url else []
            for *_, url, source_id, source_name in reports:
                sources[source_name or source_id] = None
                urls.append(url)
            yield CaseRow(case_id, title, position, published_at, industry, _decoded(subject), _decoded(nature),
                          _decoded(impact), _decoded(statutes), responsibility, domain, authority, province,
                          _decoded(penalties), fine_org, _decoded(fine_person), bool(two_checks), bool(insider),
                          in_article or 1, [s for s in sources if s], urls)
