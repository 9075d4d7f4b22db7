"""The delivery outbox: the ``Delivery`` rows a stored case owes, written in the transaction that stores it.

``ArticleStore.save_article`` notes the newest case id before it writes (``newest_case_id``) and,
before it commits, calls ``owe_deliveries`` with the ids of the article's cases: those above the
noted id are new, and each one a subscription in ``immediate`` mode wants becomes one pending
delivery per channel. A case merged into one already stored (another outlet reporting the same
case) owes nothing: one real-world case is one alert. The idempotency key names the subscription,
the channel and the case (or the digest's watermark), so writing a delivery twice is a no-op.

The sender (``regwatch.alerts``) works the outbox; filters are matched here, over stored fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from regwatch.config.alerts import Subscription, SubscriptionFilters
from regwatch.storage.models import Article, Case, Delivery

PENDING, SENDING, SENT, FAILED, CANCELLED = "pending", "sending", "sent", "failed", "cancelled"


def case_key(subscription: str, channel: str, case_id: int) -> str:
    """The idempotency key of one case's alert on one channel."""
    return f"{subscription}/{channel}/case-{case_id}"


def digest_key(subscription: str, channel: str, through_case_id: int) -> str:
    """The idempotency key of a digest on one channel, named by its watermark."""
    return f"{subscription}/{channel}/digest-{through_case_id}"


def committed_case_watermark(session: Session) -> int:
    """The highest case id below which every case is committed, read in ``session``'s transaction.

    Ids, not clocks: a case stamped before a digest's cut-off can commit after it. On PostgreSQL
    the reading transaction waits for open writers of ``cases`` (SHARE lock), so no lower id can
    commit later; SQLite has one writer at a time, so its committed ids never have such gaps.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE cases IN SHARE MODE"))
    return session.scalar(select(func.max(Case.id))) or 0


def newest_case_id(session: Session) -> int:
    """The highest case id stored (0 for none): cases written after this call have higher ids."""
    return session.scalar(select(func.max(Case.id))) or 0


def case_matches(case: Case, title: str, filters: SubscriptionFilters) -> bool:
    """Whether a stored case passes every filter that is set."""
    if filters.industry and case.industry not in filters.industry:
        return False
    if filters.province and case.province not in filters.province:
        return False
    if filters.authority and case.authority not in filters.authority:
        return False
    if filters.statutes:
        stored = list(case.statutes or [])
        if not any(s == want or (":" not in want and s.split(":", 1)[0] == want)
                   for want in filters.statutes for s in stored):
            return False
    if filters.min_fine_yuan is not None:
        fines = [case.fine_org_yuan or 0] + [int(v) for v in case.fine_person_yuan or [] if isinstance(v, (int, float))]
        if max(fines) < filters.min_fine_yuan:
            return False
    if filters.keywords:
        haystack = " ".join([title, case.summary or "", *map(str, case.keywords or [])])
        if not any(k in haystack for k in filters.keywords):
            return False
    return True


def insert_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert delivery rows, skipping any whose idempotency key is already stored; how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(Delivery).on_conflict_do_nothing(index_elements=["idempotency_key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(Delivery).on_conflict_do_nothing(index_elements=["idempotency_key"])
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        keys = set(session.scalars(select(Delivery.idempotency_key).where(
            Delivery.idempotency_key.in_([r["idempotency_key"] for r in rows]))))
        rows = [r for r in rows if r["idempotency_key"] not in keys]
        stmt = insert(Delivery)
    inserted = 0
    for row in rows:  # RETURNING yields nothing for a skipped row (rowcount is not reliable here)
        inserted += len(session.execute(stmt.values(**row).returning(Delivery.id)).all())
    return inserted


def owe_deliveries(session: Session, subscriptions: Iterable[Subscription], case_ids: Iterable[int],
                   after: int) -> int:
    """Write the pending deliveries the new cases (ids above ``after``) owe; how many were written."""
    immediate = [sub for sub in subscriptions if sub.mode == "immediate"]
    new_ids = sorted({i for i in case_ids if i > after})
    if not immediate or not new_ids:
        return 0
    rows = session.execute(select(Case, Article.title).join(Article, Case.article_id == Article.id)
                           .where(Case.id.in_(new_ids)).order_by(Case.id)).all()
    owed = [{"idempotency_key": case_key(sub.name, channel, case.id), "subscription": sub.name,
             "channel": channel, "case_id": case.id, "state": PENDING, "attempts": 0, "last_error": ""}
            for case, title in rows for sub in immediate if case_matches(case, title, sub.filters)
            for channel in sub.channels]
    return insert_deliveries(session, owed)
