"""Rule-plus-keyword classifier for Chinese cybersecurity enforcement news."""
from __future__ import annotations

import datetime

from .classifier import ArticleResult, CaseCard, EnforcementClassifier
from .rules import RulesError

__all__ = ["ArticleResult", "CaseCard", "EnforcementClassifier", "RulesError", "classify"]

_default: EnforcementClassifier | None = None


def classify(title: str, text: str, *, published: datetime.date | None = None) -> ArticleResult:
    """Classify with a lazily built default classifier (see EnforcementClassifier.classify)."""
    global _default
    if _default is None:
        _default = EnforcementClassifier()
    return _default.classify(title, text, published=published)
