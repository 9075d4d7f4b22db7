"""What ``regwatch daemon`` keeps in the database: its lock, each job's last result, the job store's next runs."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.storage.db import writer
from regwatch.storage.models import CrawlRun, DaemonLock, Delivery, JobResult, ScheduledJob
from regwatch.storage.repository import process_alive

LOCK_NAME = "daemon"
MAX_MESSAGE_CHARS = 2000


class LockHeld(Exception):
    """Another daemon holds the lock of this database."""

    def __init__(self, holder: DaemonLock):
        self.holder = holder
        super().__init__(f"another regwatch daemon holds this database: pid {holder.pid} on {holder.host}, "
                         f"running since {clock.to_local(holder.started_at):%Y-%m-%d %H:%M:%S}, "
                         f"last heartbeat {clock.to_local(holder.heartbeat_at):%H:%M:%S} ({clock.zone_label()})")


class DaemonLease:
    """The single-daemon lock: one row per database with the holder's pid, host and heartbeat.

    A lock is free when there is no row, when its heartbeat is older than ``stale_after``, or when
    its holder was on this host and that process is gone. Taking a stale lock is a compare-and-swap
    on the row as read, so two daemons starting together cannot both win.
    """

    def __init__(self, engine: Engine, stale_after: timedelta, *, pid: int | None = None, host: str | None = None):
        self.engine = engine
        self.stale_after = stale_after
        self.pid = pid or os.getpid()
        self.host = (host or socket.gethostname())[:255]
        self.started_at: datetime | None = None

    def _abandoned(self, row: DaemonLock, now: datetime) -> bool:
        if now - clock.as_utc(row.heartbeat_at) > self.stale_after:
            return True
        if row.host == self.host:
            return row.pid == self.pid or not process_alive(row.pid)
        return False

    def acquire(self) -> None:
        """Take the lock or raise LockHeld naming the holder."""
        now = clock.now()
        mine = {"pid": self.pid, "host": self.host, "started_at": now, "heartbeat_at": now}
        with Session(writer(self.engine)) as s:
            row = s.get(DaemonLock, LOCK_NAME)
            if row is None:
                s.add(DaemonLock(name=LOCK_NAME, **mine))
                try:
                    s.commit()
                except IntegrityError:
                    s.rollback()
                    raise LockHeld(s.get(DaemonLock, LOCK_NAME, populate_existing=True)) from None
            else:
                if not self._abandoned(row, now):
                    raise LockHeld(row)
                taken = s.execute(update(DaemonLock).where(
                    DaemonLock.name == LOCK_NAME, DaemonLock.pid == row.pid, DaemonLock.host == row.host,
                    DaemonLock.heartbeat_at == row.heartbeat_at).values(**mine)).rowcount
                s.commit()
                if taken != 1:
                    raise LockHeld(s.get(DaemonLock, LOCK_NAME, populate_existing=True))
        self.started_at = now

    def heartbeat(self) -> bool:
        """Refresh the heartbeat; False when the lock is no longer ours."""
        with Session(writer(self.engine)) as s, s.begin():
            return s.execute(update(DaemonLock).where(
                DaemonLock.name == LOCK_NAME, DaemonLock.pid == self.pid, DaemonLock.host == self.host)
                .values(heartbeat_at=clock.now())).rowcount == 1

    def release(self) -> None:
        with Session(writer(self.engine)) as s, s.begin():
            s.execute(delete(DaemonLock).where(DaemonLock.name == LOCK_NAME, DaemonLock.pid == self.pid,
                                               DaemonLock.host == self.host))


def lock_holder(engine: Engine) -> DaemonLock | None:
    """The lock row, if a daemon holds (or held and died holding) the lock."""
    with Session(engine, expire_on_commit=False) as s:
        return s.get(DaemonLock, LOCK_NAME)


class JobResultLog:
    """Each daemon job's last start, and the end, status and message of its last finished run, with counts.

    A job is running when its ``started_at`` is later than its ``finished_at`` (or it never finished).
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    def started(self, job_id: str) -> None:
        with Session(writer(self.engine)) as s, s.begin():
            row = s.get(JobResult, job_id)
            if row is None:
                s.add(JobResult(job_id=job_id, started_at=clock.now(), status="running", message="", runs=0, failures=0))
            else:
                row.started_at = clock.now()  # status and message stay those of the last finished run

    def finished(self, job_id: str, status: str, message: str = "", *, failed: bool = False) -> None:
        with Session(writer(self.engine)) as s, s.begin():
            row = s.get(JobResult, job_id)
            if row is None:
                row = JobResult(job_id=job_id, started_at=clock.now(), runs=0, failures=0)
                s.add(row)
            row.finished_at, row.status, row.message = clock.now(), status, message[:MAX_MESSAGE_CHARS]
            row.runs = (row.runs or 0) + 1
            row.failures = (row.failures or 0) + int(failed)

    def all(self) -> dict[str, JobResult]:
        with Session(self.engine, expire_on_commit=False) as s:
            return {r.job_id: r for r in s.scalars(select(JobResult).order_by(JobResult.job_id))}


@dataclass
class NextRun:
    job_id: str
    next_run: datetime | None  # None: paused


def scheduled_jobs(engine: Engine) -> list[NextRun]:
    """The jobs in the daemon's job store with their next run (aware UTC), soonest first."""
    with Session(engine) as s:
        rows = s.execute(select(ScheduledJob.id, ScheduledJob.next_run_time)
                         .order_by(ScheduledJob.next_run_time.is_(None), ScheduledJob.next_run_time, ScheduledJob.id))
        return [NextRun(i, None if t is None else datetime.fromtimestamp(t, clock.UTC)) for i, t in rows]


def outbox_backlog(engine: Engine) -> dict[str, int]:
    """Deliveries not yet sent, counted by state (pending, failed …)."""
    with Session(engine) as s:
        rows = s.execute(select(Delivery.state, func.count()).where(Delivery.sent_at.is_(None)).group_by(Delivery.state))
        return {state: n for state, n in rows}


def latest_crawl_run(engine: Engine, source_id: str) -> CrawlRun | None:
    """The newest crawl run of a source (running or finished)."""
    with Session(engine, expire_on_commit=False) as s:
        return s.scalar(select(CrawlRun).where(CrawlRun.source_id == source_id).order_by(CrawlRun.id.desc()).limit(1))
