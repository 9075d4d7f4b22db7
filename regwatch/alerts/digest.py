"""Digests of newly stored cases, rendered as HTML and plain text.

Crawled text is untrusted: the HTML template autoescapes every value, and summaries are bounded.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.storage.models import Article, Case, Delivery

TEMPLATES = Path(__file__).resolve().parent / "templates"
FOLDER_CHANNEL = "folder"
SUMMARY_CHARS = 300

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html.j2"]),
                   trim_blocks=True, lstrip_blocks=True)


@dataclass
class DigestEntry:
    """One case as shown in a digest."""

    title: str
    url: str
    published: str
    authority: str
    province: str
    industry: str
    penalties: str
    fines: str
    statutes: str
    summary: str


@dataclass
class Digest:
    """The cases stored in (since, until]."""

    since: datetime | None
    until: datetime
    entries: list[DigestEntry]

    def render_text(self) -> str:
        return _env.get_template("digest.txt.j2").render(d=self)

    def render_html(self) -> str:
        return _env.get_template("digest.html.j2").render(d=self)


def _yuan(v: int) -> str:
    return f"{v / 10000:g}万元" if v >= 10000 and v % 100 == 0 else f"{v}元"


def _entry(case: Case, article: Article) -> DigestEntry:
    fines = []
    if case.fine_org_yuan:
        fines.append(f"单位 {_yuan(case.fine_org_yuan)}")
    fines += [f"个人 {_yuan(int(v))}" for v in case.fine_person_yuan or []]
    when = case.published_at or article.published_at
    summary = case.summary or article.text
    return DigestEntry(
        title=article.title, url=article.url if article.url.startswith(("http://", "https://")) else "", published=when.strftime("%Y-%m-%d") if when else "",
        authority=case.authority or "未知", province=case.province or "", industry=case.industry or "",
        penalties="、".join(case.penalties or []), fines="，".join(fines), statutes="、".join(case.statutes or []),
        summary=summary[:SUMMARY_CHARS] + ("…" if len(summary) > SUMMARY_CHARS else ""),
    )


def build_digest(session: Session, since: datetime | None, until: datetime, *, after_case: int | None = None,
                 through_case: int | None = None) -> Digest:
    """Cases with ids in (``after_case``, ``through_case``] — else stored after ``since`` up to ``until`` —, newest publication first."""
    q = select(Case, Article).join(Article, Case.article_id == Article.id)
    q = q.where(Case.id <= through_case) if through_case is not None else q.where(Case.created_at <= until)
    if after_case is not None:
        q = q.where(Case.id > after_case)
    elif since is not None:
        q = q.where(Case.created_at > since)
    q = q.order_by(Case.published_at.desc().nulls_last(), Case.id)
    return Digest(since, until, [_entry(c, a) for c, a in session.execute(q)])


def last_folder_digest(session: Session) -> int | None:
    """The highest case id the digests written to the folder covered (None before the first)."""
    return session.scalar(select(func.max(Delivery.covers_case_id)).where(
        Delivery.channel == FOLDER_CHANNEL, Delivery.state == "sent"))


def committed_case_watermark(session: Session) -> int:
    """The highest case id below which every case is committed, read in ``session``'s transaction.

    Ids, not clocks: a case stamped before a digest's cut-off can commit after it. On PostgreSQL
    the digest's transaction waits for open writers of ``cases`` (SHARE lock), so no lower id can
    commit later; SQLite has one writer at a time, so its committed ids never have such gaps.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE cases IN SHARE MODE"))
    return session.scalar(select(func.max(Case.id))) or 0


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_digest_files(engine: Engine, out_dir: Path, since: datetime | None = None) -> list[Path]:
    """Write a digest of the cases stored since the previous folder digest (or ``since``).

    Returns the files written: ``digest-<UTC time>.html`` and ``.txt``, or nothing when no case
    is new. The files are written before the delivery is recorded, so a failure can repeat a
    digest but never lose one.
    """
    until = clock.now()
    with Session(engine) as s, s.begin():
        through = committed_case_watermark(s)
        after = last_folder_digest(s) if since is None else None
        digest = build_digest(s, since, until, after_case=after, through_case=through)
    if not digest.entries:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "digest-" + until.strftime("%Y%m%dT%H%M%S%fZ")
    files = [out_dir / f"{stem}.html", out_dir / f"{stem}.txt"]
    _write_atomic(files[0], digest.render_html())
    _write_atomic(files[1], digest.render_text())
    with Session(engine) as s, s.begin():
        s.add(Delivery(idempotency_key=f"{FOLDER_CHANNEL}:{stem}", subscription="local", channel=FOLDER_CHANNEL,
                       digest_key=stem, covers_until=until, covers_case_id=through, state="sent", attempts=1,
                       sent_at=until))
    return files
