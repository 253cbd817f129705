"""Overview and Contacts & sessions (SPEC §4.1, §4.4).

Inputs are event frames already limited to the campaign (the association-timestamp rule is
applied upstream: an interaction counts for the campaign that held its asset when it happened):

* ``sessions``: ``session_id, at, source`` — sessions to the campaign's website assets, ``at``
  the first campaign page view of the session;
* ``new_contacts``: ``contact_id, at, source`` — contacts the campaign created (first or last
  touch, chosen upstream), ``at`` their create date;
* ``influences``: ``contact_id, at, source`` — every influencing event, all time (a contact
  counts in the period where it was first influenced: net-new semantics).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from .frames import buckets, first_per, in_window

METRICS: tuple[str, ...] = ("sessions", "new_contacts", "influenced_contacts")


@dataclass(frozen=True)
class CampaignEvents:
    sessions: pd.DataFrame
    new_contacts: pd.DataFrame
    influences: pd.DataFrame


@dataclass
class Counted:
    """A metric's value and the ids behind it (for the drill-down list)."""

    value: int
    ids: list[int] = field(default_factory=list)


def _windowed(
    events: CampaignEvents, lower: datetime | None, upper: datetime | None
) -> dict[str, tuple[pd.DataFrame, str]]:
    first_influence = first_per(events.influences, "contact_id", "at")
    return {
        "sessions": (in_window(events.sessions, "at", lower, upper), "session_id"),
        "new_contacts": (in_window(events.new_contacts, "at", lower, upper), "contact_id"),
        "influenced_contacts": (in_window(first_influence, "at", lower, upper), "contact_id"),
    }


def overview(
    events: CampaignEvents, *, lower: datetime | None, upper: datetime | None
) -> dict[str, Counted]:
    """Sessions, new contacts and influenced contacts in [lower, upper)."""
    result: dict[str, Counted] = {}
    for metric, (frame, key) in _windowed(events, lower, upper).items():
        ids = sorted(int(i) for i in frame[key].unique())
        result[metric] = Counted(value=len(ids), ids=ids)
    return result


def series(
    events: CampaignEvents,
    *,
    lower: datetime | None,
    upper: datetime | None,
    tz: str,
    frequency: str,
) -> list[dict[str, Any]]:
    """One point per local day/month with events: each metric's total and by-source counts."""
    points: dict[str, dict[str, Any]] = {}
    for metric, (frame, key) in _windowed(events, lower, upper).items():
        if frame.empty:
            continue
        frame = frame.drop_duplicates(key)
        frame = frame.assign(
            bucket=buckets(frame["at"], tz=tz, frequency=frequency),
            source=frame["source"].fillna(""),
        )
        counts = frame.groupby(["bucket", "source"]).size().reset_index(name="n")
        for bucket, source, count in counts.itertuples(index=False):
            point = points.setdefault(
                str(bucket), {"bucket": str(bucket), **dict.fromkeys(METRICS, 0), "by_source": {}}
            )
            point[metric] += int(count)
            point["by_source"].setdefault(metric, {})[str(source or "unknown")] = int(count)
    return [points[key] for key in sorted(points)]
