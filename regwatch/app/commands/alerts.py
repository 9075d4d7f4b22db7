"""``regwatch alerts send|test`` and ``regwatch deliveries``: the alert outbox from the command line."""

from __future__ import annotations

import sys

import click

EXIT_FAILED = 1
EXIT_CONFIG = 2


@click.group("alerts")
def alerts_group() -> None:
    """Deliver alerts through the channels of the `alerts:` settings.

    New cases owe deliveries the moment they are stored; `regwatch run` and the daemon send
    them. These commands send or inspect them by hand.
    """


@alerts_group.command("send")
@click.option("--dry-run", is_flag=True, help="Print what would go where; send nothing, change nothing.")
@click.pass_obj
def alerts_send(app, dry_run: bool) -> None:  # type: ignore[no-untyped-def]
    """Send every delivery that is due (new, or whose retry time has come).

    Exits 1 when a delivery failed or is left to retry. Secrets are masked in every line.

    \b
    Examples:
      regwatch alerts send --dry-run
      regwatch alerts send
    """
    from regwatch.alerts import send_due

    if not app.settings.alerts.channels:
        click.echo("no alert channels configured (alerts.channels): digests go to files, see `regwatch digest`")
        return
    report = send_due(app.engine(), app.settings, dry_run=dry_run)
    if dry_run:
        for line in report.planned:
            click.echo(f"would send {line}")
        click.echo(f"{len(report.planned)} deliveries due (dry run: nothing sent)")
        return
    for line in report.problems:
        click.echo(line, err=True)
    click.echo(f"alerts: {report.summary()}")
    if report.failed or report.retrying:
        sys.exit(EXIT_FAILED)


@alerts_group.command("test")
@click.argument("channel")
@click.pass_obj
def alerts_test(app, channel: str) -> None:  # type: ignore[no-untyped-def]
    """Send one test message to CHANNEL (a name under alerts.channels).

    \b
    Example:
      REGWATCH_WECOM_URL=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… regwatch alerts test wecom
    """
    from regwatch.alerts import DeliveryError, send_test

    channels = app.settings.alerts.channels
    if channel not in channels:
        click.echo(f"error: no channel {channel!r} in alerts.channels (configured: {', '.join(channels) or 'none'})", err=True)
        sys.exit(EXIT_CONFIG)
    try:
        click.echo(send_test(app.settings, channel))
    except DeliveryError as exc:
        click.echo(f"error: {channel}: {'permanent failure' if exc.permanent else 'failed'}: {exc.reason}", err=True)
        sys.exit(EXIT_FAILED)


@click.command("deliveries")
@click.option("--failed", "only_failed", is_flag=True, help="Only deliveries that failed for good.")
@click.option("--retry", "retry_id", type=int, metavar="ID", help="Queue delivery ID again (after fixing the cause).")
@click.option("--limit", type=int, default=50, show_default=True, help="Show at most this many (newest first).")
@click.pass_obj
def deliveries_cmd(app, only_failed: bool, retry_id: int | None, limit: int) -> None:  # type: ignore[no-untyped-def]
    """Show the alert outbox: each delivery's state, attempts, next try and last error.

    \b
    Examples:
      regwatch deliveries
      regwatch deliveries --failed
      regwatch deliveries --retry 42     # then: regwatch alerts send
    """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from regwatch import clock
    from regwatch.config.alerts import mask
    from regwatch.storage.db import writer
    from regwatch.storage.models import Delivery
    from regwatch.storage.outbox import FAILED, PENDING

    engine = app.engine()
    secrets = app.settings.alerts.secrets()
    if retry_id is not None:
        with Session(writer(engine)) as s, s.begin():
            d = s.get(Delivery, retry_id)
            if d is None:
                click.echo(f"error: no delivery {retry_id}", err=True)
                sys.exit(EXIT_FAILED)
            if d.state not in (FAILED, "cancelled"):
                click.echo(f"error: delivery {retry_id} is {d.state}; only failed or cancelled deliveries are queued again", err=True)
                sys.exit(EXIT_FAILED)
            d.state, d.attempts, d.next_attempt_at, d.lease_owner, d.lease_until = PENDING, 0, None, None, None
        click.echo(f"delivery {retry_id} queued again; `regwatch alerts send` sends it")
        return
    query = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if only_failed:
        query = query.where(Delivery.state == FAILED)
    with Session(engine) as s:
        rows = list(s.scalars(query))
    if not rows:
        click.echo("no failed deliveries" if only_failed else "the outbox is empty")
        return
    click.echo(f"{'id':>5} {'state':9} {'tries':>5} {'channel':12} {'when':16} key")
    for d in rows:
        when = d.sent_at if d.state == "sent" else (d.next_attempt_at or d.created_at)
        stamp = f"{clock.to_local(when):%Y-%m-%d %H:%M}" if when else ""
        click.echo(f"{d.id:>5} {d.state:9} {d.attempts:>5} {d.channel[:12]:12} {stamp:16} {d.idempotency_key}")
        if d.last_error:
            click.echo(f"{'':>5} {mask(d.last_error, secrets)}")
