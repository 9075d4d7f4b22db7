"""The figures a report opens with, over the cases of a period: counts by field, fines, statutes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine

from regwatch.reports.export import readable_statute
from regwatch.storage.case_query import CaseFilter, iter_cases

CRIMINAL = "刑事处罚"
UNKNOWN = "未标注"
TOP_FINES = 5


@dataclass
class Fine:
    """One fine, with the case it belongs to."""

    yuan: int
    payer: str  # 单位 or 个人
    title: str


@dataclass
class CaseStats:
    """Counts over the cases of a period; list fields count each value once per case."""

    cases: int = 0
    by_industry: Counter[str] = field(default_factory=Counter)
    by_authority: Counter[str] = field(default_factory=Counter)
    by_province: Counter[str] = field(default_factory=Counter)
    by_subject: Counter[str] = field(default_factory=Counter)
    by_nature: Counter[str] = field(default_factory=Counter)
    by_domain: Counter[str] = field(default_factory=Counter)
    statutes: Counter[str] = field(default_factory=Counter)
    one_case_two_checks: int = 0
    insider: int = 0
    criminal: int = 0
    administrative: int = 0
    fined_cases: int = 0
    fines_total_yuan: int = 0
    largest_fines: list[Fine] = field(default_factory=list)

    def add(self, row) -> None:  # type: ignore[no-untyped-def]
        self.cases += 1
        self.by_industry[row.industry or UNKNOWN] += 1
        self.by_authority[row.authority or UNKNOWN] += 1
        self.by_province[row.province or UNKNOWN] += 1
        self.by_domain[row.domain or UNKNOWN] += 1
        for counter, values in ((self.by_subject, row.subject), (self.by_nature, row.nature)):
            counter.update(set(values) or {UNKNOWN})
        self.statutes.update(readable_statute(s) for s in set(row.statutes))
        self.one_case_two_checks += row.one_case_two_checks
        self.insider += row.insider
        if CRIMINAL in row.penalties:
            self.criminal += 1
        else:
            self.administrative += 1
        fines = ([Fine(row.fine_org_yuan, "单位", row.title)] if row.fine_org_yuan else [])
        fines += [Fine(int(y), "个人", row.title) for y in row.fine_person_yuan if y]
        if fines:
            self.fined_cases += 1
            self.fines_total_yuan += sum(f.yuan for f in fines)
            self.largest_fines = sorted(self.largest_fines + fines, key=lambda f: -f.yuan)[:TOP_FINES]


def collect_stats(engine: Engine, flt: CaseFilter) -> CaseStats:
    """Stream the matching cases once and count."""
    stats = CaseStats()
    for row in iter_cases(engine, flt):
        stats.add(row)
    return stats
