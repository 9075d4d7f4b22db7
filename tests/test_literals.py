"""The literal gate: which regexes of a list can match a text, found in one pass."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regwatch.classifiers import EnforcementClassifier
from regwatch.classifiers.literals import LiteralGate, required_literals

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("pattern, literals", [
    ("罚款", {"罚款"}),
    ("酒店|宾馆|物业", {"酒店", "宾馆", "物业"}),
    ("(职务|工作|岗位)(便利|之便)|内鬼", {"便利", "之便", "内鬼"}),
    ("处以?罚款", {"罚款"}),  # the optional 以 is not required
    ("(?<!互)联通(分公司|营业)", {"联通"}),  # one word beats a choice of two; the lookbehind is not matched text
    (r"[\u4e00-\u9fa5]某(?:某)+", {"某"}),
    ("[甲乙]等", {"等"}),
    ("[甲乙]", {"甲", "乙"}),
    ("罚款(?i:app)", {"罚款"}),  # a group that ignores case requires none of its letters
])
def test_required_literals(pattern, literals):
    assert required_literals(pattern) == literals


@pytest.mark.parametrize("pattern", [r"\d+", r"(?<=罚)\w", "(?i)app", "(?i:app)", "a*b?", "[^。]{2,}", "(甲|.)乙?", "(?!罚款)"])
def test_patterns_without_required_literals_are_always_searched(pattern):
    assert not required_literals(pattern)
    assert LiteralGate([re.compile(pattern)]).mask("") == 1


def rule_patterns() -> list[re.Pattern[str]]:
    clf = EnforcementClassifier()
    patterns = [p for scorer in clf.scorers.values() for rule in scorer.rules for p, _ in rule.patterns]
    for name in ("any_action", "foreign", "totals", "roundup", "policy", "hypothetical"):
        patterns += getattr(clf.detector, name).patterns
    return patterns + [p for _, p in clf.penalties.penalties]


PATTERNS = rule_patterns()
GATE = LiteralGate(PATTERNS)


def test_the_gate_never_skips_a_rule_that_matches_a_real_sentence():
    rows = [json.loads(line) for line in (ROOT / "tests" / "fixtures" / "articles_real.jsonl").open(encoding="utf-8")]
    sentences = {s for row in rows for s in re.split("[。\n]", row["text"]) if s}
    for sentence in sentences:
        mask = GATE.mask(sentence)
        for i, pattern in enumerate(PATTERNS):
            if pattern.search(sentence):
                assert mask >> i & 1, (pattern.pattern, sentence)


ALPHABET = sorted({c for p in PATTERNS for c in p.pattern if "\u4e00" <= c <= "\u9fa5"} | set("0123456789，。"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_the_gate_never_skips_a_rule_that_matches_any_text(text):
    mask = GATE.mask(text)
    assert all(mask >> i & 1 for i, pattern in enumerate(PATTERNS) if pattern.search(text))
