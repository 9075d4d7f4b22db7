"""Edition conventions by the case's own date (config/rules/editions.yaml)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from .rules import Rules, RulesError, compile_regex, require


@dataclass(frozen=True)
class Convention:
    """A convention that holds for cases dated in [first, last] (years, inclusive)."""

    first: int | None
    last: int | None

    def holds(self, year: int | None) -> bool:
        return (year is not None and (self.first is None or year >= self.first)
                and (self.last is None or year <= self.last))


class EditionCalendar:
    """Dates a case and tells which edition conventions hold for it."""

    def __init__(self, rules: Rules) -> None:
        self.year = compile_regex(rules, "editions", "case_date.year", require(rules, "editions", "case_date.year", str))
        self.law_date = compile_regex(rules, "editions", "case_date.law_date",
                                      require(rules, "editions", "case_date.law_date", str))
        self.campaign = compile_regex(rules, "editions", "case_date.campaign",
                                      require(rules, "editions", "case_date.campaign", str))
        in_force = require(rules, "editions", "case_date.in_force", dict)
        if not all(isinstance(year, int) for year in in_force.values()):
            raise RulesError(str(rules.directory / "editions.yaml"), "case_date.in_force", "expected law name -> year")
        self.in_force: dict[str, int] = {str(law): year for law, year in in_force.items()}
        self.conventions: dict[str, Convention] = {}
        for name, span in require(rules, "editions", "conventions", dict).items():
            if not isinstance(span, dict) or not {"from", "until"} & span.keys():
                raise RulesError(str(rules.directory / "editions.yaml"), f"conventions.{name}", "needs from and/or until")
            self.conventions[str(name)] = Convention(span.get("from"), span.get("until"))

    def require(self, name: str, file: str, key: str) -> str:
        """`name` if it is a convention of editions.yaml, else a RulesError for `file`/`key`."""
        if name not in self.conventions:
            raise RulesError(file, key, f"unknown edition convention {name!r} (see editions.yaml)")
        return name

    def case_year(self, text: str, published: datetime.date | None = None, title: str = "") -> int | None:
        """The latest year of a case date in `text`, else of a date or campaign in `title`, else the
        publication year, else the year the newest law named in `text` took effect."""
        for source in (text, title):
            years = [int(m.group(1)) for m in self.year.finditer(source) if not self.law_date.match(source, m.end())]
            years += [int(m.group(1)) for m in self.campaign.finditer(source)]
            if years:
                return max(years)
        if published:
            return published.year
        return max((year for law, year in self.in_force.items() if law in text), default=None)

    def holds(self, name: str, year: int | None) -> bool:
        return self.conventions[name].holds(year)
