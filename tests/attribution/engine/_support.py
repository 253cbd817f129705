"""Small builders for the engine tests: days as numbers, frames as the engine expects them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

BASE = pd.Timestamp("2024-03-01", tz="UTC")
Touch = tuple[int, int, float] | tuple[int, int, float, str]


def day(offset: float | None) -> Any:
    """``BASE`` plus ``offset`` days (None is NaT)."""
    return pd.NaT if offset is None else BASE + pd.Timedelta(days=offset)


def touches_frame(touches: Iterable[Touch]) -> pd.DataFrame:
    """Rows of (conversion_id, touch_id, day[, channel])."""
    rows = list(touches)
    frame = pd.DataFrame(
        {
            "conversion_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "touch_id": pd.Series([r[1] for r in rows], dtype="int64"),
            "at": pd.Series([day(r[2]) for r in rows], dtype="datetime64[ns, UTC]"),
        }
    )
    if rows and len(rows[0]) == 4:
        frame["channel"] = [r[3] for r in rows]  # type: ignore[misc]
    return frame


def conversions_frame(conversions: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    """Rows of (conversion_id, lead day, deal day, closed day[, value]); None is NaT."""
    rows = list(conversions)
    return pd.DataFrame(
        {
            "conversion_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "lead_created_at": pd.Series([day(r[1]) for r in rows], dtype="datetime64[ns, UTC]"),
            "deal_created_at": pd.Series([day(r[2]) for r in rows], dtype="datetime64[ns, UTC]"),
            "closed_at": pd.Series([day(r[3]) for r in rows], dtype="datetime64[ns, UTC]"),
            "value": pd.Series([r[4] if len(r) > 4 else 1.0 for r in rows], dtype="float64"),
        }
    )


def credit_map(credits: pd.DataFrame, conversion_id: int | None = None) -> dict[int, float]:
    """touch_id -> credit (of one conversion when given)."""
    if conversion_id is not None:
        credits = credits[credits["conversion_id"] == conversion_id]
    return dict(zip(credits["touch_id"].tolist(), credits["credit"].tolist(), strict=True))


def canonical(credits: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by (conversion_id, touch_id) with a fresh index, for order-free comparison."""
    return credits.sort_values(["conversion_id", "touch_id"]).reset_index(drop=True)


def channel_totals(credits: pd.DataFrame, touches: pd.DataFrame) -> pd.Series:
    """Credit summed per channel (unattributed rows dropped)."""
    merged = credits.merge(touches, on=["conversion_id", "touch_id"], how="inner")
    return merged.groupby("channel")["credit"].sum().sort_index()


def path_strings(touches: pd.DataFrame, separator: str = " > ") -> pd.Series:
    """conversion_id -> channels of its touches ordered by (at, touch_id)."""
    ordered = touches.sort_values(["conversion_id", "at", "touch_id"])
    return ordered.groupby("conversion_id")["channel"].agg(separator.join)


def assert_credits(actual: dict[int, float], expected: dict[int, float] | Sequence[float]) -> None:
    """Same touches, credits equal to 1e-12."""
    if not isinstance(expected, dict):
        expected = {i + 1: value for i, value in enumerate(expected)}
    assert sorted(actual) == sorted(expected), (actual, expected)
    for touch, value in expected.items():
        assert np.isclose(actual[touch], value, rtol=0, atol=1e-12), (touch, actual, expected)
