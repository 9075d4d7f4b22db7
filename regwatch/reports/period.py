"""Report periods in Beijing time: an ISO week (``2024-W23``) or a date range, as a UTC [since, until)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from regwatch import clock

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """Local days ``first`` … ``last`` (inclusive); ``since``/``until`` are the UTC bounds."""

    first: date
    last: date
    label: str

    @property
    def since(self) -> datetime:
        return clock.local_midnight(self.first)

    @property
    def until(self) -> datetime:
        return clock.local_midnight(self.last + timedelta(days=1))


def parse_week(text: str) -> Period:
    """``2024-W23`` → Monday … Sunday of that ISO week."""
    m = _WEEK.match(text.strip())
    if not m:
        raise ValueError(f"--week {text!r}: expected an ISO week like 2024-W23")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"--week {text!r}: {year} has no ISO week {week}") from None
    return Period(monday, monday + timedelta(days=6), f"{year}-W{week:02d}")


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{option} {text!r}: expected a date like 2024-06-03") from None


def parse_period(week: str | None, first: str | None, last: str | None, *, today: date | None = None) -> Period:
    """The period the options name; neither → the last complete ISO week (Beijing time)."""
    if week and (first or last):
        raise ValueError("give --week or --from/--to, not both")
    if week:
        return parse_week(week)
    if first or last:
        if not (first and last):
            raise ValueError("--from and --to go together")
        a, b = _day("--from", first), _day("--to", last)
        if a > b:
            raise ValueError(f"--from {a} is after --to {b}")
        return Period(a, b, f"{a}_{b}")
    today = today or clock.local_today()
    monday = today - timedelta(days=today.weekday() + 7)
    iso = monday.isocalendar()
    return Period(monday, monday + timedelta(days=6), f"{iso.year}-W{iso.week:02d}")
