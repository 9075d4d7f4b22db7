"""The tables: sources, crawl runs, pending articles, articles, cases (+ the articles that report them), deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from regwatch import clock


def utcnow() -> datetime:
    return clock.now()


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A crawl source, mirrored from ``config/sources.yaml`` at each crawl."""

    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    authority: Mapped[str] = mapped_column(String(10))
    region: Mapped[str | None] = mapped_column(String(50))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CrawlRun(Base):
    """One crawl of one source, with what it fetched and how it ended."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    new_articles: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    selector_misses: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    #: The crawl process (host, pid) that owns a ``running`` run; a dead owner's run is ``interrupted``.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)


class PendingArticle(Base):
    """An article a list page named that could not be stored yet: retried with backoff, or given up."""

    __tablename__ = "pending_articles"
    __table_args__ = (Index("ix_pending_articles_source_state_next", "source_id", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(String(4000))
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    title_hint: Mapped[str | None] = mapped_column(String(1000))
    date_hint: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Article(Base):
    """A fetched article; its canonical URL is its identity."""

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(String(4000))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str] = mapped_column(String(1000))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    raw_size: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="classified")
    is_enforcement: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    reasons: Mapped[list[Any]] = mapped_column(default=list)


class Case(Base):
    """One enforcement case with every taxonomy field; ``article_id``/``position`` is where it was first seen."""

    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("article_id", "position", name="uq_cases_article_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    summary: Mapped[str] = mapped_column(Text, default="")
    industry: Mapped[str | None] = mapped_column(String(20), index=True)
    subject: Mapped[list[Any]] = mapped_column(default=list)
    nature: Mapped[list[Any]] = mapped_column(default=list)
    impact: Mapped[list[Any]] = mapped_column(default=list)
    statutes: Mapped[list[Any]] = mapped_column(default=list)
    responsibility: Mapped[str | None] = mapped_column(String(20))
    domain: Mapped[str | None] = mapped_column(String(10))
    authority: Mapped[str | None] = mapped_column(String(10), index=True)
    province: Mapped[str | None] = mapped_column(String(10), index=True)
    penalties: Mapped[list[Any]] = mapped_column(default=list)
    fine_org_yuan: Mapped[int | None] = mapped_column(BigInteger)
    fine_person_yuan: Mapped[list[Any]] = mapped_column(default=list)
    one_case_two_checks: Mapped[bool] = mapped_column(Boolean, default=False)
    insider: Mapped[bool] = mapped_column(Boolean, default=False)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    reports: Mapped[list[CaseReport]] = relationship(back_populates="case", cascade="all, delete-orphan")


class CaseReport(Base):
    """An article that reports a case: several outlets reporting one case give several rows."""

    __tablename__ = "case_reports"
    __table_args__ = (UniqueConstraint("article_id", "position", name="uq_case_reports_article_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    case: Mapped[Case] = relationship(back_populates="reports")


class Delivery(Base):
    """One attempt-tracked delivery of a case or a digest to one subscription channel."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_state_next", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    subscription: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    digest_key: Mapped[str | None] = mapped_column(String(100))
    covers_until: Mapped[datetime | None]
    #: The highest case id a digest covered: the next digest starts after it (ids, not clocks).
    covers_case_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class HttpValidator(Base):
    """ETag / Last-Modified last seen for a URL, for conditional GET."""

    __tablename__ = "http_validators"
    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
