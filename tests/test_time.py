"""One clock, Beijing time for people, UTC in the database, and dates parsed to the right instant."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from regwatch import clock
from regwatch.alerts.digest import write_digest_files
from regwatch.crawler.extraction import parse_published
from regwatch.storage.repository import ArticleRecord, ArticleStore

UTC = timezone.utc
PACKAGE = Path(__file__).resolve().parents[1] / "regwatch"


@pytest.fixture
def pinned():
    clock.pin(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
    yield
    clock.pin(None)


@pytest.mark.parametrize("text, instant", [
    ("2026-11-20T02:30:00Z", datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),
    ("2026-11-20T10:30:00+08:00", datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),
    ("2026-11-20T02:30:00.250+00:00", datetime(2026, 11, 20, 2, 30, 0, 250000, tzinfo=UTC)),
    ("2026-11-20T10:30:00+0800", datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),
    ("2026-11-20 10:30:00", datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),       # no zone: Beijing
    ("2026年11月20日 10:30", datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),
    ("2026-11-25", datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),                # a day: that day in Beijing
    ("1763605800", datetime(2025, 11, 20, 2, 30, tzinfo=UTC)),                 # unix seconds
])
def test_timestamps_parse_to_the_right_instant(text, instant):
    assert parse_published(text) == instant


@pytest.mark.parametrize("text, instant", [
    ("3小时前", datetime(2026, 11, 27, 1, 0, tzinfo=UTC)),
    ("昨天 10:30", datetime(2026, 11, 26, 2, 30, tzinfo=UTC)),
    ("刚刚", datetime(2026, 11, 27, 4, 0, tzinfo=UTC)),
])
def test_relative_dates_count_back_from_the_clock(pinned, text, instant):
    assert abs(parse_published(text) - instant) < timedelta(minutes=1)


def test_a_pinned_clock_keeps_ticking_from_its_start(pinned):
    first = clock.now()
    assert first.tzinfo is not None and abs(first - datetime(2026, 11, 27, 4, 0, tzinfo=UTC)) < timedelta(seconds=5)
    assert clock.now() >= first


def test_the_environment_pins_the_clock(monkeypatch):
    monkeypatch.setenv(clock.ENV_NOW, "2031-01-02T08:00:00+08:00")
    clock.pin(None)
    try:
        assert clock.now().date() == datetime(2031, 1, 2).date() and clock.now().hour == 0
    finally:
        monkeypatch.delenv(clock.ENV_NOW)
        clock.pin(None)


def test_local_time_is_beijing_unless_configured():
    instant = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert clock.to_local(instant).strftime("%Y-%m-%d %H:%M") == "2026-11-25 00:00"
    assert clock.to_local(instant.replace(tzinfo=None)).day == 25        # SQLite hands back naive UTC
    clock.set_local_zone("Europe/Berlin")
    try:
        assert clock.to_local(instant).strftime("%Y-%m-%d %H:%M") == "2026-11-24 17:00"
    finally:
        clock.set_local_zone("Asia/Shanghai")
    with pytest.raises(ValueError, match="unknown time zone"):
        clock.set_local_zone("Mars/Olympus")


def test_a_date_only_article_shows_its_own_date_in_the_digest(engine, tmp_path, pinned):
    published = parse_published("2026-11-25")
    ArticleStore(engine).save_article(
        ArticleRecord("https://a.example/1", "https://a.example/1", None, "某公司被罚", "正文" * 20, published,
                      clock.now(), "h1", 10, True),
        [{"authority": "网信", "industry": "互联网", "summary": "某公司未履行数据安全保护义务被罚款", "fingerprint": "f1"}])
    files = write_digest_files(engine, tmp_path)
    text = files[1].read_text(encoding="utf-8")
    assert "2026-11-25" in text and "2026-11-24" not in text
    assert "北京时间" in text and "UTC" not in text


def _calls_to_now(tree: ast.AST) -> list[int]:
    """Lines that ask the system for the current time directly."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name in ("now", "utcnow", "today") and owner_name in ("datetime", "date")) or \
                    (name == "time" and owner_name == "time"):
                found.append(node.lineno)
    return found


def test_nothing_but_the_clock_reads_the_system_time():
    offenders = {str(p.relative_to(PACKAGE)): lines for p in PACKAGE.rglob("*.py")
                 if p.name != "clock.py" and (lines := _calls_to_now(ast.parse(p.read_text(encoding="utf-8"))))}
    assert offenders == {}
