"""The tables: sources, crawl runs, pending articles, articles, cases (+ the articles that report them), deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from regwatch import clock
from regwatch.cases import taxonomy_fields


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


def _taxonomy_column(kind: str, max_length: int, indexed: bool) -> Any:
    """The column of one taxonomy field of the case contract (``regwatch.cases``)."""
    if kind == "list":
        return mapped_column(JSON, nullable=False, default=list)
    if kind == "bool":
        return mapped_column(Boolean, nullable=False, default=False)
    if kind == "int":
        return mapped_column(BigInteger, nullable=True)
    return mapped_column(String(max_length), nullable=True, index=indexed)


#: The taxonomy columns of ``cases``, one per field of the case contract.
CaseTaxonomyColumns = type("CaseTaxonomyColumns", (), {
    name: _taxonomy_column(kind, max_length, indexed) for name, kind, max_length, indexed in taxonomy_fields()})


class Case(CaseTaxonomyColumns, Base):
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
    reports: Mapped[list[CaseReport]] = relationship(back_populates="case", cascade="all, delete-orphan")


class IdHighWater(Base):
    """The highest id handed out per table. SQLite gives the id of a deleted last row out again;
    case ids are the digest and alert watermarks, so on SQLite new cases take their ids from here."""

    __tablename__ = "id_high_water"
    table_name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)


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
    __table_args__ = (Index("ix_deliveries_state_next", "state", "next_attempt_at"),
                      Index("ix_deliveries_subscription_through", "subscription", "through_case_id"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    subscription: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    digest_key: Mapped[str | None] = mapped_column(String(100))
    covers_until: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    #: A digest covers the matching cases with after_case_id < id <= through_case_id (the watermark).
    after_case_id: Mapped[int | None]
    through_case_id: Mapped[int | None]
    #: The sender working on it ("host:pid") and until when its claim holds.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    #: Parts of a message split for the channel's size limit that went out already (a retry resumes after them).
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class HttpValidator(Base):
    """ETag / Last-Modified last seen for a URL, for conditional GET."""

    __tablename__ = "http_validators"
    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DaemonLock(Base):
    """The one ``regwatch daemon`` allowed per database: who holds the lock and its last heartbeat."""

    __tablename__ = "daemon_lock"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class JobResult(Base):
    """The last run of one daemon job (a source's crawl, the outbox sender, a digest)."""

    __tablename__ = "daemon_job_results"
    job_id: Mapped[str] = mapped_column(String(191), primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class ScheduledJob(Base):
    """APScheduler's job store table (``SQLAlchemyJobStore``), declared here so migrations own it.

    ``next_run_time`` is a UNIX timestamp; ``job_state`` is APScheduler's pickle, read only by it.
    """

    __tablename__ = "apscheduler_jobs"
    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
