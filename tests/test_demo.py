"""`regwatch demo` as a user runs it: the same articles and cases whatever today's date, and a
second run that downloads no article (the demo keeps its port, so article URLs stay the same)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from regwatch.app.demo import DEMO_DIR
from regwatch.storage.db import make_engine
from regwatch.storage.models import Article, CaseReport, CrawlRun

EXPECTED = yaml.safe_load((DEMO_DIR / "expected.yaml").read_text(encoding="utf-8"))
FAKETIME = shutil.which("faketime")


def demo(workdir: Path, days_ahead: int = 0) -> subprocess.CompletedProcess[str]:
    """Run `regwatch demo` in a child process, the system clock moved `days_ahead` days (libfaketime)."""
    env = {k: v for k, v in os.environ.items() if k != "REGWATCH_NOW"}
    cmd = [sys.executable, "-m", "regwatch", "demo", "-q", "--workdir", str(workdir)]
    if days_ahead:
        cmd = [FAKETIME, "-f", f"+{days_ahead}d", *cmd]
        env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 3), proc.stderr  # 3: a source was blocked (the demo's 公安部 challenge)
    return proc


def cases_by_path(workdir: Path) -> dict[str, int]:
    engine = make_engine(f"sqlite:///{workdir / 'regwatch.db'}")
    with Session(engine) as s:
        reports = dict(s.execute(select(CaseReport.article_id, func.count()).group_by(CaseReport.article_id)).all())
        found = {urlsplit(a.url).path + (f"?{urlsplit(a.url).query}" if urlsplit(a.url).query else ""): reports.get(a.id, 0)
                 for a in s.scalars(select(Article))}
    engine.dispose()
    return found


@pytest.mark.skipif(FAKETIME is None, reason="faketime is not installed (apt-get install faketime)")
@pytest.mark.parametrize("days_ahead", [365, 5 * 365 + 1])
def test_the_demo_gives_the_same_articles_and_cases_years_later(tmp_path, days_ahead):
    demo(tmp_path, days_ahead)
    assert cases_by_path(tmp_path) == {e["path"]: e["cases"] for e in EXPECTED}


def test_the_second_demo_run_downloads_no_article(tmp_path):
    demo(tmp_path)
    second = demo(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path / 'regwatch.db'}")
    with Session(engine) as s:
        runs = list(s.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    engine.dispose()
    by_source: dict[str, list[CrawlRun]] = {}
    for run in runs:
        by_source.setdefault(run.source_id, []).append(run)
    assert by_source and all(len(pair) == 2 for pair in by_source.values())
    for before, after in by_source.values():
        assert after.new_articles == 0
        # Everything the first run fetched beyond its new articles was list pages, robots.txt
        # and the challenge; the second run may fetch only those again.
        assert after.pages_fetched <= before.pages_fetched - before.new_articles, after.source_id
    assert "no new cases since the last digest" in second.stdout
