"""Statute citations: explicit 《法》第X条 lists, named offences and YAML inference rules."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .editions import EditionCalendar
from .numerals import cn_to_int
from .rules import Rules, RulesError, compile_regex, require

NUM = r"[\d零〇一二两三四五六七八九十百千]+"
ARTICLE = re.compile(rf"(?:第)?({NUM}(?:\s*[、，,和及与]\s*(?:第)?{NUM})*)\s*条(之[一二三四五六七八九])?")
BOOK_TITLE = re.compile(r"《([^《》]{1,40})》")
# A law named without 《》 ("依据网络安全法第五十九条", "个人信息保护法 第66条"): at the start of a
# phrase or right after a verb of citing (依据/根据, 依照/按照, 违反, 触犯) or a conjunction.
BARE_LAW = re.compile(r"(?:(?<![《\u4e00-\u9fa5])|(?<=[据照反犯了和及与]))(?:中华人民共和国)?"
                      r"(刑法|网络安全法|数据安全法|个人信息保护法)(?=\s*第)")
SPAN_END = re.compile(r"[《。；;]")
STATUTE_KEY = re.compile(r"^[^:]+:\d+(之[一二三四五六七八九])?$")


@dataclass(frozen=True)
class InferenceRule:
    """Add `add` (and remove `drop`) when all of `when` are cited, every regex of `text` (one or
    a list) matches the case text, `unless` (if any) does not, and the edition `convention` (if
    any) holds for the case's year."""

    when: frozenset[str]
    text: tuple[re.Pattern[str], ...]
    add: tuple[str, ...]
    nature: str | None = None
    unless: re.Pattern[str] | None = None
    drop: tuple[str, ...] = ()
    convention: str | None = None

    def applies(self, present: set[str], text: str, holds: frozenset[str] = frozenset()) -> bool:
        return (self.when <= present and (self.convention is None or self.convention in holds)
                and all(p.search(text) for p in self.text)
                and (self.unless is None or not self.unless.search(text)))


class StatuteExtractor:
    """Finds cited articles and applies the inference rules of statutes.yaml."""

    def __init__(self, rules: Rules, editions: EditionCalendar) -> None:
        self.editions = editions
        self.aliases: dict[str, str] = require(rules, "statutes", "aliases", dict)
        self.offences = [
            (compile_regex(rules, "statutes", f"named_offences.{p}", p), self._keys(rules, f"named_offences.{p}", v))
            for p, v in require(rules, "statutes", "named_offences", dict).items()
        ]
        self.inference = [self._rule(rules, f"inference[{i}]", r)
                          for i, r in enumerate(require(rules, "statutes", "inference", list))]
        self.uncited = [self._rule(rules, f"uncited_defaults[{i}]", r)
                        for i, r in enumerate(require(rules, "statutes", "uncited_defaults", list))]
        self.offence_context = (compile_regex(rules, "statutes", "named_offence_context",
                                              rules["statutes"]["named_offence_context"])
                                if rules["statutes"].get("named_offence_context") else None)
        self.rewrites = [self._rule(rules, f"rewrites[{i}]", r)
                         for i, r in enumerate(rules["statutes"].get("rewrites") or [])]
        self.known_laws = set(self.aliases.values())
        self.law_name = compile_regex(rules, "statutes", "law_name", require(rules, "statutes", "law_name", str))
        same = rules["statutes"].get("same_law")
        self.same_law = (compile_regex(rules, "statutes", "same_law", f"(?:{same})(?=\\s*第)") if same else None)
        self.law_only: dict[str, list[InferenceRule]] = {
            law: [self._rule(rules, f"law_only_defaults.{law}[{i}]", r) for i, r in enumerate(items)]
            for law, items in require(rules, "statutes", "law_only_defaults", dict).items()
        }

    def _keys(self, rules: Rules, key: str, values: object) -> tuple[str, ...]:
        if not isinstance(values, list) or not all(isinstance(v, str) and STATUTE_KEY.match(v) for v in values):
            raise RulesError(str(rules.directory / "statutes.yaml"), key, "expected a list of 'law:article' strings")
        return tuple(values)

    def _rule(self, rules: Rules, key: str, raw: object) -> InferenceRule:
        if not isinstance(raw, dict) or ("add" not in raw and "drop" not in raw):
            raise RulesError(str(rules.directory / "statutes.yaml"), key, "expected a mapping with 'add' or 'drop'")
        patterns = raw.get("text", [])
        patterns = patterns if isinstance(patterns, list) else [patterns]
        text = tuple(compile_regex(rules, "statutes", f"{key}.text[{i}]", p) for i, p in enumerate(patterns))
        unless = compile_regex(rules, "statutes", f"{key}.unless", raw["unless"]) if "unless" in raw else None
        convention = (self.editions.require(str(raw["convention"]), str(rules.directory / "statutes.yaml"),
                                            f"{key}.convention") if "convention" in raw else None)
        return InferenceRule(frozenset(self._keys(rules, f"{key}.if", raw.get("if", []))), text,
                             self._keys(rules, f"{key}.add", raw.get("add", [])), raw.get("nature"), unless,
                             self._keys(rules, f"{key}.drop", raw.get("drop", [])), convention)

    def normalise_law(self, name: str) -> str:
        """'中华人民共和国网络安全法' -> '网络安全法' (full-width brackets made ASCII)."""
        name = name.strip().replace("中华人民共和国", "").replace("（", "(").replace("）", ")")
        return self.aliases.get(name, name)

    def cited(self, text: str) -> tuple[list[str], set[str]]:
        """Explicit citations in order, and the laws cited without any article."""
        found: list[str] = []
        law_only: set[str] = set()
        starts = [(m.end(), m.group(1)) for m in BOOK_TITLE.finditer(text)]
        starts += [(m.end(), m.group(1)) for m in BARE_LAW.finditer(text)]
        if self.same_law is not None:
            starts += [(m.end(), "") for m in self.same_law.finditer(text)]
        last = ""
        for end, raw_name in sorted(starts):
            # "依据该法第六十六条" refers to the law named last
            law = self.normalise_law(raw_name) if raw_name else last
            last = law or last
            if law not in self.known_laws and not self.law_name.fullmatch(law):
                continue
            stop = SPAN_END.search(text, end)
            span = text[end: stop.start() if stop else end + 120]
            articles = []
            for m in ARTICLE.finditer(span):
                suffix = m.group(2) or ""
                for number in re.split(r"\s*[、，,和及与]\s*", m.group(1)):
                    value = cn_to_int(number.lstrip("第"))
                    if value:
                        articles.append(f"{law}:{value}{suffix}")
            if articles:
                found.extend(a for a in articles if a not in found)
            else:
                law_only.add(law)
        return found, law_only

    def named(self, text: str) -> list[str]:
        """Statutes of crimes named in words, unless the name only labels another case in
        whose investigation this one was found (named_offence_context)."""
        found: list[str] = []
        for pattern, keys in self.offences:
            for m in pattern.finditer(text):
                if self.offence_context and self.offence_context.match(text, m.end()):
                    continue
                found.extend(k for k in keys if k not in found)
                break
        return found

    def extract(self, text: str, nature: list[str], year: int | None = None) -> list[str]:
        """Cited plus inferred statutes of one case of the given nature dated `year`."""
        holds = frozenset(name for name in self.editions.conventions if self.editions.holds(name, year))
        statutes, law_only = self.cited(text)
        result = list(statutes)
        named = self.named(text)
        if not statutes and not law_only:
            named_laws = {s.split(":")[0] for s in named}
            for rule in self.uncited:
                # a crime named in words already fixes the article of its law
                if (rule.nature in nature and rule.applies(set(), text)
                        and not named_laws & {s.split(":")[0] for s in rule.add}):
                    result.extend(rule.add)
        cited_laws = {s.split(":")[0] for s in statutes}
        for law in sorted(law_only - cited_laws):
            for rule in self.law_only.get(law, []):
                if rule.applies(set(), text):
                    result.extend(rule.add)
                    break
        result.extend(k for k in named if k not in result)
        pending = list(self.inference)
        for round_ in range(2):
            present, waiting = set(result), []
            for rule in pending:
                if (rule.nature is None or rule.nature in nature) and rule.applies(present, text, holds):
                    result.extend(rule.add)
                elif rule.when and round_ == 0:
                    waiting.append(rule)  # only rules that need a statute can change on the next round
            pending = waiting
        for rule in self.rewrites:
            if rule.applies(set(result), text, holds):
                result = [s for s in result if s not in rule.drop] + list(rule.add)
        return list(dict.fromkeys(result))
