"""Small helpers over event frames: windows, first occurrences, time buckets."""

from __future__ import annotations

from datetime import datetime

import pandas as pd


def in_window(
    frame: pd.DataFrame, column: str, lower: datetime | None, upper: datetime | None
) -> pd.DataFrame:
    """Rows whose `column` is in [lower, upper)."""
    mask = pd.Series(True, index=frame.index)
    if lower is not None:
        mask &= frame[column] >= pd.Timestamp(lower)
    if upper is not None:
        mask &= frame[column] < pd.Timestamp(upper)
    return frame[mask]


def first_per(frame: pd.DataFrame, key: str, at: str) -> pd.DataFrame:
    """One row per `key`: its earliest `at` (the row's other columns come with it)."""
    if frame.empty:
        return frame
    return frame.sort_values([at, key], kind="stable").drop_duplicates(key, keep="first")


def buckets(values: pd.Series, *, tz: str, frequency: str) -> pd.Series:
    """ISO labels of the local day ("2024-03-01") or month ("2024-03") of each instant."""
    local = pd.to_datetime(values, utc=True).dt.tz_convert(tz).dt.tz_localize(None)
    # numpy's day/month truncation formats ISO labels far faster than strftime per row.
    unit = "datetime64[M]" if frequency == "monthly" else "datetime64[D]"
    labels = local.to_numpy().astype(unit).astype(str)
    return pd.Series(labels, index=values.index)


def utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """`frame` with `columns` parsed as UTC timestamps (empty frames keep the dtype right)."""
    frame = frame.copy()
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
