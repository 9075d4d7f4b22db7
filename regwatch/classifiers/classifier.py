"""The rule-plus-keyword enforcement classifier."""
from __future__ import annotations

import datetime
import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba
import opencc

from regwatch.cases import CaseCard
from regwatch.config import MAX_TEXT_CHARS, MAX_TITLE_CHARS, PACKAGE_DATA

from .context import AuthorityFinder, EnforcementDetector, PenaltyFinder, ProvinceFinder
from .editions import EditionCalendar
from .fines import FineExtractor
from .labels import LabelScorer
from .rules import compile_regex, load_rules, require
from .splitter import MASKED_PERSON, CaseSplitter
from .statutes import StatuteExtractor

SUMMARY_CHARS = 500
#: A text is read as traditional Chinese (and converted) when conversion changes at least this many characters;
#: a character or two that OpenCC maps in simplified text too (覆 → 复) is no reason to touch it.
TRADITIONAL_MIN_CHANGES = 5
DEFAULT_RULES_DIR = Path(str(PACKAGE_DATA / "rules"))
ORG_NAME = re.compile(r"某([\u4e00-\u9fa5]{1,10}?)(?:有限|股份|责任)*(?:公司|集团|中心|所|店|会所)")
#: Pinyin a mirror site writes after a character ("网(wǎng)警"); removed when a text has PINYIN_MIN_NOTES of them.
PINYIN_NOTE = re.compile(r"(?<=[\u4e00-\u9fffA-Za-z])[(（][a-zü\u00e0-\u00fc\u0101-\u01dc]{1,6}[)）]")
TONE_MARK = re.compile(r"[\u00e0-\u00fc\u0101-\u01dc]")
#: A name in straight quotes padded with spaces, as some outlets print them (小红书账号 " 天津小灵通 ").
#: ASCII , ; : next to a Chinese character (mirror sites print them): the rules read the full-width marks.
ASCII_PUNCT = re.compile(r"[ \t]*([,;:])[ \t]*")
CHINESE = re.compile(r"[\u4e00-\u9fff“”《》]")
FULL_WIDTH = {",": "，", ";": "；", ":": "："}
STRAIGHT_QUOTED = re.compile(r'[ \t]*"[ \t]*([^"\n]{0,40}?[\u4e00-\u9fff][^"\n]{0,40}?)[ \t]*"[ \t]*')
PINYIN_MIN_NOTES = 3
YEAR = re.compile(r"(20\d\d)\s*年")
@dataclass
class ArticleResult:
    """Whether an article reports enforcement, why, and its cases in order."""

    is_enforcement: bool
    reasons: list[str] = field(default_factory=list)
    cases: list[CaseCard] = field(default_factory=list)

    def to_prediction(self, id: object) -> dict:
        """The prediction row of taxonomy.md (plus reasons)."""
        return {"id": id, "is_enforcement": self.is_enforcement,
                "cases": [c.taxonomy() | {"fingerprint": c.fingerprint} for c in self.cases],
                "reasons": self.reasons}


class EnforcementClassifier:
    """Loads the YAML rules once and classifies articles into case cards."""

    def __init__(self, rules_dir: Path | None = None) -> None:
        env_dir = os.environ.get("REGWATCH_RULES_DIR")
        rules = load_rules(Path(rules_dir or env_dir or DEFAULT_RULES_DIR))
        self._t2s = opencc.OpenCC("t2s")
        self.splitter = CaseSplitter(rules)
        self.detector = EnforcementDetector(rules)
        self.editions = EditionCalendar(rules)
        self.statutes = StatuteExtractor(rules, self.editions)
        self.fines = FineExtractor(rules)
        self.authorities = AuthorityFinder(rules)
        self.provinces = ProvinceFinder(rules)
        self.penalties = PenaltyFinder(rules)
        self.scorers = {f: LabelScorer(rules, f) for f in ("industry", "subject", "nature", "impact")}
        resp = require(rules, "labels", "responsibility", dict)
        self.management = compile_regex(rules, "labels", "responsibility.management", resp.get("management"))
        self.protection = compile_regex(rules, "labels", "responsibility.protection", resp.get("protection"))
        labels_file = str(Path(rules.directory) / "labels.yaml")
        self.recent = (self.editions.require(str(resp["recent"]), labels_file, "responsibility.recent")
                       if resp.get("recent") else None)
        self.recent_no_org = str(resp.get("recent_no_org") or "公开资料未明确")
        single = rules["labels"]["impact"].get("recent_single") or {}
        self.impact_recent = (self.editions.require(str(single["convention"]), labels_file,
                                                    "impact.recent_single.convention")
                              if single.get("convention") else None)
        self.impact_order = [str(x) for x in single.get("order") or []]
        self.impact_recent_default = [str(x) for x in single.get("default") or []]
        attacked = rules["labels"].get("attacked_org") or {}
        self.attacked_convention = (self.editions.require(str(attacked["convention"]), labels_file,
                                                          "attacked_org.convention")
                                    if attacked.get("convention") else None)
        self.attacked = {k: compile_regex(rules, "labels", f"attacked_org.{k}", attacked[k])
                         for k in ("attack", "gang") if attacked.get(k)}
        dom = require(rules, "labels", "domain", dict)
        self.personal = compile_regex(rules, "labels", "domain.personal", dom.get("personal"))
        self.two_checks = compile_regex(rules, "labels", "one_case_two_checks",
                                        require(rules, "labels", "one_case_two_checks", str))
        self.criminal = compile_regex(rules, "labels", "criminal", require(rules, "labels", "criminal", str))
        self.insider = compile_regex(rules, "labels", "insider", require(rules, "labels", "insider", str))
        lexicon = rules["lexicon"]
        self.stop_words = set(require(rules, "lexicon", "stop_words", list))
        self.keyword_count = require(rules, "lexicon", "keyword_count", int)
        self.not_surnames = set(require(rules, "lexicon", "not_surnames", str))
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        for word in lexicon.get("user_words", []):
            self.tokenizer.add_word(str(word), freq=200_000)

    def simplified(self, text: str) -> str:
        """Traditional-character text (reposts on 繁體 sites) in simplified characters: the rules are written in them."""
        converted = self._t2s.convert(text)
        if converted == text or len(converted) != len(text):
            return text
        changed = 0
        for a, b in zip(text, converted):
            changed += a != b
            if changed >= TRADITIONAL_MIN_CHANGES:
                return converted
        return text

    def readable(self, text: str) -> str:
        """The text as the rules read it: simplified characters, no pinyin notes, Chinese quotation
        marks and punctuation, poster lines rejoined."""
        text = self.simplified(text)
        if '"' in text:
            text = STRAIGHT_QUOTED.sub(r"“\1”", text)
        text = ASCII_PUNCT.sub(lambda m: FULL_WIDTH[m.group(1)] if (
            CHINESE.match(text, m.start() - 1) if m.start() else False) or CHINESE.match(text, m.end())
            else m.group(), text)
        if TONE_MARK.search(text):
            notes = PINYIN_NOTE.findall(text)
            if sum(bool(TONE_MARK.search(n)) for n in notes) >= PINYIN_MIN_NOTES:
                text = PINYIN_NOTE.sub("", text)
        return self.splitter.rejoin(text)

    def _read(self, title: str, text: str) -> tuple[str, str]:
        """Title and text as the rules read them (see `readable`), bounded in size, the text without
        the lines at its start that repeat the title."""
        title = self.readable((title or "")[:MAX_TITLE_CHARS].strip())
        text = self.readable((text or "")[:MAX_TEXT_CHARS].replace("\r\n", "\n").replace("\r", "\n"))
        return title, _without_title(text, title)

    def classify(self, title: str, text: str, *, published: datetime.date | None = None) -> ArticleResult:
        """Cases of one article in order. `published` (the article's publication date) dates a
        case whose own text names no year, for the edition conventions of editions.yaml."""
        title, text = self._read(title, text)
        seen: dict[str, list[str]] = {}  # the splitter and the loop ask about the same segments
        sentences: dict[str, tuple[str, bool] | None] = {}  # … and about the same sentences of overlapping spans

        def evidence_of(item: str) -> list[str]:
            if item not in seen:
                seen[item] = self.detector.evidence(item, sentences)
            return seen[item]

        segments = self.splitter.split(text, lambda item: bool(evidence_of(item)))
        multi = len(segments) > 1
        cases, reasons = [], []
        for segment in segments:
            evidence = evidence_of(segment.text)
            decided_in_title = (not evidence and not multi and bool(title) and bool(evidence_of(title))
                                and not self.detector.roundup.search(text))  # a text of totals: the title tells the campaign
            if decided_in_title:
                evidence = evidence_of(title)  # a news title often states the decision the text leads up to
            if not evidence and not (multi and segment.named):
                continue
            reasons.extend(evidence[:2])
            year = self.editions.case_year(segment.text, published, title)
            card = self._case(title if not multi else "", segment.text, segment.lead + "\n" + title, len(cases), year)
            acting = (self.authorities.find(title) if decided_in_title else None) or (
                cases[-1].authority if card.authority is None and cases else None)  # a round-up names the body once
            if acting and acting != card.authority:
                card.authority = acting
                card.fingerprint = self._fingerprint(card, segment.text)
            cases.append(card)
        if cases and self.detector.is_foreign(title + "\n" + text) and not self.authorities.first(title + "\n" + text):
            cases, reasons = [], ["foreign regulator and no Chinese authority"] + reasons
        if not cases:
            reasons = self.detector.counter_evidence(title + "\n" + text) or ["no action against a concrete target"]
        return ArticleResult(bool(cases), reasons, cases)

    def explain(self, title: str, text: str) -> list[str]:
        """Why the text was cut into its cases: the outline and each decision of the splitter."""
        _, text = self._read(title, text)
        return self.splitter.explain(text, lambda item: bool(self.detector.evidence(item)))

    def _case(self, title: str, text: str, context: str, position: int, year: int | None) -> CaseCard:
        subject_scorer, nature_scores = self.scorers["subject"], self.scorers["nature"].scores(title, text)
        subject_scores = subject_scorer.scores(title, text)
        subject = subject_scorer.multi_labels(title, text, subject_scores)
        if (not any(subject_scores[r.label] >= r.threshold for r in subject_scorer.rules)
                and nature_scores["外部入侵"] > nature_scores["建设运维管理疏失"]):
            subject = ["个人黑客"]  # nobody named as the offender, and the text tells of an intrusion more than of failed duties
        insider = bool(self.insider.search(text))
        nature = self._nature(nature_scores, subject, insider)
        subject = self._subject(subject, nature, insider, text)
        own_nature = nature  # statutes follow the organisation's own failure, not the attack on it
        if (self.attacked_convention and self.editions.holds(self.attacked_convention, year)
                and len(self.attacked) == 2 and subject == ["政企机构"] and nature == ["建设运维管理疏失"]
                and self.attacked["attack"].search(text)):
            subject = subject + ["黑产团伙" if self.attacked["gang"].search(text) else "个人黑客"]
            nature = nature + ["外部入侵"]
        if "机构犯罪" in nature:
            responsibility = "机构犯罪"
        elif "政企机构" not in subject:
            responsibility = (self.recent_no_org if self.recent and self.editions.holds(self.recent, year)
                              else "公开资料未明确")
        elif len(self.management.findall(text)) > len(self.protection.findall(text)):
            responsibility = "未履行安全管理义务"
        else:
            responsibility = "未履行安全保护义务"
        statutes = self.statutes.extract(f"{title}\n{text}", ["内部人员"] if insider else own_nature, year)
        if any(s.startswith("数据安全法") for s in statutes) or not self.personal.search(text):
            domain = "数据安全"
        else:
            domain = "个人信息"
        fines = self.fines.extract(text)
        penalties = self.penalties.find(self.detector.decisions_only(text))
        acting = self.authorities.acting(text)
        card = CaseCard(
            industry=self.scorers["industry"].single(" ".join([title, *ORG_NAME.findall(text)[:3]]), text),
            subject=subject,
            nature=nature,
            impact=self._impact(title, text, year),
            statutes=statutes,
            responsibility=responsibility,
            domain=domain,
            authority=(self.authorities.find(self.detector.without_totals(text)) or self.authorities.find(context)
                       or self.authorities.first(text)),
            province=self._province(text, context, acting),
            penalties=penalties,
            fine_org_yuan=fines.org_yuan,
            fine_person_yuan=fines.person_yuan,
            one_case_two_checks=bool(self.two_checks.search(text)),
            insider=insider,
            keywords=self._keywords(title or text[:60]),
            position=position,
            summary=text[:SUMMARY_CHARS],
        )
        card.fingerprint = self._fingerprint(card, text)
        return card

    def _province(self, text: str, context: str, acting: tuple[str, str]) -> str | None:
        """The place of the unit that decided; none for a national body, also one named only in the
        lead of a case that names no body of its own (国家网信办通报…：“上海午报”等账号…), or in a lead
        whose body names no place (网信部门会同…处置); for a case whose body names no place, the place
        of the round-up's own body before any place the story names (山东威海网安部门… then 在广东台风
        期间…); a place inside quotes (“上海晨报”) only as a last resort."""
        if self.authorities.is_national(acting):
            return None
        place = self.provinces.find(acting[0]) or self.provinces.find(self.authorities.unit_prefixes(text))
        if place:
            return place
        found, quoted = self.provinces.locate(text)
        outside = None if quoted else found
        lead_place = self.provinces.find(self.authorities.unit_prefixes(context))  # the round-up's own body
        if not any(acting):
            named = self.authorities.acting(text, decided=False)
            if self.authorities.is_national(named, named_only=True) or (not any(named) and (
                    self.authorities.national_body.search(context)
                    or (not lead_place and self.authorities.first(context)))):  # a lead's body of no place
                return outside or self.provinces.find(context, in_quotes=False)
        return lead_place or outside or self.provinces.find(context) or found

    def _impact(self, title: str, text: str, year: int | None) -> list[str]:
        scorer = self.scorers["impact"]
        if not self.impact_recent or not self.editions.holds(self.impact_recent, year):
            return scorer.multi_labels(title, text)
        scores = scorer.scores(title, text)
        if self.impact_recent_default and not any(scores[r.label] >= r.threshold for r in scorer.rules):
            return list(self.impact_recent_default)
        impact = scorer.multi_labels(title, text, scores)
        if len(impact) > 1:
            ranked = [x for x in self.impact_order if x in impact]
            return ranked[:1] or impact[:1]
        return impact

    def _subject(self, scored: list[str], nature: list[str], insider: bool, text: str) -> list[str]:
        """Who broke the law: the insider, the organisation, or the outside offenders."""
        if insider:
            org = "政企机构" in scored and not self.criminal.search(text)
            return ["政企机构", "内部人员"] if org else ["内部人员"]
        if "机构犯罪" in nature or "政企机构" in scored:
            return ["政企机构"]
        outsiders = [s for s in ("黑产团伙", "个人黑客") if s in scored]
        return outsiders[:1] or list(self.scorers["subject"].default)

    def _nature(self, scores: dict[str, float], subject: list[str], insider: bool) -> list[str]:
        """Insider abuse, else organisation crime, else its own failure, else an outside offence."""
        scorer = self.scorers["nature"]
        reached = {r.label for r in scorer.rules if scores[r.label] >= r.threshold}
        if insider:
            return ["建设运维管理疏失"]
        if "机构犯罪" in reached:
            return ["机构犯罪"]
        if "政企机构" in subject:
            return ["建设运维管理疏失"]
        if "外部入侵" in reached or {"黑产团伙", "个人黑客"} & set(subject):
            return ["外部入侵"]
        return list(scorer.default)

    def _keywords(self, phrase: str) -> list[str]:
        words = [w for w in self.tokenizer.lcut(phrase[:200]) if len(w) >= 2 and w not in self.stop_words
                 and not w.isdigit() and not MASKED_PERSON.fullmatch(w)]
        return list(dict.fromkeys(words))[: self.keyword_count]

    def _masked_names(self, text: str) -> list[str]:
        """Masked personal names such as 李某, 王某某 (not 对某公司)."""
        return sorted({m.group()[0] + "某" for m in MASKED_PERSON.finditer(text)
                       if m.group()[0] not in self.not_surnames and not ORG_NAME.match(text, m.start() + 1)})

    def _fingerprint(self, card: CaseCard, text: str) -> str:
        """Stable hash of what two outlets reporting one case share."""
        year = YEAR.search(text)
        parts = [card.authority or "", card.province or "", str(card.fine_org_yuan or ""),
                 ",".join(map(str, sorted(card.fine_person_yuan))),
                 ",".join(sorted(p for p in card.penalties if p != "通报")),
                 ",".join(self._masked_names(text)), year.group(1) if year else ""]
        return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def _without_title(text: str, title: str) -> str:
    """The text without the lines at its start that repeat the title (a page's own headline, often
    twice): the title is read on its own, not as the first item of a round-up."""
    if not title:
        return text
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip() and line.strip() != title), len(lines))
    return "\n".join(lines[first:]) if first < len(lines) else text
