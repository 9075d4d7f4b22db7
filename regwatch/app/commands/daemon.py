"""``regwatch daemon`` and ``regwatch status``."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from regwatch import clock

EXIT_NOT_RUNNING = 1


@click.command("daemon")
@click.pass_obj
def daemon_cmd(app) -> None:  # type: ignore[no-untyped-def]
    """Run continuously: crawl each enabled source on its schedule, send the outbox, queue digests.

    A source's `schedule` (sources file) is a cron expression in daemon.timezone (Beijing time by
    default) or an interval like 30m / 10s / 2h. Digests are queued at daemon.daily_at and
    daemon.weekly_on + weekly_at; the outbox is sent every daemon.outbox_every. The schedule is
    kept in the database: after downtime a missed run runs once. Each crawl is a child process.

    Only one daemon per database: a second one exits with code 3 and names the running one.
    SIGTERM / SIGINT (Ctrl-C) let running crawls finish (at most daemon.stop_timeout_seconds)
    and exit 0. Logs go to stderr, one grep-able line per job run, e.g.
    `crawl source=secrss run=42 status=ok pages=12 new=3 known=9 errors=0 exit=0 seconds=4.2`.

    \b
    Examples:
      regwatch daemon
      regwatch --config /etc/regwatch/regwatch.yaml daemon
      regwatch status
    """
    from regwatch.app.daemon import EXIT_LOCKED, run_daemon
    from regwatch.storage.daemon_state import LockHeld

    settings = app.settings
    engine = app.engine()
    try:
        code = run_daemon(settings, app.sources(), engine, app.config_path)
    except LockHeld as exc:
        click.echo(f"error: {exc}; not starting a second one (exit {EXIT_LOCKED})", err=True)
        code = EXIT_LOCKED
    sys.exit(code)


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{clock.to_local(value):%Y-%m-%d %H:%M:%S}"


def _ago(value: datetime) -> str:
    seconds = int((clock.now() - clock.as_utc(value)).total_seconds())
    return f"{seconds}s ago" if seconds < 120 else f"{seconds // 60}m ago"


@click.command("status")
@click.pass_obj
def status_cmd(app) -> None:  # type: ignore[no-untyped-def]
    """Show the daemon (pid, since), each job's next and last run, the outbox backlog and unhealthy sources.

    Times are Beijing time. Exit code 0 when a daemon is running on this database, 1 when none is
    (for monitoring: `regwatch status >/dev/null || alert`).

    \b
    Example:
      regwatch status
    """
    from regwatch.storage.daemon_state import JobResultLog, lock_holder, outbox_backlog, scheduled_jobs
    from regwatch.storage.repository import CrawlRunLog

    settings = app.settings
    engine = app.engine()
    holder = lock_holder(engine)
    alive = holder is not None and clock.now() - clock.as_utc(holder.heartbeat_at) <= settings.daemon.stale_after
    click.echo(f"times in {clock.zone_label()}")
    if holder is None:
        click.echo("daemon: not running")
    else:
        state = "running" if alive else "not running (stale lock: no heartbeat)"
        click.echo(f"daemon: {state} pid={holder.pid} host={holder.host} since {_when(holder.started_at)}, "
                   f"heartbeat {_ago(holder.heartbeat_at)}")
    results = JobResultLog(engine).all()
    jobs = scheduled_jobs(engine)
    click.echo(f"\n{'job':28} {'next run':19}  last result")
    for job in jobs:
        r = results.get(job.job_id)
        if r is None:
            last = "never run"
        else:
            running = r.finished_at is None or clock.as_utc(r.started_at) > clock.as_utc(r.finished_at)
            last = "" if r.finished_at is None else f"{r.status} {_when(r.finished_at)} {r.message}".rstrip()
            if running:
                last = f"running since {_when(r.started_at)}" + (f"; last: {last}" if last else "")
        click.echo(f"{job.job_id:28} {_when(job.next_run) if job.next_run else 'paused':19}  {last}")
    if not jobs:
        click.echo("(no jobs stored: the daemon has not run on this database)")
    backlog = outbox_backlog(engine)
    click.echo("\noutbox backlog: " + (", ".join(f"{state} {n}" for state, n in sorted(backlog.items())) or "empty"))
    runs = CrawlRunLog(engine)
    click.echo(f"\n{'source':24} last crawl")
    unhealthy = []
    for src in app.sources():
        if not src.enabled:
            continue
        health = runs.health(src.id)
        last = health.last_run
        click.echo(f"{src.id:24} " + ("never crawled" if last is None else
                   f"{last.status} {_when(last.finished_at)} run={last.id} pages={last.pages_fetched} "
                   f"new={last.new_articles} errors={last.errors}"))
        unhealthy += [(src.id, w) for w in health.warnings]
    if unhealthy:
        click.echo("\nunhealthy sources:")
        for source_id, warning in unhealthy:
            click.echo(f"  {source_id}: {warning}")
    sys.exit(0 if alive else EXIT_NOT_RUNNING)
