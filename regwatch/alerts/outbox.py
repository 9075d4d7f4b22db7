"""The sender side of the outbox: claim a due delivery, send it, record what happened.

A delivery is claimed (state ``sending``, a lease naming this process) before it is sent and
marked ``sent`` after: a crash in between leaves it claimed, and the next sender takes it over
once the lease runs out or, on the same host, at once when the claiming process is gone. So
nothing is lost, and only the delivery in flight can repeat, with the same idempotency key.
Failures worth a retry are rescheduled with exponential backoff and jitter (or the server's
``Retry-After``); permanent ones are marked ``failed`` with the reason.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.orm import Session

from regwatch import clock
from regwatch.alerts.channels import DeliveryError, sender_for
from regwatch.alerts.render import AlertView, case_views
from regwatch.config.alerts import AlertSettings, Subscription, mask
from regwatch.storage.db import writer
from regwatch.storage.models import Article, Case, Delivery
from regwatch.storage.outbox import (
    CANCELLED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    case_matches,
    committed_case_watermark,
    digest_key,
    insert_deliveries,
)

logger = logging.getLogger(__name__)
#: How long a claim holds before another sender may take the delivery over.
LEASE = timedelta(minutes=5)
DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
DIGEST_TITLES = {"daily": "regwatch 每日执法案例摘要", "weekly": "regwatch 每周执法案例摘要"}


@dataclass
class SendReport:
    """What one pass over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    #: ``--dry-run``: one line per delivery that would be sent (secrets masked).
    planned: list[str] = field(default_factory=list)
    #: One line per delivery that did not go out (secrets masked).
    problems: list[str] = field(default_factory=list)
    _retried: set[str] = field(default_factory=set, repr=False)

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, {self.cancelled} cancelled"


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_gone(owner: str | None) -> bool:
    """Whether the process that claimed a delivery is known to be dead (same host only)."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: about base·2^(attempts-1), between half and all of it, at most ``cap``."""
    delay = min(cap, base * (2 ** max(0, attempts - 1)))
    return delay * random.uniform(0.5, 1.0)


class DeliveryOutbox:
    """Works the deliveries of the configured subscriptions (``send_due``) and queues digests."""

    def __init__(self, engine: Engine, alerts: AlertSettings):
        self.engine = engine
        self.alerts = alerts
        self.owner = _owner()
        self._secrets = alerts.secrets()

    def _mask(self, text: str) -> str:
        return mask(text, self._secrets)

    def _subscription(self, name: str) -> Subscription | None:
        return next((s for s in self.alerts.subscriptions if s.name == name), None)

    # -- claiming -----------------------------------------------------------------------------------
    def _due(self, s: Session, limit: int = 50) -> list[Delivery]:
        now = clock.now()
        return list(s.scalars(select(Delivery).where(
            Delivery.state.in_([PENDING, SENDING]), Delivery.channel.in_(list(self.alerts.channels) or [""]),
            or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now))
            .order_by(Delivery.id).limit(limit)))

    def _claim(self) -> int | None:
        """Claim the oldest due delivery (compare-and-set, safe with concurrent senders); its id."""
        with Session(writer(self.engine)) as s, s.begin():
            now = clock.now()
            for d in self._due(s):
                if d.state == SENDING and d.lease_until is not None and clock.as_utc(d.lease_until) > now \
                        and not _owner_gone(d.lease_owner):
                    continue
                same_owner = Delivery.lease_owner.is_(None) if d.lease_owner is None else Delivery.lease_owner == d.lease_owner
                claimed = s.execute(update(Delivery).where(Delivery.id == d.id, Delivery.state == d.state, same_owner)
                                    .values(state=SENDING, lease_owner=self.owner, lease_until=now + LEASE,
                                            attempts=Delivery.attempts + 1)
                                    .execution_options(synchronize_session=False)).rowcount
                if claimed == 1:
                    return d.id
        return None

    def _progress(self, delivery_id: int, parts_sent: int) -> None:
        with Session(writer(self.engine)) as s, s.begin():
            s.execute(update(Delivery).where(Delivery.id == delivery_id).values(parts_sent=parts_sent)
                      .execution_options(synchronize_session=False))

    def _finish(self, delivery_id: int, **values: object) -> None:
        with Session(writer(self.engine)) as s, s.begin():
            s.execute(update(Delivery).where(Delivery.id == delivery_id)
                      .values(lease_owner=None, lease_until=None, **values).execution_options(synchronize_session=False))

    # -- what a delivery says -----------------------------------------------------------------------
    def view_of(self, s: Session, d: Delivery) -> AlertView | None:
        """The message a delivery carries (None when there is nothing left to say)."""
        if d.through_case_id is not None:
            sub = self._subscription(d.subscription)
            if sub is None:
                return None
            rows = s.execute(select(Case, Article.title).join(Article, Case.article_id == Article.id)
                             .where(Case.id > (d.after_case_id or 0), Case.id <= d.through_case_id)).all()
            ids = [c.id for c, title in rows if case_matches(c, title, sub.filters)]
            mode = (d.digest_key or "").split("-", 1)[0]
            period = f"截至 {clock.to_local(d.covers_until):%Y-%m-%d %H:%M}" if d.covers_until else ""
            views = case_views(s, ids)
            return AlertView("digest", views, title=DIGEST_TITLES.get(mode, "regwatch 执法案例摘要"), period=period) if views else None
        if d.case_id is None:
            return None
        views = case_views(s, [d.case_id])
        return AlertView("case", views, title="regwatch 新执法案例") if views else None

    # -- the pass -------------------------------------------------------------------------------------
    def send_due(self, *, dry_run: bool = False) -> SendReport:
        """Send every due delivery once (retrying within the pass while the backoff has run out)."""
        report = SendReport()
        if dry_run:
            return self._plan(report)
        with httpx.Client(follow_redirects=False) as client:
            while (delivery_id := self._claim()) is not None:
                self._send_one(delivery_id, client, report)
        return report

    def _plan(self, report: SendReport) -> SendReport:
        with Session(self.engine) as s:
            for d in self._due(s, limit=10_000):
                view = self.view_of(s, d)
                channel = self.alerts.channels[d.channel]
                what = view.subject if view else "(nothing left to send: would be cancelled)"
                report.planned.append(self._mask(f"#{d.id} {d.idempotency_key} → {channel.describe()}: {what}"))
        return report

    def _send_one(self, delivery_id: int, client: httpx.Client, report: SendReport) -> None:
        with Session(self.engine) as s:
            d = s.get(Delivery, delivery_id)
            assert d is not None
            key, channel_name, attempts, parts_sent = d.idempotency_key, d.channel, d.attempts, d.parts_sent
            view = self.view_of(s, d)
        if view is None:
            self._finish(delivery_id, state=CANCELLED, last_error="nothing left to send: the case or subscription was removed")
            report.cancelled += 1
            return
        sender = sender_for(channel_name, self.alerts.channels[channel_name], client)
        sender.parts_done = parts_sent  # a split message resumes after the parts already delivered
        sender.on_part = lambda n: self._progress(delivery_id, n)
        try:
            sender.send(view, key)
        except DeliveryError as exc:
            reason = self._mask(exc.reason)
            retry = self.alerts.retry
            if exc.permanent or attempts >= retry.max_attempts:
                if key in report._retried:
                    report.retrying -= 1
                why = reason if exc.permanent else f"gave up after {attempts} attempts: {reason}"
                self._finish(delivery_id, state=FAILED, last_error=why)
                report.failed += 1
                report.problems.append(f"#{delivery_id} {key}: failed: {why}")
                logger.warning("delivery %s to %s failed: %s", key, channel_name, why)
                return
            delay = exc.retry_after if exc.retry_after is not None else backoff_seconds(attempts, retry.base_seconds, retry.max_seconds)
            self._finish(delivery_id, state=PENDING, last_error=reason,
                         next_attempt_at=clock.now() + timedelta(seconds=delay))
            if key not in report._retried:
                report.retrying += 1
                report._retried.add(key)
            report.problems.append(f"#{delivery_id} {key}: retry in {delay:.0f}s: {reason}")
            logger.info("delivery %s to %s: retry in %.1fs: %s", key, channel_name, delay, reason)
            return
        self._finish(delivery_id, state=SENT, sent_at=clock.now(), last_error="", next_attempt_at=None)
        report.sent += 1
        if key in report._retried:
            report.retrying -= 1

    # -- digests --------------------------------------------------------------------------------------
    def queue_digests(self, mode: str, *, only_if_due: bool = False) -> int:
        """Queue one digest per subscription in ``mode`` covering its matching cases since its watermark.

        The watermark is the highest case id the subscription's previous digest covered; a
        subscription's first digest covers the cases stored in the last period. With
        ``only_if_due``, a subscription whose last digest is younger than its period is skipped.
        """
        if mode not in DIGEST_PERIODS:
            raise ValueError(f"digest mode must be daily or weekly, not {mode!r}")
        period, queued = DIGEST_PERIODS[mode], 0
        for sub in self.alerts.subscriptions:
            if sub.mode != mode:
                continue
            with Session(writer(self.engine)) as s, s.begin():
                now = clock.now()
                last = s.execute(select(func.max(Delivery.through_case_id), func.max(Delivery.created_at))
                                 .where(Delivery.subscription == sub.name, Delivery.through_case_id.is_not(None))).one()
                if only_if_due and last[1] is not None and clock.as_utc(last[1]) > now - period:
                    continue
                after = last[0]
                if after is None:
                    after = s.scalar(select(func.max(Case.id)).where(Case.created_at < now - period)) or 0
                rows = s.execute(select(Case, Article.title).join(Article, Case.article_id == Article.id)
                                 .where(Case.id > after, Case.id <= committed_case_watermark(s)).order_by(Case.id)).all()
                if not any(case_matches(c, title, sub.filters) for c, title in rows):
                    continue
                through = rows[-1][0].id
                queued += insert_deliveries(s, [
                    {"idempotency_key": digest_key(sub.name, channel, through), "subscription": sub.name,
                     "channel": channel, "digest_key": f"{mode}-{through}", "after_case_id": after,
                     "through_case_id": through, "covers_until": now, "state": PENDING, "attempts": 0,
                     "last_error": ""} for channel in sub.channels])
        return queued
