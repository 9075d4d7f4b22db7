"""Persistence: SQLAlchemy 2 models, engine set-up, Alembic migrations and the repositories."""

from regwatch.storage.db import SchemaOutdated, ensure_schema_current, make_engine, upgrade_schema
from regwatch.storage.repository import ArticleRecord, ArticleStore, CrawlRunLog, SaveResult, sync_sources

__all__ = [
    "ArticleRecord", "ArticleStore", "CrawlRunLog", "SaveResult", "SchemaOutdated",
    "ensure_schema_current", "make_engine", "sync_sources", "upgrade_schema",
]
