"""Shared fixtures: a migrated database on SQLite (temp file) and on the local PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from regwatch.storage.db import make_engine, upgrade_schema

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
PG_ADMIN_URL = os.environ.get("REGWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_admin() -> Engine | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return engine
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        _pg_admin.reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"  # type: ignore[attr-defined]
        return None


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'regwatch.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    admin = _pg_admin()
    if admin is None:
        pytest.skip(getattr(_pg_admin, "reason", "PostgreSQL not reachable"))
    name = f"regwatch_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL on each engine."""
    return request.getfixturevalue(f"{request.param}_url" if request.param == "sqlite" else "postgres_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database on each engine."""
    eng = make_engine(db_url)
    upgrade_schema(eng)
    yield eng
    eng.dispose()


_CLASSIFIERS: dict = {}


@pytest.fixture
def shared_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    """`EnforcementClassifier(rules_dir)` built once per rules folder for the whole test run (a
    build loads the rules and jieba's dictionary: seconds); a bad rules folder still raises."""
    import regwatch.classifiers as classifiers

    real = classifiers.EnforcementClassifier

    def cached(rules_dir: Path | None = None):  # type: ignore[no-untyped-def]
        key = str(rules_dir)
        if key not in _CLASSIFIERS:
            _CLASSIFIERS[key] = real(rules_dir)
        return _CLASSIFIERS[key]

    monkeypatch.setattr(classifiers, "EnforcementClassifier", cached)
