"""``regwatch daemon``: crawls each source on its schedule, sends the outbox, queues digests.

APScheduler 3 with its job store in the regwatch database (table ``apscheduler_jobs``): the
schedule survives restarts, and a run missed while the daemon was down runs once when it comes
back (``coalesce`` within ``daemon.misfire_grace_seconds``). Each crawl runs as a child process
(``python -m regwatch crawl --source ID -q``) because Scrapy's reactor cannot restart in one
process; the daemon itself stays small. One daemon per database (``DaemonLease``); SIGTERM /
SIGINT let the running steps finish and exit 0.

Log lines are made for grep: ``crawl source=ID run=N status=… new=N …``, ``outbox …``,
``digest mode=daily …``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from regwatch.config import Settings, SourceConfig
from regwatch.config.daemon import parse_clock_time, parse_schedule
from regwatch.storage.daemon_state import DaemonLease, JobResultLog, latest_crawl_run

log = logging.getLogger("regwatch.daemon")

#: Exit code of ``regwatch daemon`` when another daemon holds the database (or took it over).
EXIT_LOCKED = 3
CRAWL_EXECUTOR = "crawl"
KILL_AFTER_TERM_SECONDS = 30
CRAWL_OK = ("ok", "empty")


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: a module-level function (by reference, so the job store can keep it) and its trigger."""

    id: str
    func: str
    args: tuple[Any, ...]
    trigger: BaseTrigger
    executor: str = "default"


def _trigger_for(schedule: str, zone: ZoneInfo, max_jitter: int) -> BaseTrigger:
    parsed = parse_schedule(schedule)
    if parsed.interval is not None:
        seconds = int(parsed.interval.total_seconds())
        return IntervalTrigger(seconds=seconds, timezone=zone, jitter=min(max_jitter, seconds // 10) or None)
    minute, hour, day, month, day_of_week = parsed.cron.split()  # type: ignore[union-attr]
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=zone,
                       jitter=max_jitter or None)


def daemon_jobs(settings: Settings, sources: Sequence[SourceConfig]) -> list[JobSpec]:
    """Every job the daemon runs: one crawl per enabled source, the outbox sender, the digests."""
    d = settings.daemon
    zone = ZoneInfo(d.timezone)
    jobs = [JobSpec(f"crawl:{s.id}", f"{__name__}:crawl_source", (s.id,), _trigger_for(s.schedule, zone, d.jitter_seconds),
                    CRAWL_EXECUTOR) for s in sources if s.enabled]
    outbox = int(parse_schedule(d.outbox_every).interval.total_seconds())  # type: ignore[union-attr]
    jobs.append(JobSpec("outbox", f"{__name__}:send_outbox", (), IntervalTrigger(seconds=outbox, timezone=zone)))
    hour, minute = parse_clock_time(d.daily_at)
    jobs.append(JobSpec("digest:daily", f"{__name__}:queue_digest", ("daily",),
                        CronTrigger(hour=hour, minute=minute, timezone=zone)))
    hour, minute = parse_clock_time(d.weekly_at)
    jobs.append(JobSpec("digest:weekly", f"{__name__}:queue_digest", ("weekly",),
                        CronTrigger(day_of_week=d.weekly_on, hour=hour, minute=minute, timezone=zone)))
    return jobs


@dataclass
class _Runtime:
    """What the job functions need; set by ``run_daemon`` (jobs are stored by reference, not with it)."""

    settings: Settings
    config_path: Path | None
    engine: Engine
    results: JobResultLog
    stop: threading.Event
    active: int = 0
    idle: threading.Condition = dataclasses.field(default_factory=threading.Condition)


_runtime: _Runtime | None = None


def _rt() -> _Runtime:
    if _runtime is None:
        raise RuntimeError("daemon jobs run only inside `regwatch daemon`")
    return _runtime


def _job(func: Any) -> Any:
    """Count the job as running while it runs, so shutdown can wait for it; skip it once stopping."""

    @functools.wraps(func)
    def run(*args: Any) -> None:
        rt = _rt()
        with rt.idle:
            if rt.stop.is_set():
                return
            rt.active += 1
        try:
            func(rt, *args)
        finally:
            with rt.idle:
                rt.active -= 1
                rt.idle.notify_all()

    return run


def _last_line(output: bytes) -> str:
    lines = [ln.strip() for ln in output.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1][:500] if lines else "(no output)"


def _wait_child(rt: _Runtime, proc: subprocess.Popen[bytes], source_id: str) -> str | None:
    """Wait for a crawl child; returns why it was stopped early, if it was.

    On a crawl timeout or when the daemon stops, the child gets SIGTERM: Scrapy finishes the
    requests in flight, stores what it has and records the run as stopped early. SIGKILL follows
    after the grace (``KILL_AFTER_TERM_SECONDS``, or ``daemon.stop_timeout_seconds`` when stopping).
    """
    started = time.monotonic()
    reason, terminated, grace = None, 0.0, float(KILL_AFTER_TERM_SECONDS)
    while True:
        try:
            proc.wait(timeout=0.2)
            return reason
        except subprocess.TimeoutExpired:
            pass
        if reason is None:
            if rt.stop.is_set():
                reason, grace = "stopped: the daemon is shutting down", float(rt.settings.daemon.stop_timeout_seconds)
            elif time.monotonic() - started > rt.settings.daemon.crawl_timeout_seconds:
                reason = f"timed out after {rt.settings.daemon.crawl_timeout_seconds}s"
            if reason:
                log.warning("crawl source=%s stopping child pid=%s: %s", source_id, proc.pid, reason)
                proc.terminate()
                terminated = time.monotonic()
        elif time.monotonic() - terminated > grace:
            log.error("crawl source=%s killing child pid=%s: still running %.0fs after SIGTERM", source_id, proc.pid, grace)
            proc.kill()
            grace = float("inf")


@_job
def crawl_source(rt: _Runtime, source_id: str) -> None:
    """Crawl one source in a child process and record the outcome (job ``crawl:ID``)."""
    job_id = f"crawl:{source_id}"
    rt.results.started(job_id)
    cmd = [sys.executable, "-m", "regwatch"]
    if rt.config_path:
        cmd += ["--config", str(rt.config_path)]
    cmd += ["crawl", "--source", source_id, "--quiet"]
    before = latest_crawl_run(rt.engine, source_id)
    began = time.monotonic()
    with tempfile.TemporaryFile() as out:
        # Own session: a Ctrl-C at the terminal reaches the daemon, which decides when the child stops.
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        stopped = _wait_child(rt, proc, source_id)
        out.seek(0, os.SEEK_END)
        out.seek(max(0, out.tell() - 4096))
        tail = out.read()
    seconds = time.monotonic() - began
    run = latest_crawl_run(rt.engine, source_id)
    run = run if run is not None and (before is None or run.id != before.id) else None
    counts = (f"run={run.id} status={run.status} pages={run.pages_fetched} new={run.new_articles} "
              f"known={run.skipped} errors={run.errors}") if run else "run=- status=none"
    line = f"source={source_id} {counts} exit={proc.returncode} seconds={seconds:.1f}"
    if proc.returncode == 0 and run is not None and run.status in CRAWL_OK:
        log.info("crawl %s", line)
        rt.results.finished(job_id, run.status, counts)
        return
    why = stopped or _last_line(tail)
    log.error("crawl %s failed: %s", line, why)
    rt.results.finished(job_id, "failed", f"{counts} exit={proc.returncode}: {why}", failed=True)


@_job
def send_outbox(rt: _Runtime) -> None:
    """Deliver the due alerts and digests (job ``outbox``): ``regwatch.alerts.send_due``."""
    import regwatch.alerts as alerts

    rt.results.started("outbox")
    try:
        report = alerts.send_due(rt.engine, rt.settings)
    except Exception as exc:  # noqa: BLE001 - recorded and retried at the next run
        log.exception("outbox failed: %s", exc)
        rt.results.finished("outbox", "failed", f"{type(exc).__name__}: {exc}", failed=True)
        return
    failed = bool(report.failed)
    log.log(logging.WARNING if failed else logging.INFO, "outbox %s", report.summary())
    rt.results.finished("outbox", "failed" if failed else "ok", report.summary(), failed=failed)


@_job
def queue_digest(rt: _Runtime, mode: str) -> None:
    """Queue the daily or weekly digests of the subscriptions (jobs ``digest:daily``, ``digest:weekly``)."""
    import regwatch.alerts as alerts

    job_id = f"digest:{mode}"
    rt.results.started(job_id)
    try:
        queued = alerts.queue_digests(rt.engine, rt.settings, mode)
    except Exception as exc:  # noqa: BLE001 - recorded; the next run covers the same cases
        log.exception("digest mode=%s failed: %s", mode, exc)
        rt.results.finished(job_id, "failed", f"{type(exc).__name__}: {exc}", failed=True)
        return
    log.info("digest mode=%s queued=%s", mode, queued)
    rt.results.finished(job_id, "ok", f"queued={queued}")


def _trigger_key(trigger: BaseTrigger) -> tuple[str, ...]:
    return (type(trigger).__name__, str(trigger), str(getattr(trigger, "jitter", None)),
            str(getattr(trigger, "timezone", None)))


def _reconcile(scheduler: BackgroundScheduler, specs: Sequence[JobSpec]) -> None:
    """Make the job store hold exactly ``specs``; a job whose schedule is unchanged keeps its stored next run."""
    stored = {job.id: job for job in scheduler.get_jobs()}
    for spec in specs:
        job = stored.pop(spec.id, None)
        if (job is not None and job.func_ref == spec.func and tuple(job.args) == spec.args
                and job.executor == spec.executor and _trigger_key(job.trigger) == _trigger_key(spec.trigger)):
            log.info("job %s kept from the job store, next run %s", spec.id, job.next_run_time)
            continue
        scheduler.add_job(spec.func, trigger=spec.trigger, args=spec.args, id=spec.id, name=spec.id,
                          executor=spec.executor, replace_existing=True)
        log.info("job %s %s: %s", spec.id, "rescheduled" if job else "added", spec.trigger)
    for job_id in stored:
        scheduler.remove_job(job_id)
        log.info("job %s removed (no longer configured)", job_id)


class _DropOverrun(logging.Filter):
    """A crawl longer than its interval is skipped by design (max_instances=1); the crawl's own log line says enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in record.getMessage()


def _quiet_overrun_warnings() -> None:
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _DropOverrun) for f in scheduler_log.filters):
        scheduler_log.addFilter(_DropOverrun())


def build_scheduler(settings: Settings, engine: Engine) -> BackgroundScheduler:
    d = settings.daemon
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        executors={"default": ThreadPoolExecutor(2), CRAWL_EXECUTOR: ThreadPoolExecutor(d.max_parallel_crawls)},
        job_defaults={"coalesce": True, "misfire_grace_time": d.misfire_grace_seconds, "max_instances": 1},
        timezone=ZoneInfo(d.timezone),
    )


#: How often ``_nap`` looks at the stop flag: the latency of SIGTERM / SIGINT.
NAP_SLICE_SECONDS = 0.2


def _nap(stop: threading.Event, seconds: float) -> bool:
    """Sleep ``seconds`` or until ``stop`` is set; returns whether it is set.

    ``stop.wait(seconds)`` would do, were it not that a timed wait on a lock/event (CPython 3.11+ on
    glibc 2.30+: ``sem_clockwait`` on CLOCK_MONOTONIC) never times out under libfaketime 0.9.10, which
    fakes that clock but not that call (wolfcw/libfaketime#390); the daemon must still beat and stop
    when the date is faked (``faketime '+400 days' pytest``). ``time.sleep`` (``clock_nanosleep``) is
    faked consistently, so the daemon sleeps in short slices instead.
    """
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, NAP_SLICE_SECONDS))
    return True


def run_daemon(settings: Settings, sources: Sequence[SourceConfig], engine: Engine, config_path: Path | None) -> int:
    """Run until SIGTERM / SIGINT; returns the exit code (0, or EXIT_LOCKED when the lock was lost).

    Raises ``LockHeld`` when another daemon holds this database.
    """
    global _runtime
    d = settings.daemon
    lease = DaemonLease(engine, d.stale_after)
    lease.acquire()
    stop = threading.Event()
    _runtime = _Runtime(settings, config_path, engine, JobResultLog(engine), stop)

    def _on_signal(signum: int, _frame: Any) -> None:
        log.info("daemon received %s: finishing the running steps", signal.Signals(signum).name)
        stop.set()

    _quiet_overrun_warnings()
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    scheduler = build_scheduler(settings, engine)
    code = 0
    try:
        specs = daemon_jobs(settings, sources)
        scheduler.start(paused=True)
        _reconcile(scheduler, specs)
        scheduler.resume()
        log.info("daemon started pid=%s host=%s jobs=%d database=%s", lease.pid, lease.host, len(specs),
                 settings.safe_database_url)
        while not _nap(stop, d.heartbeat_seconds):
            # A nudge each beat: a due job runs at the latest one heartbeat late even if the scheduler's
            # own timed wait never ends (see _nap); otherwise it finds nothing due and waits on.
            scheduler.wakeup()
            try:
                ours = lease.heartbeat()
            except Exception as exc:  # noqa: BLE001 - a busy or briefly unreachable database: try again
                log.warning("daemon heartbeat failed, retrying: %s", exc)
                continue
            if not ours:
                log.error("daemon lost its lock (another daemon took over this database): stopping")
                code = EXIT_LOCKED
                break
    finally:
        stop.set()
        if scheduler.running:
            # Paused, the scheduler submits nothing more; shutdown() would let it submit to closed executors.
            scheduler.pause()
            with _runtime.idle:
                _runtime.idle.wait_for(lambda: _runtime.active == 0)
            scheduler.shutdown(wait=True)
        if code == 0:
            lease.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _runtime = None
        log.info("daemon stopped pid=%s exit=%s", lease.pid, code)
    return code
