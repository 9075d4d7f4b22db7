"""What an alert says: stored cases turned into views, rendered as HTML, text or robot markdown.

Crawled text is untrusted: control and bidi characters are stripped and lengths bounded when a
view is built (``clean``), the HTML templates autoescape, robot markdown neutralises its markup
characters, and links are kept only when they are http(s).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.storage.models import Article, Case, CaseReport, Source

SUMMARY_CHARS = 300
HEADING_CHARS = 80
BLOCK_SEPARATOR = "\f"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_NUMBERING = re.compile(r"^\s*(?:案例[一二三四五六七八九十\d]+[：:、.\s]*|[（(][一二三四五六七八九十\d]+[）)]\s*|"
                        r"[一二三四五六七八九十]+[、.．]\s*|\d{1,2}\s*[、.．]?\s*)")
_DIGITS = "零一二三四五六七八九"

_env = Environment(loader=PackageLoader("regwatch.alerts", "templates"), autoescape=select_autoescape(["html.j2"]),
                   trim_blocks=True, lstrip_blocks=True)


def clean(text: str | None, limit: int | None = None, *, one_line: bool = False) -> str:
    """Crawled text made safe to show: no control or bidi characters, bounded, ``…`` when cut."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\t", " "))
    if one_line:
        text = " ".join(text.split())
    text = text.strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return text


def safe_url(url: str | None) -> str:
    """The URL when it is http(s), else empty (never a ``javascript:`` link)."""
    url = clean(url, 2000, one_line=True)
    return url if url.startswith(("http://", "https://")) else ""


def chinese_number(n: int) -> str:
    """253 -> 二百五十三, 10 -> 十, 105 -> 一百零五 (0 < n < 10000)."""
    if n <= 0 or n >= 10000:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if (digit == 1 and unit == "十" and not out) else _DIGITS[digit]) + unit
    return out


def statute_label(key: str) -> str:
    """``数据安全法:27`` -> 《数据安全法》第二十七条; ``刑法:253之一`` -> 《刑法》第二百五十三条之一."""
    law, _, article = clean(key, 60, one_line=True).partition(":")
    m = re.fullmatch(r"(\d+)(.*)", article)
    if not m:
        return f"《{law}》" + (article and f"{article}")
    return f"《{law}》第{chinese_number(int(m.group(1)))}条{m.group(2)}"


def statute_labels(keys: Iterable[str]) -> list[str]:
    """Labels with articles of one law together: 《数据安全法》第二十七条、第四十五条."""
    grouped: dict[str, list[str]] = {}
    for key in keys:
        label = statute_label(key)
        law, _, rest = label.partition("》")
        grouped.setdefault(law + "》", []).append(rest)
    return [law + "、".join(a for a in articles if a) for law, articles in grouped.items()]


def yuan(v: int | float) -> str:
    """50000 -> 5万元, 15000 -> 1.5万元, 800 -> 800元."""
    v = int(v)
    return f"{v / 10000:g}万元" if v >= 10000 and v % 100 == 0 else f"{v}元"


@dataclass
class Report:
    """An outlet's article reporting the case."""

    outlet: str
    title: str
    url: str


@dataclass
class CaseView:
    """One case as every channel shows it; text already cleaned."""

    id: int
    heading: str
    article_title: str
    url: str
    date: str
    published_at: datetime | None
    authority: str
    province: str
    industry: str
    statutes: list[str]
    statute_keys: list[str]
    penalties: list[str]
    fine_org_yuan: int | None
    fine_person_yuan: list[int]
    flags: list[str]
    summary: str
    reports: list[Report] = field(default_factory=list)

    @property
    def fines(self) -> str:
        parts = [f"单位 {yuan(self.fine_org_yuan)}"] if self.fine_org_yuan else []
        return "，".join(parts + [f"个人 {yuan(v)}" for v in self.fine_person_yuan])

    @property
    def largest_fine(self) -> int:
        return max([self.fine_org_yuan or 0, *self.fine_person_yuan])

    @property
    def total_fine(self) -> int:
        return (self.fine_org_yuan or 0) + sum(self.fine_person_yuan)

    @property
    def facts(self) -> str:
        """Date · authority · province · industry."""
        return " · ".join(x for x in (self.date, self.authority, self.province, self.industry) if x)

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "heading": self.heading, "article_title": self.article_title, "url": self.url,
                "published_at": clock.to_local(self.published_at).isoformat() if self.published_at else None,
                "authority": self.authority or None, "province": self.province or None, "industry": self.industry or None,
                "statutes": self.statute_keys, "statutes_text": self.statutes, "penalties": self.penalties,
                "fine_org_yuan": self.fine_org_yuan, "fine_person_yuan": self.fine_person_yuan,
                "one_case_two_checks": "一案双查" in self.flags, "insider": "内部人员" in self.flags,
                "summary": self.summary, "reports": [vars(r) for r in self.reports]}


@dataclass
class ArticleGroup:
    """The cases of one article, under its headline."""

    title: str
    url: str
    date: str
    cases: list[CaseView]


@dataclass
class Overview:
    """Counts and fines over the cases of a message."""

    total: int
    by_authority: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]
    total_fines: int
    largest: CaseView | None


@dataclass
class AlertView:
    """What one message carries: one case (an immediate alert) or a digest of several."""

    kind: str  # "case", "digest" or "test"
    cases: list[CaseView]
    title: str = "regwatch 执法案例"
    period: str = ""

    @property
    def groups(self) -> list[ArticleGroup]:
        groups: dict[str, ArticleGroup] = {}
        for c in self.cases:
            key = c.url or c.article_title
            groups.setdefault(key, ArticleGroup(c.article_title, c.url, c.date, [])).cases.append(c)
        return list(groups.values())

    @property
    def overview(self) -> Overview:
        def count(values: Iterable[str]) -> list[tuple[str, int]]:
            return Counter(v or "未知" for v in values).most_common()
        fined = [c for c in self.cases if c.largest_fine]
        return Overview(len(self.cases), count(c.authority for c in self.cases), count(c.province for c in self.cases),
                        count(c.industry for c in self.cases), sum(c.total_fine for c in self.cases),
                        max(fined, key=lambda c: c.largest_fine) if fined else None)

    def overview_lines(self) -> list[str]:
        """The overview as lines of text (robot messages)."""
        ov = self.overview

        def counts(pairs: list[tuple[str, int]]) -> str:
            return "、".join(f"{k} {n}" for k, n in pairs)
        lines = [f"共 {ov.total} 个案例" + (f"，罚款合计 {yuan(ov.total_fines)}" if ov.total_fines else "")]
        if ov.largest:
            lines.append(f"最大罚款：{yuan(ov.largest.largest_fine)}（{ov.largest.heading}）")
        return lines + [f"执法机关：{counts(ov.by_authority)}", f"地区：{counts(ov.by_province)}", f"行业：{counts(ov.by_industry)}"]

    @property
    def subject(self) -> str:
        """The mail subject / robot title, with counts."""
        if self.kind == "test":
            return "regwatch 测试消息"
        if self.kind == "case" and len(self.cases) == 1:
            c = self.cases[0]
            fine = f" 罚款{yuan(c.largest_fine)}" if c.largest_fine else ""
            return clean(f"【{c.authority or '执法'}{'·' + c.province if c.province else ''}】{c.heading}{fine}", 120, one_line=True)
        ov = self.overview
        counts = "，".join(f"{k} {v}" for k, v in ov.by_authority)
        return f"regwatch 执法案例摘要：{ov.total} 个新案例（{counts}）" + (f" {self.period}" if self.period else "")

    def render_html(self) -> str:
        return _env.get_template("alert.html.j2").render(v=self, zone=clock.zone_label())

    def render_text(self) -> str:
        return _env.get_template("alert.txt.j2").render(v=self, zone=clock.zone_label())

    def markdown_blocks(self, escape: Callable[[str], str], link: Callable[[str, str], str]) -> list[str]:
        """Robot markdown as blocks (overview, then per article and case) so long messages split between them."""
        tpl = _env.get_template("alert.md.j2")
        return [b.strip() for b in tpl.render(v=self, md=escape, link=link, sep=BLOCK_SEPARATOR).split(BLOCK_SEPARATOR) if b.strip()]


def _heading(case: Case, article: Article, several: bool) -> tuple[str, str]:
    """(the case's own heading, the summary without it); a single-case article's heading is its title."""
    summary = clean(case.summary or article.text)
    lines = summary.split("\n")
    if several:
        first = lines[0].strip()
        if _NUMBERING.sub("", first) == "" and len(lines) > 1:  # "01" on a line of its own
            lines = lines[1:]
            first = lines[0].strip()
        if len(first) <= HEADING_CHARS and len(lines) > 1:
            heading = _NUMBERING.sub("", first).strip("：: ")
            if heading:
                return heading, "\n".join(lines[1:]).strip()
        sentence = re.split(r"[。；;！？!?]", _NUMBERING.sub("", first), maxsplit=1)[0]
        return clean(sentence, 40, one_line=True), summary
    return clean(article.title, 200, one_line=True), summary


def case_views(session: Session, case_ids: Sequence[int]) -> list[CaseView]:
    """Views of the stored cases ``case_ids``, newest publication first (missing ids are skipped)."""
    if not case_ids:
        return []
    rows = session.execute(select(Case, Article).join(Article, Case.article_id == Article.id)
                           .where(Case.id.in_(list(case_ids)))).all()
    article_ids = {a.id for _, a in rows}
    per_article = Counter(session.scalars(select(Case.article_id).where(Case.article_id.in_(article_ids))))
    reports: dict[int, list[Report]] = {}
    for case_id, title, url, outlet in session.execute(
            select(CaseReport.case_id, Article.title, Article.url, Source.name)
            .join(Article, CaseReport.article_id == Article.id).outerjoin(Source, Article.source_id == Source.id)
            .where(CaseReport.case_id.in_(list(case_ids))).order_by(CaseReport.id)):
        reports.setdefault(case_id, []).append(
            Report(clean(outlet, 60, one_line=True) or "", clean(title, 200, one_line=True), safe_url(url)))
    views = []
    for case, article in rows:
        when = case.published_at or article.published_at
        local = clock.to_local(when) if when else None
        date = "" if local is None else local.strftime("%Y-%m-%d" if (local.hour, local.minute) == (0, 0) else "%Y-%m-%d %H:%M")
        heading, summary = _heading(case, article, per_article[article.id] > 1)
        flags = [f for f, on in (("一案双查", case.one_case_two_checks), ("内部人员", case.insider)) if on]
        url = safe_url(article.url)
        views.append(CaseView(
            id=case.id, heading=heading, article_title=clean(article.title, 200, one_line=True), url=url, date=date,
            published_at=when, authority=clean(case.authority, 20, one_line=True),
            province=clean(case.province, 20, one_line=True), industry=clean(case.industry, 20, one_line=True),
            statutes=statute_labels(case.statutes or []), statute_keys=[clean(s, 60) for s in case.statutes or []],
            penalties=[clean(p, 30, one_line=True) for p in case.penalties or []], fine_org_yuan=case.fine_org_yuan,
            fine_person_yuan=[int(v) for v in case.fine_person_yuan or [] if isinstance(v, (int, float))],
            flags=flags, summary=clean(summary, SUMMARY_CHARS),
            reports=reports.get(case.id, [])))
    views.sort(key=lambda v: (-(v.published_at.timestamp() if v.published_at else 0), v.id))
    return views


_env.filters["yuan"] = yuan
