"""Engines and schema management: SQLite (WAL, busy timeout) by default, PostgreSQL by URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITER = "regwatch_writer"
#: PostgreSQL advisory lock key that serialises schema upgrades ("rwschema").
_SCHEMA_LOCK_KEY = 0x7277736368656D61


def json_dumps(value: Any) -> str:
    """JSON columns hold readable UTF-8 (``网络安全法``, not ``\\u7f51…``): psql and ``LIKE`` see the text."""
    return json.dumps(value, ensure_ascii=False)


class SchemaOutdated(Exception):
    """The database schema is not at the revision this code needs."""


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get WAL journaling, a busy timeout and foreign keys.

    JSON columns are written as UTF-8 text on both engines (``json_dumps``).
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, json_serializer=json_dumps)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" below opens the transactions

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            # A writer takes the write lock up front (and waits for it, busy_timeout): a deferred
            # transaction that read first cannot upgrade once another process wrote (SQLITE_BUSY).
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITER) else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True, json_serializer=json_dumps)


def writer(engine: Engine) -> Engine:
    """``engine`` for write transactions: on SQLite they begin IMMEDIATE (take the write lock first)."""
    return engine.execution_options(**{_WRITER: True})


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with the code."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to ``revision``; concurrent upgrades of one database wait for each other.

    The whole upgrade is one transaction holding the database's write lock (SQLite) or an advisory
    lock (PostgreSQL), so a second process finds the schema current instead of colliding on
    ``alembic_version``.
    """
    cfg = _alembic_config(engine)
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK_KEY})")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_schema_current(engine: Engine) -> None:
    """Raise SchemaOutdated, naming the fix, unless the database is at the head revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        where = "has no regwatch schema" if current is None else f"is at revision {current}"
        raise SchemaOutdated(
            f"the database {where}, this regwatch needs {head}: run `regwatch db upgrade`"
        )
