"""Date-range presets of the Performance tab, resolved against "today" in the workspace zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

PRESETS: tuple[str, ...] = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_quarter",
    "last_quarter",
    "this_year",
    "last_year",
    "last_7_days",
    "last_30_days",
    "last_90_days",
    "last_365_days",
    "all",
    "custom",
)


@dataclass(frozen=True)
class Period:
    """Inclusive local dates; None on a side means unbounded ("all data")."""

    start: date | None
    end: date | None

    def bounds(self, tz: tzinfo) -> tuple[datetime | None, datetime | None]:
        """[lower, upper) instants of the period's local days in `tz`."""
        lower = datetime.combine(self.start, time.min, tzinfo=tz) if self.start else None
        upper = (
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz)
            if self.end
            else None
        )
        return lower, upper


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_before(day: date) -> date:
    """The first day of the month before `day`'s month."""
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def resolve_preset(preset: str, *, today: date) -> Period:
    """The dates `preset` covers on `today` (weeks start on Monday)."""
    if preset in ("all", "custom"):
        return Period(None, None)
    if preset == "today":
        return Period(today, today)
    if preset == "yesterday":
        return Period(today - timedelta(days=1), today - timedelta(days=1))
    if preset.startswith("last_") and preset.endswith("_days"):
        days = int(preset.removeprefix("last_").removesuffix("_days"))
        return Period(today - timedelta(days=days - 1), today)
    week = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = _quarter_start(today)
    spans = {
        "this_week": (week, week + timedelta(days=6)),
        "last_week": (week - timedelta(days=7), week - timedelta(days=1)),
        "this_month": (month, _next_start(month, 1) - timedelta(days=1)),
        "last_month": (_month_before(month), month - timedelta(days=1)),
        "this_quarter": (quarter, _next_start(quarter, 3) - timedelta(days=1)),
        "last_quarter": (_quarter_start(quarter - timedelta(days=1)), quarter - timedelta(days=1)),
        "this_year": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "last_year": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    if preset not in spans:
        raise ValueError(f"unknown date range preset {preset!r}")
    return Period(*spans[preset])


def _next_start(first: date, months: int) -> date:
    index = first.month - 1 + months
    return date(first.year + index // 12, index % 12 + 1, 1)
