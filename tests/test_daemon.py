"""The daemon: schedules, the single-daemon lock, job bookkeeping, and the real daemon against the demo server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import regwatch.alerts
from regwatch import clock
from regwatch.app import daemon
from regwatch.app.demo import DemoServer, write_demo_sources
from regwatch.config import Settings, SourceConfig
from regwatch.config.daemon import DaemonSettings, parse_schedule
from regwatch.storage.daemon_state import DaemonLease, JobResultLog, LockHeld, lock_holder, scheduled_jobs
from regwatch.storage.db import make_engine, upgrade_schema
from regwatch.storage.models import Article, Case, CrawlRun, DaemonLock



def source(id: str, schedule: str, enabled: bool = True) -> SourceConfig:
    return SourceConfig(id=id, name=id, kind="feed", start_urls=["https://example.org/feed"], authority="网信",
                        schedule=schedule, enabled=enabled)


def test_schedules_are_cron_or_intervals():
    assert parse_schedule("30m").interval == timedelta(minutes=30)
    assert parse_schedule("10s").interval == timedelta(seconds=10)
    assert parse_schedule(" 2h ").interval == timedelta(hours=2)
    assert parse_schedule("*/30 * * * *").cron == "*/30 * * * *"
    for bad in ("0s", "5x", "often", "0 0", "61 * * * *"):
        with pytest.raises(ValueError):
            parse_schedule(bad)
    assert source("a", "2s").schedule == "2s"
    with pytest.raises(ValidationError, match="interval like 30m"):
        source("a", "every hour")
    with pytest.raises(ValidationError):
        DaemonSettings(daily_at="8:30")
    with pytest.raises(ValidationError):
        DaemonSettings(timezone="Mars/Olympus")


def test_daemon_jobs_one_per_enabled_source_plus_outbox_and_digests():
    settings = Settings(daemon=DaemonSettings(jitter_seconds=60, daily_at="08:30", weekly_on="fri", weekly_at="17:00"))
    jobs = {j.id: j for j in daemon.daemon_jobs(settings, [source("a", "10s"), source("b", "0 */6 * * *"),
                                                            source("off", "1m", enabled=False)])}
    assert set(jobs) == {"crawl:a", "crawl:b", "outbox", "digest:daily", "digest:weekly"}
    assert jobs["crawl:a"].executor == daemon.CRAWL_EXECUTOR and jobs["crawl:a"].args == ("a",)
    assert jobs["crawl:a"].trigger.jitter == 1, "an interval's jitter is at most a tenth of it"
    assert jobs["crawl:b"].trigger.jitter == 60
    # 2024-06-07 is a Friday; digests are at Beijing times.
    start = datetime(2024, 6, 7, 0, 0, tzinfo=timezone.utc)
    daily = jobs["digest:daily"].trigger.get_next_fire_time(None, start)
    weekly = jobs["digest:weekly"].trigger.get_next_fire_time(None, start)
    assert daily.astimezone(timezone.utc) == datetime(2024, 6, 7, 0, 30, tzinfo=timezone.utc)
    assert weekly.astimezone(timezone.utc) == datetime(2024, 6, 7, 9, 0, tzinfo=timezone.utc)


def test_one_daemon_per_database(engine):
    stale = timedelta(seconds=30)
    first = DaemonLease(engine, stale, pid=1111, host="host-a")
    first.acquire()
    second = DaemonLease(engine, stale, pid=2222, host="host-b")
    with pytest.raises(LockHeld, match="pid 1111 on host-a"):
        second.acquire()
    assert first.heartbeat()
    # The first daemon dies without releasing: once its heartbeat is stale, the lock is free.
    with Session(engine) as s, s.begin():
        s.get(DaemonLock, "daemon").heartbeat_at = clock.now() - timedelta(minutes=5)
    second.acquire()
    assert not first.heartbeat(), "the old holder must notice it lost the lock"
    assert lock_holder(engine).pid == 2222
    first.release()  # not its lock any more: nothing happens
    assert lock_holder(engine).pid == 2222
    second.release()
    assert lock_holder(engine) is None


def test_lock_of_a_dead_process_on_this_host_is_free(engine):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    DaemonLease(engine, timedelta(minutes=5), pid=dead.pid, host="here").acquire()
    with pytest.raises(LockHeld):
        DaemonLease(engine, timedelta(minutes=5), pid=os.getpid(), host="elsewhere").acquire()
    DaemonLease(engine, timedelta(minutes=5), host="here").acquire()
    assert lock_holder(engine).pid == os.getpid()


@pytest.fixture
def runtime(engine):
    rt = daemon._Runtime(Settings(), None, engine, JobResultLog(engine), threading.Event())
    daemon._runtime = rt
    yield rt
    daemon._runtime = None


def test_outbox_and_digest_jobs_call_the_alerts(runtime, monkeypatch):
    calls = []
    monkeypatch.setattr(regwatch.alerts, "queue_digests", lambda engine, settings, mode: calls.append(mode) or 2)
    monkeypatch.setattr(regwatch.alerts, "send_due",
                        lambda engine, settings, dry_run=False: calls.append("send") or regwatch.alerts.SendReport(sent=1))
    daemon.queue_digest("weekly")
    daemon.send_outbox()
    assert calls == ["weekly", "send"]
    assert runtime.results.all()["digest:weekly"].message == "queued=2"


def test_a_failing_job_is_recorded_as_failed(runtime, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(regwatch.alerts, "send_due", broken)
    daemon.send_outbox()
    r = runtime.results.all()["outbox"]
    assert r.status == "failed" and "smtp down" in r.message


# --- the real daemon, as a child process, against the demo server -----------------------------------------------

FEED = "wx-wangxinzhongguo"  # an RSS feed of 3 articles
BLOCKED = "mps"  # answers with the anti-bot challenge


def wait_for(what: str, check, timeout: float = 180.0, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the daemon exited ({proc.returncode}) while waiting for {what}")
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Daemon:
    started: list[Daemon] = []  # every daemon a test started: the fixture below stops those left running

    def __init__(self, config: Path, log: Path):
        self.log = log
        self.out = log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "regwatch", "--config", str(config), "daemon"],
                                     stdout=self.out, stderr=subprocess.STDOUT, env=snapshot_env())
        Daemon.started.append(self)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 45) -> tuple[int, float]:
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.out.close()
        return code, time.monotonic() - began


@pytest.fixture(autouse=True)
def _no_daemon_left_behind():
    """A failed assertion must not leave a daemon (and its crawl children) running after the test."""
    yield
    while Daemon.started:
        d = Daemon.started.pop()
        if d.proc.poll() is None:
            d.proc.send_signal(signal.SIGTERM)
            try:
                d.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                d.proc.kill()
                d.proc.wait()
        d.out.close()


def snapshot_env() -> dict[str, str]:
    """The environment of a daemon or CLI run against the demo snapshot: the clock starts at the
    snapshot's capture time, so its articles stay inside the crawl window whatever today's date."""
    from regwatch.app.demo import captured_at

    return {**os.environ, "REGWATCH_NOW": captured_at().isoformat()}


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "regwatch", "--config", str(config), *args], capture_output=True,
                          text=True, timeout=120, env=snapshot_env())


def runs(engine, source_id: str) -> list[CrawlRun]:
    with Session(engine) as s:
        return list(s.scalars(select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.finished_at.is_not(None))
                              .order_by(CrawlRun.id)))


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def daemon_config(tmp_path: Path, base_url: str, url: str, ids: tuple[str, ...]) -> Path:
    """Settings for the demo sources ``ids`` on ``schedule: 2s``, on the database ``url`` (migrated here)."""
    sources = write_demo_sources(base_url, tmp_path / "sources.yaml")
    data = yaml.safe_load(sources.read_text(encoding="utf-8"))
    data["sources"] = [dict(s, schedule="2s") for s in data["sources"] if s["id"] in ids]
    sources.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = tmp_path / "regwatch.yaml"
    config.write_text(yaml.safe_dump({
        "database_url": url, "sources_file": str(sources), "digest_dir": str(tmp_path / "digests"),
        "crawl": {"download_delay": 0, "concurrent_per_domain": 4},
        "daemon": {"jitter_seconds": 0, "heartbeat_seconds": 1, "outbox_every": "5s", "stop_timeout_seconds": 20},
    }), encoding="utf-8")
    upgrade_schema(make_engine(url))
    return config


def test_the_daemon_crawls_cycle_after_cycle_keeps_its_state_and_stops_cleanly(tmp_path):
    with DemoServer() as server:
        url = f"sqlite:///{tmp_path / 'rw.db'}"
        config = daemon_config(tmp_path, server.base_url, url, (FEED, BLOCKED))
        engine = make_engine(url)

        first = Daemon(config, tmp_path / "daemon-1.log")
        wait_for("three crawls of the feed", lambda: len(runs(engine, FEED)) >= 3, proc=first.proc)
        feed_runs = runs(engine, FEED)
        assert feed_runs[0].status == "ok" and feed_runs[0].new_articles >= 3
        assert [r.new_articles for r in feed_runs[1:]] == [0] * (len(feed_runs) - 1), "later cycles find nothing new"
        articles, cases = count(engine, Article), count(engine, Case)
        assert articles == feed_runs[0].new_articles and cases >= 3, "each article and case stored once"
        log = first.text()
        assert f"crawl source={FEED} run={feed_runs[0].id} status=ok" in log
        assert f"crawl source={BLOCKED} run=" in log and "status=blocked" in log

        # A second daemon on the same database is refused, naming the first.
        second = run_cli(config, "daemon")
        assert second.returncode == daemon.EXIT_LOCKED
        assert f"another regwatch daemon holds this database: pid {first.proc.pid}" in second.stderr

        status = run_cli(config, "status")
        assert status.returncode == 0, status.stderr
        assert f"daemon: running pid={first.proc.pid}" in status.stdout
        for job in (f"crawl:{FEED}", f"crawl:{BLOCKED}", "outbox", "digest:daily", "digest:weekly"):
            assert job in status.stdout
        assert f"{BLOCKED}: blocked" in status.stdout, "an unhealthy source is listed"
        feed_line = next(ln for ln in status.stdout.splitlines() if ln.startswith(f"crawl:{FEED}"))
        assert " ok 20" in feed_line and "status=ok" in feed_line
        blocked_line = next(ln for ln in status.stdout.splitlines() if ln.startswith(f"crawl:{BLOCKED}"))
        assert " failed 20" in blocked_line and " ok 20" not in blocked_line, "a blocked crawl is never reported ok"

        code, seconds = first.stop()
        assert code == 0 and seconds < 45
        assert "daemon stopped" in first.text() and lock_holder(engine) is None
        assert count(engine, Case) == cases
        stored = {j.job_id for j in scheduled_jobs(engine)}
        assert stored == {f"crawl:{FEED}", f"crawl:{BLOCKED}", "outbox", "digest:daily", "digest:weekly"}
        status = run_cli(config, "status")
        assert status.returncode == 1 and "daemon: not running" in status.stdout

        # Restart: the jobs come back from the job store (not re-added) and crawling goes on.
        before = len(runs(engine, FEED))
        again = Daemon(config, tmp_path / "daemon-2.log")
        wait_for("a crawl after the restart", lambda: len(runs(engine, FEED)) > before, proc=again.proc)
        log = again.text()
        assert f"job crawl:{FEED} kept from the job store" in log and "digest:weekly kept from the job store" in log
        assert " added:" not in log
        assert count(engine, Case) == cases
        code, seconds = again.stop()
        assert code == 0 and seconds < 45, again.text()[-2000:]


def test_the_daemon_on_postgresql(tmp_path, postgres_url):
    with DemoServer() as server:
        config = daemon_config(tmp_path, server.base_url, postgres_url, (FEED,))
        engine = make_engine(postgres_url)
        first = Daemon(config, tmp_path / "daemon.log")
        wait_for("two crawls of the feed", lambda: len(runs(engine, FEED)) >= 2, proc=first.proc)
        assert [r.new_articles for r in runs(engine, FEED)[:2]] == [3, 0]
        second = run_cli(config, "daemon")
        assert second.returncode == daemon.EXIT_LOCKED and f"pid {first.proc.pid}" in second.stderr
        code, _ = first.stop()
        assert code == 0 and lock_holder(engine) is None
        assert {j.job_id for j in scheduled_jobs(engine)} == {f"crawl:{FEED}", "outbox", "digest:daily", "digest:weekly"}
        engine.dispose()


def test_each_digest_is_sent_once_through_the_daemon_jobs(engine):
    """The digest job queues a subscription's cases once; the outbox job sends that digest once."""
    from regwatch.config.alerts import AlertSettings
    from regwatch.storage.repository import ArticleRecord, ArticleStore
    from tests.alert_servers import HookServer

    with HookServer() as hook:
        settings = Settings(alerts=AlertSettings.model_validate({
            "channels": {"hook": {"type": "webhook", "url": hook.url}},
            "subscriptions": [{"name": "daily-all", "channels": ["hook"], "mode": "daily"}]}))
        rt = daemon._Runtime(settings, None, engine, JobResultLog(engine), threading.Event())
        daemon._runtime = rt
        try:
            now = clock.now()
            store = ArticleStore(engine, settings.alerts.subscriptions)
            store.save_article(ArticleRecord("https://n.example/1", "https://n.example/1", None, "某公司被罚", "正文" * 20,
                                             now, now, "h1", 100, True),
                               [{"fingerprint": "d1", "authority": "网信", "summary": "某公司未履行数据安全保护义务被罚款"}])
            for _ in range(2):  # the second day's job finds nothing new; the outbox sends nothing twice
                daemon.queue_digest("daily")
                daemon.send_outbox()
        finally:
            daemon._runtime = None
    digests = [r.json() for r in hook.requests]
    assert len(digests) == 1 and digests[0]["event"] == "digest" and len(digests[0]["cases"]) == 1
    assert rt.results.all()["digest:daily"].message == "queued=0"
