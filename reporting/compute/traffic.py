"""Traffic (SPEC §4.6): sessions on URLs carrying the campaign's utm_campaign, by source.

* ``sessions``: ``source, detail_1, detail_2, views, new_visitor_sessions`` — sessions (or
  rollup rows of several: page views and new-visitor sessions summed) landing on such URLs;
* ``contacts``: ``source, detail_1, detail_2, contacts`` — how many contacts whose first touch
  was the campaign have that original source (one row per contact also works: contacts=1).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# The source whose rows can be opened, and the detail columns of its drill-down.
DRILLS: dict[str, tuple[str, ...]] = {
    "paid_search": ("detail_1",),
    "organic_social": ("detail_1",),
    "other_campaigns": ("detail_1", "detail_2"),
}


def _rows(sessions: pd.DataFrame, contacts: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    empty = pd.Series(dtype=int)
    views = sessions.groupby(keys)["views"].sum() if not sessions.empty else empty
    new = sessions.groupby(keys)["new_visitor_sessions"].sum() if not sessions.empty else empty
    people = contacts.groupby(keys)["contacts"].sum() if not contacts.empty else empty
    index = sorted(set(views.index) | set(people.index), key=str)
    rows: list[dict[str, Any]] = []
    for key in index:
        parts = key if isinstance(key, tuple) else (key,)
        rows.append(
            {
                "key": [str(p) for p in parts],
                "views": int(views.get(key, 0)),
                "new_visitor_sessions": int(new.get(key, 0)),
                "contacts": int(people.get(key, 0)),
            }
        )
    rows.sort(key=lambda r: (-r["views"], -r["contacts"], r["key"]))
    return rows


def traffic(sessions: pd.DataFrame, contacts: pd.DataFrame) -> dict[str, Any]:
    """Rows by source, totals, and each drillable source's rows by its details."""
    by_source = _rows(sessions, contacts, ["source"])
    drills = {}
    for source, columns in DRILLS.items():
        subset = sessions[sessions["source"] == source] if not sessions.empty else sessions
        people = contacts[contacts["source"] == source] if not contacts.empty else contacts
        if not subset.empty or not people.empty:
            drills[source] = _rows(subset, people, list(columns))
    totals = {
        metric: sum(row[metric] for row in by_source)
        for metric in ("views", "new_visitor_sessions", "contacts")
    }
    return {"rows": by_source, "totals": totals, "drills": drills}
