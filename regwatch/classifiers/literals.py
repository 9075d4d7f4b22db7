"""Required literals of a regex, and a one-pass gate that tells which regexes of a list can match.

Most rule regexes cannot match a text that lacks some literal word of theirs (罚款 of
"处以?罚款", one of 酒店/宾馆 of "酒店|宾馆"). One Aho-Corasick pass over the text finds which of
those words occur, so only the regexes that can match are searched at all.
"""
from __future__ import annotations

import re

import ahocorasick

from re import _constants as _C, _parser as _P  # the stdlib's regex parser (sre_parse before 3.11)

_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains at least one, or None when no such set
    can be read off (a pattern of classes and wildcards only, or one that ignores case)."""
    try:
        parsed = _P.parse(pattern)
    except Exception:  # noqa: BLE001 - anything the parser cannot read is simply not gated
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _literals(parsed)


def _literals(items) -> frozenset[str] | None:  # noqa: ANN001 - a parsed subpattern
    best: frozenset[str] | None = None
    run: list[str] = []

    def keep(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or (min(map(len, found)), -len(found)) > (min(map(len, best)), -len(best))):
            best = found

    for op, av in items:
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            keep(frozenset(["".join(run)]))
            run = []
        if op is _C.SUBPATTERN:
            if not av[1] & re.IGNORECASE:  # (?i:…) matches other cases than its literals
                keep(_literals(av[-1]))
        elif op is _C.BRANCH:
            branches = [_literals(b) for b in av[1]]
            if all(branches):
                keep(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            keep(_literals(av[2]))
        elif op is _C.IN and len(av) <= 3 and all(o is _C.LITERAL for o, _ in av):
            keep(frozenset(chr(v) for _, v in av))
    if run:
        keep(frozenset(["".join(run)]))
    return best


class LiteralGate:
    """Which patterns of a list can match a text: a bit mask, bit i for pattern i."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self._always = 0  # patterns without required literals are always searched
        masks: dict[str, int] = {}
        for i, pattern in enumerate(patterns):
            literals = required_literals(pattern.pattern)
            if not literals:
                self._always |= 1 << i
                continue
            for literal in literals:
                masks[literal] = masks.get(literal, 0) | 1 << i
        self._automaton = ahocorasick.Automaton()
        for literal, mask in masks.items():
            self._automaton.add_word(literal, mask)
        if masks:
            self._automaton.make_automaton()
        self._empty = not masks

    def mask(self, text: str) -> int:
        mask = self._always
        if not self._empty:
            for _, bits in self._automaton.iter(text):
                mask |= bits
        return mask
