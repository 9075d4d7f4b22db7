"""Fine amounts in any notation, split into organisation and individual fines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numerals import CN_NUMERAL_CHARS, amount_to_yuan
from .rules import Rules, compile_regex, require

AMOUNT = re.compile(
    rf"(人民币)?\s*(\d+(?:[.,]\d+)*|[{CN_NUMERAL_CHARS}]+)\s*(余|多)?\s*(十万|百万|千万|亿|万|千|百)?\s*(元|(?=[；;。，,、）)]|$))"
)
CLAUSE_START = re.compile(r"[。；;！!？?\n]")
SENTENCE_END = re.compile(r"[。！!？?]|\n+")
SENTENCE_CHARS = 160  # how far back a fine's sentence is read for its party


@dataclass
class Fines:
    """Fines of one case: the organisation total and each individual fine."""

    org_yuan: int | None = None
    person_yuan: list[int] = field(default_factory=list)


class FineExtractor:
    """Finds amounts next to 罚款/罚金 and decides who pays them."""

    def __init__(self, rules: Rules) -> None:
        cfg = require(rules, "penalties", "fines", dict)
        self.before = compile_regex(rules, "penalties", "fines.before", cfg.get("before"))
        self.after = compile_regex(rules, "penalties", "fines.after", cfg.get("after"))
        self.person = compile_regex(rules, "penalties", "fines.person", cfg.get("person"))
        self.both = compile_regex(rules, "penalties", "fines.both", cfg.get("both"))
        self.range = compile_regex(rules, "penalties", "fines.range", cfg.get("range"))
        self.each = compile_regex(rules, "penalties", "fines.each", cfg.get("each"))
        self.each_name_break = compile_regex(rules, "penalties", "fines.each_name_break", cfg.get("each_name_break"))
        self.sentence_person = compile_regex(rules, "penalties", "fines.sentence_person", cfg.get("sentence_person"))
        self.organisation = compile_regex(rules, "penalties", "fines.organisation", cfg.get("organisation"))

    def extract(self, text: str) -> Fines:
        fines = Fines()
        org_total = 0
        seen: dict[tuple[bool, int], int] = {}  # (is person, yuan) -> sentence it was first seen in
        shared_at = -1  # end of the "A及B分别" clause whose amounts were already split
        for m in AMOUNT.finditer(text):
            if m.group(3) or (not m.group(5) and not m.group(4)):
                continue  # '余' amounts are totals, bare numbers need a unit
            if self.range.match(text, m.end()):
                continue  # a provision's range ('处五十万元以下罚款'), not a fine imposed
            head = text[max(0, m.start() - 40): m.start()]
            clause = CLAUSE_START.split(head)[-1]
            if not (self.before.search(clause) or self.after.match(text, m.end())):
                continue
            yuan = amount_to_yuan(m.group(2), m.group(4) or "")
            if not yuan:
                continue
            target = clause.rsplit("对", 1)[-1]
            both = bool(self.both.search(target))
            is_person = bool(self.person.search(target)) and not both
            if not is_person and not both and not ("对" in clause and self.organisation.search(target)):
                opening = SENTENCE_END.split(text[max(0, m.start() - SENTENCE_CHARS):m.start()])[-1]
                person, organisation = self.sentence_person.search(opening), self.organisation.search(opening)
                is_person = bool(person) and (not organisation or person.start() < organisation.start())
            sentence = len(SENTENCE_END.findall(text, 0, m.start()))
            # the same fine told again in another sentence (a headline line, then the decision)
            repeated = seen.setdefault((is_person, yuan), sentence) != sentence
            if both:
                # one amount for each of them, or "分别……A元和B元": A on the organisation, B on the person
                if m.start() < shared_at:
                    fines.person_yuan.append(yuan)
                    continue
                end = CLAUSE_START.search(text, m.end())
                following = AMOUNT.search(text, m.end(), end.start() if end else len(text))
                shared = bool(following and (following.group(4) or following.group(5)))
                if shared:
                    shared_at = end.start() if end else len(text)
                if not repeated:
                    org_total += yuan
                    if not shared:
                        fines.person_yuan.append(yuan)
            elif repeated:
                continue
            elif is_person:
                each = self.each.search(target)
                names = self.each_name_break.split(target[:each.start()]) if each else [target]
                fines.person_yuan.extend([yuan] * max(1, len(names)))
            else:
                org_total += yuan
        fines.org_yuan = org_total or None
        return fines
