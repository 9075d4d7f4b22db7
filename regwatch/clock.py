"""The one clock: everything that compares with "now" asks here, and tests and the demo pin it.

Stored values are UTC; people read local time, Asia/Shanghai unless the ``timezone`` setting
says otherwise. A date without a time means that day in the local zone.

Pinning: ``pin(instant)`` (or ``REGWATCH_NOW=2026-11-27T12:00:00+08:00`` in the environment)
starts the clock at ``instant``; it keeps ticking from there, so order and durations stay real.
This module imports nothing of the project (bottom layer).
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
#: China has kept UTC+8 without daylight saving since 1991; the fixed offset needs no tz database.
BEIJING = timezone(timedelta(hours=8), "CST")
ENV_NOW = "REGWATCH_NOW"

_pinned_at: datetime | None = None
_pinned_mono = 0.0
_local: tzinfo = BEIJING


def now() -> datetime:
    """The current instant, timezone-aware UTC (pinned if a pin is set)."""
    if _pinned_at is None and os.environ.get(ENV_NOW):
        pin(parse_instant(os.environ[ENV_NOW]))
    if _pinned_at is not None:
        return _pinned_at + timedelta(seconds=time.monotonic() - _pinned_mono)
    return datetime.now(UTC)


def pin(instant: datetime | None) -> None:
    """Start the clock at ``instant`` (aware, or naive UTC); ``None`` returns to the real time."""
    global _pinned_at, _pinned_mono
    _pinned_at = None if instant is None else as_utc(instant)
    _pinned_mono = time.monotonic()


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant (``2026-11-20T02:30:00Z``, ``…+08:00``; a bare date is local midnight)."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None and len(text.strip()) <= 10:
        return local_midnight(value.date())
    return as_utc(value)


def set_local_zone(name: str) -> None:
    """The zone times are shown in (``timezone`` setting); raises ValueError for an unknown name."""
    global _local
    if name in ("Asia/Shanghai", "Asia/Chongqing", "PRC", "Asia/Beijing"):
        _local = BEIJING
        return
    try:
        _local = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_zone() -> tzinfo:
    return _local


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken as UTC (how SQLite hands stored values back)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    """The instant in the local zone (naive values are UTC)."""
    return as_utc(value).astimezone(_local)


def local_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` starts in the local zone."""
    return datetime(day.year, day.month, day.day, tzinfo=_local).astimezone(UTC)


def local_today() -> date:
    return to_local(now()).date()


def zone_label() -> str:
    """A short name for the local zone, to say which zone a time is in."""
    return "北京时间" if _local is BEIJING else str(_local)
