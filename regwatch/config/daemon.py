"""Daemon settings (the ``daemon:`` section) and the schedule forms a source may use.

A source's ``schedule`` is either a 5-field cron expression (``0 */6 * * *``, in the daemon's
time zone) or an interval: a whole number and a unit, ``10s``, ``30m``, ``2h``, ``1d``.
Bottom layer: imports nothing of the project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: ``interval`` (a timedelta) or ``cron`` (the crontab text), never both."""

    interval: timedelta | None = None
    cron: str | None = None


def parse_schedule(text: str) -> Schedule:
    """``30m`` / ``10s`` / ``2h`` / ``1d`` → an interval; anything else must be a 5-field cron expression.

    Raises ValueError with a readable reason.
    """
    m = _INTERVAL.match(text)
    if m:
        seconds = int(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        if seconds <= 0:
            raise ValueError(f"interval {text!r} must be longer than zero")
        return Schedule(interval=timedelta(seconds=seconds))
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text)
    except ValueError as exc:
        raise ValueError(f"neither an interval like 30m / 10s / 2h nor a 5-field cron expression: {exc}") from None
    return Schedule(cron=text)


def parse_clock_time(text: str) -> tuple[int, int]:
    """``08:30`` → (8, 30)."""
    m = _CLOCK_TIME.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a time of day HH:MM (00:00–23:59)")
    return int(m.group(1)), int(m.group(2))


class DaemonSettings(BaseModel):
    """How ``regwatch daemon`` schedules its jobs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str = "Asia/Shanghai"
    daily_at: str = "08:30"
    weekly_on: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_at: str = "08:30"
    outbox_every: str = "1m"
    jitter_seconds: int = Field(60, ge=0)
    misfire_grace_seconds: int = Field(3600, ge=1)
    max_parallel_crawls: int = Field(2, ge=1, le=16)
    crawl_timeout_seconds: int = Field(3600, ge=10)
    stop_timeout_seconds: int = Field(120, ge=0)
    heartbeat_seconds: int = Field(15, ge=1)

    @field_validator("daily_at", "weekly_at")
    @classmethod
    def _clock_time(cls, v: str) -> str:
        parse_clock_time(v)
        return v

    @field_validator("outbox_every")
    @classmethod
    def _interval(cls, v: str) -> str:
        if parse_schedule(v).interval is None:
            raise ValueError(f"{v!r} is not an interval like 30s / 1m / 5m")
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (an IANA name such as Asia/Shanghai)") from None
        return v

    @property
    def stale_after(self) -> timedelta:
        """A daemon lock whose heartbeat is older than this is abandoned (its holder died)."""
        return timedelta(seconds=max(4 * self.heartbeat_seconds, 30))
