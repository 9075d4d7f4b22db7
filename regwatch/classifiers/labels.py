"""Weighted-regex label scoring for industry, subject, nature and impact."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .literals import LiteralGate
from .rules import Rules, RulesError, check_vocabulary, compile_regex, require


@dataclass(frozen=True)
class LabelRule:
    label: str
    patterns: tuple[tuple[re.Pattern[str], float], ...]
    threshold: float
    exclusive: bool = False


class LabelScorer:
    """Scores every label of one field from labels.yaml and picks one (single) or several (multi)."""

    def __init__(self, rules: Rules, field: str) -> None:
        cfg = require(rules, "labels", field, dict)
        self.field = field
        self.multi = require(rules, "labels", f"{field}.mode", str) == "multi"
        self.default = cfg.get("default")
        self.title_weight = float(cfg.get("title_weight", 1))
        self.rules: list[LabelRule] = []
        for label, spec in require(rules, "labels", f"{field}.labels", dict).items():
            key = f"{field}.labels.{label}"
            patterns = spec.get("patterns", spec) if isinstance(spec, dict) else None
            if not isinstance(patterns, dict) or not patterns:
                raise RulesError(str(rules.directory / "labels.yaml"), key, "expected a mapping of regex -> weight")
            compiled = []
            for pattern, weight in patterns.items():
                if pattern in ("threshold", "exclusive"):
                    continue
                if not isinstance(weight, (int, float)):
                    raise RulesError(str(rules.directory / "labels.yaml"), f"{key}.{pattern}", "weight must be a number")
                compiled.append((compile_regex(rules, "labels", f"{key}.{pattern}", pattern), float(weight)))
            self.rules.append(LabelRule(str(label), tuple(compiled), float(spec.get("threshold", 1)),
                                        bool(spec.get("exclusive", False))))
        self._gate = LiteralGate([pattern for rule in self.rules for pattern, _ in rule.patterns])
        defaults = self.default if isinstance(self.default, list) else [self.default]
        check_vocabulary(rules, "labels", f"{field}.labels", field, [r.label for r in self.rules] + defaults)

    def scores(self, title: str, text: str) -> dict[str, float]:
        in_text, in_title = self._gate.mask(text), self._gate.mask(title) if title else 0
        result = {}
        i = 0
        for rule in self.rules:
            score = 0.0
            for pattern, weight in rule.patterns:
                if in_text >> i & 1 and pattern.search(text):
                    score += weight
                if in_title >> i & 1 and pattern.search(title):
                    score += weight * self.title_weight
                i += 1
            result[rule.label] = score
        return result

    def single(self, title: str, text: str) -> str:
        scores = self.scores(title, text)
        best = max(scores, key=scores.__getitem__)
        return best if scores[best] > 0 else str(self.default)

    def multi_labels(self, title: str, text: str, scores: dict[str, float] | None = None) -> list[str]:
        scores = scores if scores is not None else self.scores(title, text)
        reached = [r for r in self.rules if scores[r.label] >= r.threshold]
        chosen = [r.label for r in reached if r.exclusive][:1] or [r.label for r in reached]
        return chosen or list(self.default or [])
