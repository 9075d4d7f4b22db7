"""Alerts: new cases delivered to the configured channels, and digest files.

The public API (the CLI and the daemon call these):

- ``send_due(engine, settings, dry_run=False) -> SendReport`` works the outbox once.
- ``queue_digests(engine, settings, mode) -> int`` queues the daily / weekly digests.
- ``deliver_new_cases(engine, settings) -> list[str]`` what ``regwatch run`` / ``demo`` do after a
  crawl: the outbox (plus digests that are due) when channels are configured, else digest files.
- ``send_test(settings, channel) -> str`` one test message to one channel.

The deliveries a new case owes are written by storage in the transaction that stores the case
(``regwatch.storage.outbox``); this package only sends them.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import Engine

from regwatch.alerts.channels import DeliveryError, sender_for
from regwatch.alerts.outbox import DIGEST_PERIODS, DeliveryOutbox, SendReport
from regwatch.alerts.render import AlertView
from regwatch.config.alerts import mask

__all__ = ["DeliveryError", "DeliveryOutbox", "SendReport", "deliver_new_cases", "queue_digests", "send_due", "send_test"]


def send_due(engine: Engine, settings: Any, *, dry_run: bool = False) -> SendReport:
    """Send every due delivery once (with retries, backoff and ``Retry-After``); what happened."""
    return DeliveryOutbox(engine, settings.alerts).send_due(dry_run=dry_run)


def queue_digests(engine: Engine, settings: Any, mode: str) -> int:
    """Queue a digest for each ``mode`` (daily / weekly) subscription with matching new cases; how many deliveries."""
    return DeliveryOutbox(engine, settings.alerts).queue_digests(mode)


def deliver_new_cases(engine: Engine, settings: Any) -> list[str]:
    """After a crawl: send what the new cases owe (and digests that are due), or write digest files.

    Returns readable lines for the console.
    """
    if not settings.alerts.enabled:
        from regwatch.alerts.digest import write_digest_files

        files = write_digest_files(engine, settings.digest_dir)
        return ["digest: " + (", ".join(str(f) for f in files) if files else "no new cases since the last digest")]
    outbox = DeliveryOutbox(engine, settings.alerts)
    for mode in DIGEST_PERIODS:
        outbox.queue_digests(mode, only_if_due=True)
    report = outbox.send_due()
    lines = [f"alerts: {report.summary()}"]
    if report.failed or report.retrying:
        lines.append("alerts: see `regwatch deliveries --failed`; `regwatch alerts send` retries what is due")
    return lines


def send_test(settings: Any, channel: str) -> str:
    """Send one test message to ``channel``; the line to print (raises DeliveryError or KeyError)."""
    config = settings.alerts.channels[channel]
    key = f"test/{channel}/{uuid.uuid4().hex[:12]}"
    with httpx.Client(follow_redirects=False) as client:
        sender = sender_for(channel, config, client)
        try:
            sender.send(AlertView("test", [], title="regwatch 测试消息"), key)
        except DeliveryError as exc:
            exc.reason = mask(exc.reason, settings.alerts.secrets())
            raise
    return mask(f"test message sent to {channel} ({sender.describe()})", settings.alerts.secrets())
