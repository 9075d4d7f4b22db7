"""Enforcement evidence, authority, province and penalty finders."""
from __future__ import annotations

import re

import ahocorasick

from .literals import LiteralGate
from .rules import Rules, RulesError, check_vocabulary, compile_regex, require

SENTENCE = re.compile(r"[^。！？!?；;\n]+")
CLAUSE_BREAK = re.compile(r"[，,、：:（）()“”]")
UNIT_PREFIX = 12  # characters before an authority word that may name its place
NOT_ACTING_WINDOW = 24  # characters before an authority word searched for `not_acting`
NEGATION_WINDOW = 8  # characters before a penalty word searched for `not_imposed`
QUOTED = re.compile(r"“[^”\n]{1,30}”|《[^》\n]{1,40}》")


class AnyOf:
    """A YAML list of regexes searched one by one: each keeps the literal-prefix scan that Python's
    `re` gives a single pattern and loses inside one long alternation, and only those whose
    required words occur are searched (LiteralGate). `search` finds what the alternation would
    (the leftmost match, the earlier item on a tie)."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        self.patterns = patterns
        self._gate = LiteralGate(patterns)

    def search(self, text: str) -> re.Match[str] | None:
        best: re.Match[str] | None = None
        mask = self._gate.mask(text)
        for i, pattern in enumerate(self.patterns):
            if mask >> i & 1:
                m = pattern.search(text)
                if m and (best is None or m.start() < best.start()):
                    best = m
        return best


def any_of(rules: Rules, name: str, key: str) -> AnyOf:
    """The regexes of a YAML list, for searching (see AnyOf)."""
    items = require(rules, name, key, list)
    return AnyOf([compile_regex(rules, name, f"{key}[{i}]", item) for i, item in enumerate(items)])


def alternation(rules: Rules, name: str, key: str) -> re.Pattern[str]:
    """One regex from a YAML list of regexes."""
    items = require(rules, name, key, list)
    for i, item in enumerate(items):
        compile_regex(rules, name, f"{key}[{i}]", item)
    return compile_regex(rules, name, key, "|".join(f"(?:{p})" for p in items))


class EnforcementDetector:
    """Sentence-level evidence that an article reports a concrete enforcement case."""

    def __init__(self, rules: Rules) -> None:
        self.window: int = require(rules, "enforcement", "window", int)
        self.action = alternation(rules, "enforcement", "actions")
        self.any_action = any_of(rules, "enforcement", "actions")  # the quick test before finditer
        self.target = alternation(rules, "enforcement", "targets")
        self.foreign = any_of(rules, "enforcement", "foreign")
        self.totals = any_of(rules, "enforcement", "totals")
        self.roundup = any_of(rules, "enforcement", "roundup")
        self.policy = any_of(rules, "enforcement", "policy")
        self.hypothetical = any_of(rules, "enforcement", "hypothetical")
        self.group_decision = compile_regex(rules, "enforcement", "group_decision",
                                            require(rules, "enforcement", "group_decision", str))
        self.party = alternation(rules, "splitting", "parties")
        self.counted_decision = compile_regex(rules, "enforcement", "counted_decision",
                                              require(rules, "enforcement", "counted_decision", str))

    def is_foreign(self, text: str) -> bool:
        """The text names a foreign country, regulator or currency."""
        return bool(self.foreign.search(text))

    def evidence(self, text: str, memo: dict[str, tuple[str, bool] | None] | None = None) -> list[str]:
        """Reasons for: sentences naming an action against a concrete target (a decision on a
        number of organisations only when the text names one of them). `memo` keeps each sentence's
        finding for the other spans of one article that hold it."""
        reasons = []
        named: bool | None = None  # does the text name a party? (asked only for group decisions)
        for m in SENTENCE.finditer(text):
            sentence = m.group()
            if memo is None or sentence not in memo:
                found = self._sentence_evidence(sentence)
                if memo is not None:
                    memo[sentence] = found
            else:
                found = memo[sentence]
            if found is None:
                continue
            reason, group = found
            if group:
                named = bool(self.party.search(text)) if named is None else named
                if not named:
                    continue
            reasons.append(reason)
        return reasons

    def _sentence_evidence(self, sentence: str) -> tuple[str, bool] | None:
        """The reason a sentence gives (and whether it decides on a counted group), or None."""
        if not self.any_action.search(sentence):
            return None
        if self.foreign.search(sentence) or self.hypothetical.search(sentence):
            return None
        decided = self._without_totals(sentence)  # only a decision on the counted ones, after totals, counts
        if not decided:
            return None
        group, sentence = decided != sentence, decided
        actions = list(self.action.finditer(sentence))
        pair = next(((a, t) for t in self.target.finditer(sentence) for a in actions
                     if abs(a.start() - t.start()) <= self.window), None)
        if not pair:
            return None
        return (f"action '{pair[0].group()}' against '{pair[1].group()}': {sentence.strip()[:80]}",
                group or bool(self.group_decision.search(sentence)))

    def without_totals(self, text: str) -> str:
        """The text without the sentences that give campaign totals (roundup), but for their
        decisions on the counted ones."""
        if not self.roundup.search(text):
            return text
        return "。".join(part for m in SENTENCE.finditer(text) if (part := self._without_totals(m.group())))

    def decisions_only(self, text: str) -> str:
        """The text without campaign totals and without provision or conditional wording (what a
        law says may be imposed, what will be imposed if…): the sentences that can name a penalty."""
        return "。".join(part for m in SENTENCE.finditer(text)
                        if not self.hypothetical.search(m.group()) and (part := self._without_totals(m.group())))

    def _without_totals(self, sentence: str) -> str:
        """The sentence; for one of totals, only the decision on the counted ones after them (see
        `counted_decision`), else nothing."""
        totals = self.roundup.search(sentence)
        if not totals:
            return sentence
        counted = self.counted_decision.search(sentence, totals.end())
        tail = sentence[counted.start():] if counted else ""
        return "" if not tail or self.roundup.search(tail) else tail

    def counter_evidence(self, text: str) -> list[str]:
        """Reasons against: foreign regulators, campaign totals, policy news."""
        reasons = []
        for label, pattern in (("foreign", self.foreign), ("totals", self.totals), ("policy", self.policy)):
            m = pattern.search(text)
            if m:
                reasons.append(f"{label}: '{m.group()}'")
        return reasons


class AuthorityFinder:
    """Who imposed the penalty: the authority in a decision sentence, else the first one named."""

    def __init__(self, rules: Rules) -> None:
        self.authorities = []
        for i, item in enumerate(require(rules, "authority", "authorities", list)):
            if not isinstance(item, dict) or not {"label", "pattern"} <= item.keys():
                raise RulesError(str(rules.directory / "authority.yaml"), f"authorities[{i}]", "needs label and pattern")
            self.authorities.append((str(item["label"]), compile_regex(rules, "authority", f"authorities[{i}].pattern", item["pattern"])))
        check_vocabulary(rules, "authority", "authorities", "authority", [label for label, _ in self.authorities])
        self.decision = compile_regex(rules, "authority", "decision", require(rules, "authority", "decision", str))
        self.not_acting = compile_regex(rules, "authority", "not_acting", require(rules, "authority", "not_acting", str))
        self.judgment = compile_regex(rules, "authority", "judgment", require(rules, "authority", "judgment", str))
        self.national_body = compile_regex(rules, "authority", "national_body",
                                           require(rules, "authority", "national_body", str))
        self.national = compile_regex(rules, "authority", "national", self.national_body.pattern
                                      + require(rules, "authority", "national", str))

    def first(self, text: str, *, acting_only: bool = False) -> str | None:
        """The first authority named, passing over bodies that do not act (会同…, 侵入…网站: see `not_acting`)
        when another does; with `acting_only`, None when no body named acts."""
        found: list[tuple[bool, int, str]] = []
        for label, pattern in self.authorities:
            for m in pattern.finditer(text):  # the first mention of the kind that acts, else its first
                passive = bool(self.not_acting.search(text, max(0, m.start() - NOT_ACTING_WINDOW), m.start()))
                found.append((passive, m.start(), label))
                if not passive:
                    break
        if not found or (acting_only and all(passive for passive, _, _ in found)):
            return None
        return min(found)[2]

    def find(self, text: str) -> str | None:
        """The authority of the last decision sentence that names one (a court for a judgment's text)."""
        if self.judgment.search(text):
            return "法院"
        decisions = [m.group() for m in SENTENCE.finditer(text) if self.decision.search(m.group())]
        for sentence in reversed(decisions):
            found = self.first(sentence, acting_only=True)
            if found:
                return found
        return self.first(text, acting_only=True)

    def acting(self, text: str, *, decided: bool = True) -> tuple[str, str]:
        """The words before the authority that decided, up to the clause start, and the words from
        the authority on ("国家", "互联网信息办公室依据…"): where the acting unit names its place.
        Not `decided`: the last authority named in any sentence."""
        decisions = [m.group() for m in SENTENCE.finditer(text) if not decided or self.decision.search(m.group())]
        for sentence in reversed(decisions):
            starts = [m.start() for _, pattern in self.authorities for m in [pattern.search(sentence)] if m]
            if starts:
                start = min(starts)
                return _head(sentence, start), sentence[start:start + 2 * UNIT_PREFIX]
        return "", ""

    def is_national(self, acting: tuple[str, str], *, named_only: bool = False) -> bool:
        """The unit that decided (see `acting`) is a national body (国家网信办, 公安部, 最高人民法院)
        acting itself: the case has no province. `named_only`: the unit is a national body, whatever it did."""
        if named_only:
            return bool(self.national_body.search(acting[0] + acting[1][:UNIT_PREFIX]))
        return bool(self.national.match("".join(acting)))

    def unit_prefixes(self, text: str) -> str:
        """The words before every authority the text names, in order ("云南" of "云南公安机关网安部门"):
        where acting units name their place, whatever else (an expert's university) the text places first;
        not bodies that do not act (see `not_acting`)."""
        heads = []
        for sentence in SENTENCE.finditer(text):
            for _, pattern in self.authorities:
                for m in pattern.finditer(sentence.group()):
                    if not self.not_acting.search(text, max(0, sentence.start() + m.start() - NOT_ACTING_WINDOW),
                                                  sentence.start() + m.start()):
                        heads.append((sentence.start() + m.start(), _head(sentence.group(), m.start())))
        return "\n".join(head for _, head in sorted(heads))


def _head(sentence: str, start: int) -> str:
    """The words of ``sentence`` before ``start``, back to the clause start, at most UNIT_PREFIX characters."""
    return CLAUSE_BREAK.split(sentence[max(0, start - UNIT_PREFIX):start])[-1]


class ProvinceFinder:
    """Province from the first province, city or county name (Aho-Corasick over aliases)."""

    def __init__(self, rules: Rules) -> None:
        self.automaton = ahocorasick.Automaton()
        for name in ("provinces", "counties"):
            for province, aliases in require(rules, name, name, dict).items():
                if not isinstance(aliases, list):
                    raise RulesError(str(rules.directory / f"{name}.yaml"), f"{name}.{province}", "expected a list")
                for alias in aliases:
                    if str(alias) not in self.automaton:  # provinces.yaml wins over counties.yaml
                        self.automaton.add_word(str(alias), (len(str(alias)), str(province)))
        self.automaton.make_automaton()
        self._longest = max((length for _, (length, _) in self.automaton.items()), default=0)

    def find(self, text: str, *, in_quotes: bool = True) -> str | None:
        """The first place named outside quotes (a site called “登封信息网” may be run anywhere), else
        (when `in_quotes`) inside them."""
        place, inside = self.locate(text)
        return place if in_quotes or not inside else None

    def locate(self, text: str) -> tuple[str | None, bool]:
        """`find`'s place, and whether it is named only inside quotes."""
        quoted: list[tuple[int, int]] | None = None
        best: tuple[bool, int, int, str] | None = None
        for end, (length, province) in self.automaton.iter(text):
            if best is not None and not best[0] and end - self._longest >= best[1]:
                break  # names are found in order of their end: none to come starts before the best
            start = end - length + 1
            if quoted is None:
                quoted = [m.span() for m in QUOTED.finditer(text)]
            inside = any(a <= start < b for a, b in quoted)
            if best is None or (inside, start, -length) < best[:3]:
                best = (inside, start, -length, province)
        return (best[3], best[0]) if best else (None, False)


class PenaltyFinder:
    """Canonical penalties named in a case."""

    def __init__(self, rules: Rules) -> None:
        self.penalties = [(label, compile_regex(rules, "penalties", f"penalties.{label}", p))
                          for label, p in require(rules, "penalties", "penalties", dict).items()]
        check_vocabulary(rules, "penalties", "penalties", "penalties", [label for label, _ in self.penalties])
        self._gate = LiteralGate([pattern for _, pattern in self.penalties])

        self.not_imposed = compile_regex(rules, "penalties", "not_imposed", require(rules, "penalties", "not_imposed", str))
        self.arrest = compile_regex(rules, "penalties", "arrest.pattern", require(rules, "penalties", "arrest.pattern", str))
        self.arrest_gives = require(rules, "penalties", "arrest.gives", str)
        self.arrest_unless = require(rules, "penalties", "arrest.unless", str)
        check_vocabulary(rules, "penalties", "arrest", "penalties", [self.arrest_gives, self.arrest_unless])

    def find(self, text: str) -> list[str]:
        mask = self._gate.mask(text)
        found = [label for i, (label, pattern) in enumerate(self.penalties) if mask >> i & 1 and self._imposed(pattern, text)]
        if self.arrest_gives not in found and self.arrest_unless not in found and self.arrest.search(text):
            found.append(self.arrest_gives)  # an arrest in a solved case (see `arrest` in penalties.yaml)
        return found

    def _imposed(self, pattern: re.Pattern[str], text: str) -> bool:
        """`pattern` names a penalty somewhere in `text` that is not negated (see `not_imposed`)."""
        return any(not self.not_imposed.search(text, max(0, m.start() - NEGATION_WINDOW), m.start())
                   for m in pattern.finditer(text))
