"""Split an article into its cases (案例一/案件二/（一）/01 …, round-up headings, penalised paragraphs)."""
from __future__ import annotations

import re
from collections.abc import Callable
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
        self.heading = re.compile(compile_regex(rules, "splitting", "heading", require(rules, "splitting", "heading", str)).pattern,
                                  re.MULTILINE)
        para = require(rules, "splitting", "paragraph_case", dict)
        self.violation = compile_regex(rules, "splitting", "paragraph_case.violation", para.get("violation"))
        self.penalty = compile_regex(rules, "splitting", "paragraph_case.penalty", para.get("penalty"))

    def split(self, text: str, is_case: Callable[[str], bool] = bool) -> list[Segment]:
        """Segments in order; `is_case` tells whether a round-up item reports a case."""
        for family in self.families:
            starts = [m.start() for m in family.finditer(text)][: self.max_cases]
            if len(starts) >= self.min_markers:
                lead = text[: starts[0]]
                bounds = starts + [len(text)]
                return [Segment(text[a:b].strip(), lead) for a, b in zip(bounds, bounds[1:])]
        items = self._headed_items(text)
        if sum(1 for item in items if is_case(item)) >= self.min_markers:
            return [Segment(item, "") for item in items if is_case(item)][: self.max_cases]
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        penalised = [i for i, p in enumerate(paragraphs)
                     if i > 0 and self.violation.search(p) and self.penalty.search(p)]
        if len(penalised) >= self.min_markers and len(paragraphs) - len(penalised) >= 1:
            lead = "\n".join(paragraphs[: penalised[0]])
            return [Segment(paragraphs[i], lead) for i in penalised[: self.max_cases]]
        return [Segment(text.strip(), "")]

    def _headed_items(self, text: str) -> list[str]:
        """Round-up items: each run of heading lines with the body that follows it."""
        starts, previous_end = [], -2
        for m in self.heading.finditer(text):
            if text[previous_end:m.start()].strip():
                starts.append(m.start())
            previous_end = m.end()
        if len(starts) < self.min_markers:
            return []
        bounds = starts + [len(text)]
        return [text[a:b].strip() for a, b in zip(bounds, bounds[1:])]
