"""Asset reports (SPEC §4.5): per asset type, type-specific metrics, all of each asset's data in
the period regardless of when it joined the campaign.

* ``counts``: ``asset_id, type, n`` — interactions per asset and interaction type;
* ``reach``: ``asset_id, sessions, contacts`` — distinct sessions and contacts per asset;
* ``ads``: ``asset_id, impressions, clicks, spend`` — network metrics of linked ad campaigns;
* ``visits``: ``asset_id, visits, contacts`` — tracking URL visits (sessions on the built URL);
* ``submissions``: ``asset_id, submissions`` — form submissions in sessions that viewed a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .revenue import money

PAGE = ("views", "sessions", "contacts", "submissions")
COLUMNS: dict[str, tuple[str, ...]] = {
    "blog_post": PAGE,
    "website_page": PAGE,
    "landing_page": PAGE,
    "marketing_email": (
        "sent",
        "delivered",
        "opens",
        "clicks",
        "open_rate",
        "click_rate",
    ),
    "form": ("views", "submissions", "submission_rate", "contacts"),
    "cta": ("views", "clicks", "ctr"),
    "social_post": ("clicks", "interactions"),
    "ad_campaign": ("impressions", "clicks", "spend", "contacts"),
    "paid_search": ("impressions", "clicks", "spend", "contacts"),
    "tracking_url": ("visits", "contacts"),
}
DEFAULT_COLUMNS = ("interactions", "contacts")
TYPE_COUNTS = {
    "views": ("page_view", "cta_view", "form_view"),
    "submissions": ("form_submission",),
    "sent": ("email_sent",),
    "delivered": ("email_delivered",),
    "opens": ("email_open",),
    "clicks": ("email_click", "cta_click", "social_click", "ad_click"),
}


def _rate(part: int, whole: int) -> str | None:
    return None if not whole else f"{100 * part / whole:.1f}"


def asset_metrics(
    columns: tuple[str, ...], typed: Mapping[str, int], extra: Mapping[str, Any]
) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: sum(typed.get(t, 0) for t in TYPE_COUNTS[name]) for name in TYPE_COUNTS
    }
    values["interactions"] = sum(typed.values())
    values.update(extra)
    values["open_rate"] = _rate(values["opens"], values["delivered"])
    values["click_rate"] = _rate(values["clicks"], values["delivered"])
    values["ctr"] = _rate(values["clicks"], values["views"])
    values["submission_rate"] = _rate(values["submissions"], values["views"])
    if "spend" in values:
        values["spend"] = money(values["spend"])
    return {name: values.get(name, 0) for name in columns}


def asset_reports(
    assets: list[dict[str, Any]],
    counts: pd.DataFrame,
    reach: pd.DataFrame,
    ads: pd.DataFrame,
    visits: pd.DataFrame,
    submissions: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Sections (one per type present, in the given asset order) with a row per asset."""
    typed: dict[int, dict[str, int]] = {}
    for asset_id, type_, n in counts[["asset_id", "type", "n"]].itertuples(index=False):
        typed.setdefault(int(asset_id), {})[str(type_)] = int(n)
    extra: dict[int, dict[str, Any]] = {}
    for frame, names in (
        (reach, ("sessions", "contacts")),
        (ads, ("impressions", "clicks", "spend")),
        (visits, ("visits", "contacts")),
        (submissions if submissions is not None else pd.DataFrame(), ("submissions",)),
    ):
        if frame.empty:
            continue
        for record in frame.to_dict("records"):
            bucket = extra.setdefault(int(record["asset_id"]), {})
            for name in names:
                value = record[name]
                bucket[name] = float(value) if name == "spend" else int(value)
    sections: dict[str, dict[str, Any]] = {}
    for asset in assets:
        columns = COLUMNS.get(asset["type"], DEFAULT_COLUMNS)
        section = sections.setdefault(
            asset["type"], {"type": asset["type"], "columns": list(columns), "rows": []}
        )
        metrics = asset_metrics(columns, typed.get(asset["id"], {}), extra.get(asset["id"], {}))
        section["rows"].append({"asset": asset["id"], "name": asset["name"], "metrics": metrics})
    return list(sections.values())


def daily_by_type(events: pd.DataFrame, *, tz: str) -> list[dict[str, Any]]:
    """``at, type`` events → one point per local day: {bucket, total, by_type}."""
    if events.empty:
        return []
    local = pd.to_datetime(events["at"], utc=True).dt.tz_convert(tz).dt.strftime("%Y-%m-%d")
    counts = events.assign(bucket=local).groupby(["bucket", "type"]).size().reset_index(name="n")
    points: dict[str, dict[str, Any]] = {}
    for bucket, type_, n in counts.itertuples(index=False):
        point = points.setdefault(str(bucket), {"bucket": str(bucket), "total": 0, "by_type": {}})
        point["total"] += int(n)
        point["by_type"][str(type_)] = int(n)
    return [points[key] for key in sorted(points)]
