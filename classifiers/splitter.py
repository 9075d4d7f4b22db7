"""Split an article into its cases (案例一/案件二/（一）/01 …, or one case per penalised paragraph)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .rules import Rules, compile_regex, require


@dataclass(frozen=True)
class Segment:
    """One case's own text plus the article's lead (shared context)."""

    text: str
    lead: str


class CaseSplitter:
    """Cuts text at line-start case markers of one family, else at penalised paragraphs."""

    def __init__(self, rules: Rules) -> None:
        self.min_markers: int = require(rules, "splitting", "min_markers", int)
        self.max_cases: int = require(rules, "splitting", "max_cases", int)
        self.families = [
            re.compile(r"(?m)^[ \t\u3000]*" + compile_regex(rules, "splitting", f"families[{i}]", f).pattern)
            for i, f in enumerate(require(rules, "splitting", "families", list))
        ]
        para = require(rules, "splitting", "paragraph_case", dict)
        self.violation = compile_regex(rules, "splitting", "paragraph_case.violation", para.get("violation"))
        self.penalty = compile_regex(rules, "splitting", "paragraph_case.penalty", para.get("penalty"))

    def split(self, text: str) -> list[Segment]:
        for family in self.families:
            starts = [m.start() for m in family.finditer(text)][: self.max_cases]
            if len(starts) >= self.min_markers:
                lead = text[: starts[0]]
                bounds = starts + [len(text)]
                return [Segment(text[a:b].strip(), lead) for a, b in zip(bounds, bounds[1:])]
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        penalised = [i for i, p in enumerate(paragraphs)
                     if i > 0 and self.violation.search(p) and self.penalty.search(p)]
        if len(penalised) >= self.min_markers and len(paragraphs) - len(penalised) >= 1:
            lead = "\n".join(paragraphs[: penalised[0]])
            return [Segment(paragraphs[i], lead) for i in penalised[: self.max_cases]]
        return [Segment(text.strip(), "")]
