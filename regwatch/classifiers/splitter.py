"""Split an article into its cases by its structure: list levels, headings, then paragraphs.

Every line is tagged with the list-marker family it starts with (案例一, 一、, （一）, 1., 1）, ①, 01,
heading lines); the order in which families first occur gives the outline (outermost first).
The splitter cuts at the outermost level whose items each hold a decision, descends into an item
that holds several, merges items and paragraphs that continue the case before, and cuts off
普法 / quoted-provision sections before deciding. `explain` tells why each cut was made.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .context import AuthorityFinder
from .rules import Rules, RulesError, compile_regex, require

HEADING = "heading"
SENTENCE_END = re.compile(r"[。！？!?；;：:…]$")
DAY = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*日")  # a day of a story ("4月11日")
MASKED_PERSON = re.compile(r"[\u4e00-\u9fa5]某某?")  # a party named like 裴某, 王某某
SENTENCE_BREAK = re.compile(r"[。！？!?]")
SENTENCE_OR_SEMICOLON = re.compile(r"[。！？!?；;]")
PERSON_OPENING = 12  # characters at a sentence's start that may name the person it is about
QUOTED_NAME = re.compile(r"[“\"]([^”\"]{1,20})[”\"]")
Span = tuple[int, int]  # [first line, last line + 1)


@dataclass(frozen=True)
class Segment:
    """One case's own text plus the article's lead (shared context); `named` when the article
    names it as a case though its text shows no decision (a round-up item cut short)."""

    text: str
    lead: str
    named: bool = False


@dataclass(frozen=True)
class Line:
    """One non-empty line: its text, the marker family it starts with, and whether it belongs to
    a 普法 / quoted-provision section (never part of a case)."""

    text: str
    family: str | None
    legal: bool
    clause: bool = False  # cut from a line of parallel actions (see `CaseSplitter.clauses`)


class _Run:
    """One split of one text: its lines, the evidence test and the notes of `explain`."""

    def __init__(self, splitter: CaseSplitter, text: str, is_case: Callable[[str], bool], explain: bool) -> None:
        self.splitter = splitter
        self.is_case = is_case
        self.notes: list[str] | None = [] if explain else None
        self.lines = splitter.lines(text)
        self.named: set[int] = set()  # first lines of items named as cases without a decision

    def note(self, depth: int, message: str) -> None:
        if self.notes is not None:
            self.notes.append("  " * depth + message)

    def text(self, span: Span) -> str:
        return "\n".join(line.text for line in self.lines[span[0]:span[1]] if not line.legal)

    def has_case(self, span: Span) -> bool:
        text = self.text(span)
        return bool(text) and self.is_case(text)

    def starts(self, span: Span, family: str) -> list[int]:
        """Lines of `span` that open an item of `family` (a run of headings opens one item)."""
        found = []
        for i in range(*span):
            line = self.lines[i]
            if line.legal or line.family != family:
                continue
            if family == HEADING and found and found[-1] == i - 1:
                continue
            found.append(i)
        return found

    def families(self, span: Span) -> list[str]:
        """Marker families of `span` in order of first occurrence (outermost first)."""
        return list(dict.fromkeys(line.family for line in self.lines[span[0]:span[1]]
                                  if line.family and not line.legal))

    def cut(self, span: Span, depth: int) -> list[Span] | None:
        """Case spans of `span`, or None when it is one case (or none)."""
        if depth > self.splitter.max_depth:
            return None
        for family in self.families(span):
            starts = self.starts(span, family)
            if len(starts) < self.splitter.min_markers:
                continue
            items = list(zip(starts, starts[1:] + [span[1]]))
            decided = [self.has_case(item) for item in items]
            self.note(depth, f"level {family}: {len(items)} items at lines {[s + 1 for s in starts]}, "
                             f"{sum(decided)} with a decision")
            if sum(decided) == 0:
                continue
            titled = [not d and self.named_case(family, item, sum(decided)) for d, item in zip(decided, items)]
            if any(titled):
                self.note(depth, f"items named as cases without a decision: {[i[0] + 1 for i, t in zip(items, titled) if t]}")
                decided = [d or t for d, t in zip(decided, titled)]
                self.named.update(item[0] for item, t in zip(items, titled) if t)
            if sum(decided) == 1:
                item = items[decided.index(True)]
                self.note(depth, f"only item at line {item[0] + 1} holds a decision: look inside it")
                inner = self.cut(item, depth + 1)
                if inner:
                    return inner
                self.note(depth, "it holds one case: the whole text is one case")
                return None
            cases = self.items(items, decided, depth)
            story = self.preamble_story((span[0], starts[0]))
            if cases and story:
                self.note(depth, f"the text before the first item tells a case of its own at line {story[0] + 1}")
                cases.insert(0, story)
            return cases
        return self.paragraphs(span, depth) or self.announced(span, depth)

    def preamble_story(self, span: Span) -> Span | None:
        """The case the text before a level's first item tells after its lead and totals: from a
        paragraph, after two or more others, that opens a story on a day (`dated_story`) with a new
        actor (2016年3月6日，某信息技术有限公司被黑客攻击…) to the first item, when that part holds a decision."""
        before = 0
        for i in range(*span):
            line = self.lines[i]
            if line.legal or line.family is not None or not line.text.strip():
                continue
            if before >= 2 and self.splitter.dated_story.match(line.text) and self.splitter.new_story(line.text):
                return (i, span[1]) if self.has_case((i, span[1])) else None
            before += 1
        return None

    def items(self, items: list[Span], decided: list[bool], depth: int) -> list[Span] | None:
        """Cases of one list level: items with a decision (or the cases inside them), items that
        continue a case merged into it, the others dropped."""
        cases: list[Span] = []
        for item, has_decision in zip(items, decided):
            head = self.lines[item[0]].text
            if cases and self.continues(item, cases[-1]):
                self.note(depth, f"item at line {item[0] + 1} continues the case before: {head[:30]}")
                cases[-1] = (cases[-1][0], item[1])
            elif has_decision:
                inner = self.cut((item[0] + 1, item[1]), depth + 1) if item[1] - item[0] > 2 else None
                if inner:
                    self.note(depth, f"item at line {item[0] + 1} holds {len(inner)} cases: descend")
                    cases.extend(inner)
                else:
                    self.note(depth, f"case: item at line {item[0] + 1}: {head[:30]}")
                    cases.append(item)
            else:
                self.note(depth, f"no decision, dropped: item at line {item[0] + 1}: {head[:30]}")
        return cases if len(cases) >= self.splitter.min_markers else None

    def named_case(self, family: str, item: Span, decided: int) -> bool:
        """An item without a decision that is a case of its level all the same: its marker or its
        title names a case, or, where two or more items of the level hold a decision, it names a
        party (a parallel item cut short); under heading lines, a looser level, only the item the
        text ends in (a copy cut short)."""
        if family in self.splitter.case_naming or self.splitter.titled(self.lines, item):
            return True
        cut_short = family != HEADING or item[1] == len(self.lines)
        return cut_short and decided >= 2 and bool(self.splitter.parties(self.text(item)))

    def continues(self, item: Span, case: Span) -> bool:
        """Whether a list item continues the case before: its heading names a part of a case, or it
        refers back (该公司…, 经查…) and names no party the case before did not (never for items whose
        marker names a case)."""
        line = self.lines[item[0]]
        body = self.splitter.body(line.text)
        if self.splitter.case_parts.match(body):
            return True
        if line.family in self.splitter.case_naming or not self.splitter.continuation.match(body):
            return False
        before = self.splitter.parties(self.text(case))
        return all(any(self.splitter.same_party(p, q) for q in before) for p in self.splitter.parties(self.text(item)))

    def decides(self, i: int, span: Span) -> bool:
        """Line `i` tells a decision, or tells a story whose decision the next paragraph gives as
        its continuation ("一名李姓网民在贴吧发布…。" then "经调查，…李某…被行拘三日。")."""
        if self.is_case(self.lines[i].text):
            return True
        following = next((line for line in self.lines[i + 1:span[1]] if not line.legal and line.family != HEADING), None)
        return bool(following and self.splitter.continuation.match(following.text) and self.is_case(following.text))

    def announced(self, span: Span, depth: int) -> list[Span] | None:
        """Cases of unnumbered text none of whose paragraphs tells a decision, after a line that
        announced them (`announces`: 通报了部分典型案例，包括：…): paragraphs that name a new party
        or acting unit."""
        body = [line for line in self.lines[span[0]:span[1]] if not line.legal and line.family != HEADING]
        if not any(self.splitter.announces.search(line.text) for line in body) or any(
                self.is_case(line.text) for line in body):
            return None
        return self.paragraphs(span, depth, announced_only=True)

    def paragraphs(self, span: Span, depth: int, announced_only: bool = False) -> list[Span] | None:
        """Cases of unnumbered text: after a case whose decisions named its party, a paragraph with a decision
        that names a new party, does not refer back, and names no party of the case before (unless
        it opens with a date) starts a case, and so does a clause of parallel actions with a decision
        that names no party of the case before, and, after a dated case that named no party, a dated
        paragraph with a decision that opens a new story (`new_story`); other paragraphs continue it (a lead that names nobody
        is continued by the paragraphs that name the offenders); heading lines belong to the
        paragraph after them. With `announced_only` (see `announced`), a paragraph after a line that
        announced the cases to come that names a new party is a case too."""
        splitter = self.splitter
        if sum(1 for line in self.lines[span[0]:span[1]] if not line.legal and line.family != HEADING) < splitter.min_markers:
            return None  # too few paragraphs to hold two cases
        cases: list[list[int]] = []
        parties: set[str] = set()
        units: set[str] = set()  # the place-named units the current case names
        example: str | None = None  # the body that tells the current case's example (其中，X警方…)
        dated = False  # the current case opened with a date
        lead: set[str] = set()  # the parties of a lead that counts the cases it sums up (宣判两起…，分别判处A…，B…)
        lead_at = -1  # the lead's line while it is a case of its own
        before: set[str] = set()  # the parties the paragraph before named
        persons: list[set[str]] = []  # the masked persons (裴某) each case so far names
        heading_at: int | None = None
        announced = False  # a line so far announced the cases that follow (通报了部分典型案例，包括：…)
        opened: str | None = None  # the day (4月11日) the current case's first paragraph names first
        for i in range(*span):
            line = self.lines[i]
            if line.legal:
                continue
            announces = announced_only and not announced and bool(splitter.announces.search(line.text))
            announced = announced or announces
            if line.family == HEADING:
                heading_at = i if heading_at is None else heading_at
                continue
            first = heading_at if heading_at is not None else i
            heading_at = None
            if not cases:
                decided = self.is_case(line.text)
                if decided or (announced and (splitter.parties(line.text) or (
                        not announces and splitter.units(splitter.first_sentence(line.text))))):
                    if not decided:
                        self.note(depth, f"paragraph at line {i + 1} is an announced case: {line.text[:30]}")
                        self.named.add(first)
                    cases.append([first, i + 1])
                    opened = next(iter(DAY.findall(line.text)), None)
                    parties, units = splitter.parties(line.text), splitter.units(line.text)
                    persons.append(splitter.persons(parties))
                    dated, example = bool(splitter.story_start.match(line.text)), splitter.example_of(line.text)
                    lead = parties if len(parties) >= 2 and splitter.multi_lead.search(line.text) else set()
                    lead_at = first if lead else -1
                continue
            named = splitter.parties(line.text)
            names = splitter.persons(named)
            back = None if lead or names & persons[-1] else next(
                (j for j in range(len(cases) - 1) if len(names & persons[j]) >= 2), None)
            if back is not None:  # the story returns to the people of an earlier case: all since is that case
                self.note(depth, f"paragraph at line {i + 1} returns to the case at line {cases[back][0] + 1}: {line.text[:30]}")
                cases[back][1] = i + 1
                del cases[back + 1:]
                persons[back:] = [set().union(*persons[back:], names)]
                parties |= named
                continue
            known = {p for p in named if any(splitter.same_party(p, q) for q in parties)}
            parallel = line.clause and not known  # a clause of parallel actions that names no party of the case before
            story = bool(splitter.story_start.match(line.text))
            opening = splitter.first_sentence(line.text)
            fresh = {new for new in splitter.units(opening) if not any(splitter.same_unit(new, old) for old in units)}
            # the case before's day told again, not as the opening of a story of the same day
            retold = bool(opened) and opened in DAY.findall(line.text) and not line.text.lstrip().startswith(opened)
            own_unit = dated and story and not retold and bool(fresh) and (
                any(splitter.another_of_a_kind(new, old) for new in fresh for old in units)
                or not splitter.refers_back.search(opening))
            told = splitter.example_of(line.text)
            own_example = bool(told and example and splitter.another_of_a_kind(told, example))
            # the story of one more party the lead decided on (its decision is told in the lead)
            told_of = named & lead
            from_lead = bool(told_of) and not told_of & before
            before = told_of or before
            if from_lead and cases[-1][0] == lead_at:
                cases[-1][1] = i + 1  # the first party's story joins the lead
                lead_at = -1
            elif from_lead and not splitter.continuation.match(line.text):
                self.note(depth, f"paragraph at line {i + 1} tells another party of the lead: {line.text[:30]}")
                cases.append([first, i + 1])
                persons.append(names)
                self.named.add(first)
                parties, units, dated, example = named, splitter.units(line.text), story, told
                opened = next(iter(DAY.findall(line.text)), None)
            elif ((parallel or own_unit or own_example or (parties and named - known and (not known or story))
                   or (announced and fresh)
                   or (not parties and dated and not retold and splitter.new_story(line.text)))
                    and not splitter.continuation.match(line.text)
                    and (self.decides(i, span) or (announced and (named - known or fresh)))):
                self.note(depth, f"paragraph at line {i + 1} starts a case: {line.text[:30]}")
                if not self.is_case(line.text):
                    self.named.add(first)  # an announced case: its decision is the announcement's
                cases.append([first, i + 1])
                persons.append(names)
                parties, units, dated, example = named, splitter.units(line.text), story, told
                opened = next(iter(DAY.findall(line.text)), None)
            else:
                cases[-1][1] = i + 1
                persons[-1] |= names
                units |= splitter.units(line.text)
                example = example or told
                if named and self.is_case(line.text):
                    parties |= named  # the parties of a case are those its decisions name
        if len(cases) < splitter.min_markers:
            return None
        self.note(depth, f"paragraphs: {len(cases)} cases")
        return [(a, b) for a, b in cases]


class CaseSplitter:
    """Cuts an article into case segments by its outline (see the module docstring)."""

    def __init__(self, rules: Rules) -> None:
        self.min_markers: int = require(rules, "splitting", "min_markers", int)
        self.max_cases: int = require(rules, "splitting", "max_cases", int)
        self.max_depth: int = require(rules, "splitting", "max_depth", int)
        prefix = require(rules, "splitting", "marker_prefix", str)
        self.markers: list[tuple[str, re.Pattern[str]]] = []
        self.case_naming: set[str] = set()  # families whose marker names a case (案例二, 第二起)
        for i, item in enumerate(require(rules, "splitting", "markers", list)):
            if not isinstance(item, dict) or not {"name", "pattern"} <= item.keys():
                raise RulesError(str(rules.directory / "splitting.yaml"), f"markers[{i}]", "needs name and pattern")
            if item.get("names_case", False) not in (True, False):
                raise RulesError(str(rules.directory / "splitting.yaml"), f"markers[{i}].names_case", "must be true or false")
            if item.get("names_case"):
                self.case_naming.add(str(item["name"]))
            self.markers.append((str(item["name"]),
                                 compile_regex(rules, "splitting", f"markers[{i}]", prefix + item["pattern"])))
        # one pass per line: the first family whose marker matches wins, as in the YAML order
        self.any_marker = re.compile(prefix + "(?:" + "|".join(f"(?P<m{i}>{p.pattern[len(prefix):]})"
                                                           for i, (_, p) in enumerate(self.markers)) + ")")
        self.heading = compile_regex(rules, "splitting", "heading", require(rules, "splitting", "heading", str))
        self.legal_section = self._regex(rules, "legal_section")
        self.statute_quote = self._regex(rules, "statute_quote")
        self.case_parts = self._regex(rules, "case_parts")
        self.case_title = self._regex(rules, "case_title")
        self.continuation = self._regex(rules, "continuation")
        self.story_start = self._regex(rules, "story_start")
        self.clause_start = self._regex(rules, "clause_start")
        self.story_actor = self._regex(rules, "story_actor")
        self.refers_back = self._regex(rules, "refers_back")
        self.acting_unit = self._regex(rules, "acting_unit")
        self.clause_break = re.compile(r"(?<=[；;。])\s*(?=" + self.clause_start.pattern + ")")
        self.inline_item = self._regex(rules, "inline_item")
        self.group_item = self._regex(rules, "group_item")
        self.group_decision = self._regex(rules, "group_decision")
        self.dated_story = self._regex(rules, "dated_story")
        self.place_opening = self._regex(rules, "place_opening")
        self.unit_kind = self._regex(rules, "unit_kind")
        self.clause_unit = compile_regex(rules, "splitting", "clause_unit",
                                         require(rules, "splitting", "clause_unit", str) + self.unit_kind.pattern)
        self.multi_lead = self._regex(rules, "multi_lead")
        self.announces = self._regex(rules, "announces")
        self.example = re.compile(self._regex(rules, "example").pattern + "(?=" + self.clause_unit.pattern + ")")
        self.authorities = AuthorityFinder(rules)
        self.unit_break = re.compile(r"(?<=[；;。])\s*(?=" + self.clause_unit.pattern + ")")
        self.unit_comma = re.compile(r"(?<=[，,])\s*(?=" + self.clause_unit.pattern + ")")
        poster = require(rules, "splitting", "poster", dict)
        self.fragment_chars, self.poster_lines, self.poster_share = (
            require(rules, "splitting", f"poster.{key}", kind)
            for key, kind in (("fragment_chars", int), ("min_lines", int), ("min_share", (int, float))))
        party_patterns = require(rules, "splitting", "parties", list)
        self.party = compile_regex(rules, "splitting", "parties", "|".join(f"(?:{p})" for p in party_patterns))

    @staticmethod
    def _regex(rules: Rules, key: str) -> re.Pattern[str]:
        return compile_regex(rules, "splitting", key, require(rules, "splitting", key, str))

    def rejoin(self, text: str) -> str:
        """A poster-style text (see `poster` in splitting.yaml) with each run of fragment lines as one
        paragraph; any other text as it is."""
        if text.count("\n") < self.poster_lines - 1:
            return text
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if len(lines) < self.poster_lines:
            return text
        fragment = [len(line) <= self.fragment_chars and not SENTENCE_END.search(line) and not self._section(line)
                    for line in lines]
        if sum(fragment) < max(self.poster_lines, self.poster_share * len(lines)):
            return text
        paragraphs: list[str] = []
        for line, is_fragment, joins in zip(lines, fragment, [False, *fragment]):
            if is_fragment and joins:
                paragraphs[-1] += "，" + line
            else:
                paragraphs.append(line)
        return "\n".join(paragraphs)

    def _section(self, line: str) -> bool:
        """The line is a whole 普法 or case-part heading (法条链接, 处罚结果)."""
        return any(m is not None and not line[m.end():].strip("：:*】] \t\u3000")
                   for m in (self.legal_section.match(line), self.case_parts.match(line)))

    def lines(self, text: str) -> list[Line]:
        """Non-empty lines tagged with their marker family; 普法 sections run from their heading
        to the next marker of a family met before the section."""
        lines: list[Line] = []
        seen: set[str] = set()
        legal_until_family: set[str] | None = None  # inside a 普法 section: families that end it
        for raw in text.split("\n"):
            stripped = raw.strip()
            if not stripped:
                continue
            family = self.family(stripped)
            if legal_until_family is not None and family in legal_until_family:
                legal_until_family = None
            if legal_until_family is None and self.legal_section.match(stripped) and len(stripped) <= 40:
                legal_until_family = set(seen) - {HEADING}
            legal = legal_until_family is not None or bool(self.statute_quote.match(stripped))
            if family and not legal:
                seen.add(family)
            first, *rest = [stripped] if legal else self.clauses(stripped)
            lines.append(Line(first, family, legal))
            lines.extend(Line(clause, None, False, clause=True) for clause in rest)
        return lines

    def clauses(self, line: str) -> list[str]:
        """A line of parallel actions cut before each later sentence that opens as it does: with
        `clause_start`, else with an inline item (`inline_item`: 一是…；二是…), an acting body of its
        own (see `_unit_cuts`), a person of its own (see `_person_cuts`) or a place of its own (see
        `_place_cuts`)."""
        body = self.body(line)
        cuts = [m.start() for m in self.clause_break.finditer(line)] if self.clause_start.match(body) else []
        if not cuts:
            cuts = [m.end() for m in self.inline_item.finditer(line)]
            group = self._group_cuts(line)
            if group:
                cuts = sorted({*cuts, *group})
            elif len(cuts) < 2:
                cuts = self._unit_cuts(line, body) or self._person_cuts(line) or self._place_cuts(line)
            if not cuts:
                return [line]
        return [line[a:b] for a, b in zip([0, *cuts], [*cuts, len(line)])]

    def example_of(self, text: str) -> str | None:
        """The body that tells the example after a total (其中，滁州警方侦破… → 滁州警方)."""
        m = self.example.search(text)
        return self.clause_unit.match(text, m.end()).group() if m else None

    @staticmethod
    def same_unit(unit: str, other: str) -> bool:
        """One body named twice: a name may have caught a character before it ("22日天柱县公安局")."""
        return unit.endswith(other) or other.endswith(unit)

    def another_of_a_kind(self, unit: str, other: str) -> bool:
        """Two bodies of the same kind, each its own (东阿县公安局 and 临清市公安局; not 检察院 and 法院)."""
        return not self.same_unit(unit, other) and self.authorities.first(unit) == self.authorities.first(other)

    def _group_cuts(self, line: str) -> list[int]:
        """Where a clause opens with 对 and decides on a group of accounts, sites or apps of its own
        (`group_item`) after a clause that decided on a group too (`group_decision`): one measure per
        group ("关闭9个违规微信公众号，对1个违规微信公众号暂停更新30日")."""
        found = [m.end() for m in self.group_item.finditer(line)]
        return [cut for before, cut in zip([0, *found], found) if self.group_decision.search(line, before, cut)]

    def _person_cuts(self, line: str) -> list[int]:
        """Where sentences open with a person no sentence before named ("兰州市王某和马某利用微博…。
        白银市曾某在…。天水市骆某利用…"): a round-up of offenders told one sentence each, when the
        first sentence opens so too and there are three or more of them."""
        if line.count("某") < 3:
            return []  # three persons are needed, each masked
        starts = [0] + [m.end() for m in SENTENCE_BREAK.finditer(line) if m.end() < len(line)]
        seen: set[str] = set()
        cuts = []
        for start in starts:
            opening = self.persons(self.parties(line[start:start + PERSON_OPENING]))
            if not opening or opening & seen:
                if start == 0:
                    return []
            elif start:
                cuts.append(start)
            seen |= self.persons(self.parties(self.first_sentence(line[start:])))
        return cuts if len(cuts) >= 2 else []

    def _place_cuts(self, line: str) -> list[int]:
        """Where sentences open with a place no sentence before opened with (`place_opening`) and refer
        back to nothing, when the first sentence opens with a place too and there are three or more of
        them (other sentences continue the one before)."""
        if not self.place_opening.match(line):
            return []
        seen: set[str] = set()
        cuts = []
        for start in [0] + [m.end() for m in SENTENCE_OR_SEMICOLON.finditer(line) if m.end() < len(line)]:
            m = self.place_opening.match(line, start)
            if not m or m.group().strip() in seen:
                continue
            seen.add(m.group().strip())
            if start and not self.refers_back.search(self.first_sentence(line[start:])):
                cuts.append(start)
        return cuts if len(cuts) >= 2 else []

    def _unit_cuts(self, line: str, body: str) -> list[int]:
        """Where sentences open with another body of the same kind than the sentence before did,
        referring back to nothing (东阿县公安局…。临清市公安局…; not 检察院 then 法院, one case's
        steps); a line with a lead before the first such sentence needs two of them, and so does one
        sentence of comma clauses each told by a body of its own (甲县网信办…，乙县网信办…，丙区网信办…)."""
        if len(self.unit_kind.findall(line)) < 2:
            return []  # a cut needs a body before it and one after
        breaks = list(self.unit_break.finditer(line))
        needed = 1 if self.clause_unit.match(body) else 2
        if not breaks:
            breaks, needed = list(self.unit_comma.finditer(line)), 2
        if not breaks:
            return []
        first = self.clause_unit.search(line, 0, breaks[0].start())  # the body of the first clause, after any lead
        current = first.group() if first else None
        cuts = []
        for m in breaks:
            unit = self.clause_unit.match(line, m.end()).group()
            if (current is not None and self.another_of_a_kind(unit, current)
                    and not self.refers_back.search(self.first_sentence(line[m.end():]))):
                cuts.append(m.end())
            current = unit
        return cuts if len(cuts) >= needed else []

    def family(self, line: str) -> str | None:
        m = self.any_marker.match(line)
        if m and m.lastgroup:
            return self.markers[int(m.lastgroup[1:])][0]
        return HEADING if self.heading.fullmatch(line) else None

    def titled(self, lines: list[Line], item: Span) -> bool:
        """The item's heading (its marker line, or the line after a bare marker) names a case."""
        head = self.body(lines[item[0]].text)
        if not head and item[0] + 1 < item[1]:
            head = lines[item[0] + 1].text
        head = self.first_sentence(head)  # a title may run on into the item's text
        return bool(head) and len(head) <= 40 and bool(self.case_title.search(head))

    def body(self, line: str) -> str:
        """A line without its list marker."""
        for _, pattern in self.markers:
            m = pattern.match(line)
            if m:
                return line[m.end():].lstrip("：:、.． \t\u3000*】]")
        return line

    @staticmethod
    def first_sentence(text: str) -> str:
        return re.split(r"[。！？；]", text, maxsplit=1)[0]

    def units(self, text: str) -> set[str]:
        """Place-named units (凤县网信办) that `text` names."""
        return {m.group() for m in self.acting_unit.finditer(text)}

    def new_story(self, text: str) -> bool:
        """A paragraph that opens with a date and whose first sentence names an actor, referring back to nothing before it."""
        if not self.story_start.match(text):
            return False
        first = self.first_sentence(text)
        actor = self.story_actor.search(first)
        return bool(actor) and not self.refers_back.search(first, 0, actor.start())

    @staticmethod
    def same_party(party: str, other: str) -> bool:
        """Two mentions of one party: one holds the other, or they share a quoted name
        (“某某小事”等11个公众号 and “某某小事”“爱生活”…等11个微信公众号)."""
        return (party in other or other in party
                or bool(set(QUOTED_NAME.findall(party)) & set(QUOTED_NAME.findall(other))))

    @staticmethod
    def persons(parties: set[str]) -> set[str]:
        """The masked persons among the parties (裴某, 王某某)."""
        return {p for p in parties if MASKED_PERSON.fullmatch(p)}

    def parties(self, text: str) -> set[str]:
        """Parties `text` names; a masked person named only inside quotes names an event, not a party
        (编造涉“胡某宇失踪事件”谣言)."""
        found = list(self.party.finditer(text))
        if "“" not in text and '"' not in text:
            return {m.group() for m in found}
        quoted = [m.span() for m in QUOTED_NAME.finditer(text)]
        return {m.group() for m in found
                if not (MASKED_PERSON.fullmatch(m.group()) and any(a <= m.start() < b for a, b in quoted))}

    def split(self, text: str, is_case: Callable[[str], bool] = bool) -> list[Segment]:
        """Segments in order; `is_case` tells whether a text reports a decision."""
        return self._split(_Run(self, text, is_case, explain=False))

    def explain(self, text: str, is_case: Callable[[str], bool] = bool) -> list[str]:
        """The outline (one row per line) and the reason for each cut."""
        run = _Run(self, text, is_case, explain=True)
        segments = self._split(run)
        outline = [f"{i + 1:3d} {'普法' if line.legal else (line.family or '')!s:8s} {line.text[:50]}"
                   for i, line in enumerate(run.lines)]
        return ["outline:", *outline, "decisions:", *(run.notes or []), f"-> {len(segments)} segment(s)"]

    def _split(self, run: _Run) -> list[Segment]:
        whole = (0, len(run.lines))
        spans = run.cut(whole, 0)
        if not spans:
            return [Segment(run.text(whole), "")]
        lead = run.text((0, spans[0][0]))
        return [Segment(run.text(span), lead, span[0] in run.named) for span in spans[: self.max_cases]]
