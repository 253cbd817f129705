"""The edges of the engine: pandas columns in, numpy arrays out, and back to a credits frame.

Everything inside the engine works on plain numpy arrays; pandas is only touched here (and for
label handling in the channel helpers) so the hot paths stay vectorised and predictable.
Timestamps become int64 nanoseconds since the epoch in UTC whatever their resolution or
timezone; a naive timestamp is read as UTC. NaT becomes ``NAT`` (the smallest int64), which
compares before every real time, so "at or before NaT" never holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

NS_PER_DAY = 86_400 * 10**9
NAT = np.iinfo(np.int64).min
UNATTRIBUTED_TOUCH_ID = -1
CREDIT_COLUMNS = ("conversion_id", "touch_id", "credit")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], frame_name: str) -> None:
    """Raise ValueError naming the first missing column."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{frame_name} is missing column(s): {', '.join(missing)}")


def int_column(frame: pd.DataFrame, column: str, frame_name: str) -> IntArray:
    """The column as int64 (a view when it already is int64: callers must not write to it)."""
    require_columns(frame, [column], frame_name)
    try:
        values = frame[column].to_numpy(dtype=np.int64, copy=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{frame_name}.{column} must hold integers without gaps: {exc}") from exc
    # Contiguous so compiled kernels see one array layout (a no-op for a plain column).
    return np.ascontiguousarray(values, dtype=np.int64)


def ns_column(frame: pd.DataFrame, column: str, frame_name: str) -> IntArray:
    """The column as int64 UTC nanoseconds, NaT as ``NAT``."""
    require_columns(frame, [column], frame_name)
    try:
        return to_ns(frame[column])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{frame_name}.{column} must hold timestamps: {exc}") from exc


def to_ns(values: pd.Series) -> IntArray:
    """Any datetime-like series (ns/us/ms/s, tz-aware or naive, objects, strings) as int64 ns."""
    array = values.array
    if not isinstance(array, pd.arrays.DatetimeArray):
        # Objects, strings, Arrow timestamps: let pandas parse, all in UTC.
        converted = pd.to_datetime(values, utc=True)
        array = converted.array
        if not isinstance(array, pd.arrays.DatetimeArray):
            array = converted.astype("datetime64[ns, UTC]").array
    if array.unit != "ns":
        # as_unit raises OutOfBoundsDatetime (a ValueError) instead of silently overflowing.
        array = array.as_unit("ns")
    # asi8: the int64 view of the UTC instants (public pandas API, missing from the stubs).
    return np.ascontiguousarray(array.asi8, dtype=np.int64)  # type: ignore[attr-defined]


def days_to_ns(days: float) -> int:
    """A duration in days as whole nanoseconds."""
    return round(days * NS_PER_DAY)


def credits_frame(conversion_id: IntArray, touch_id: IntArray, credit: FloatArray) -> pd.DataFrame:
    """Wrap freshly computed arrays without copying (the caller hands over ownership)."""
    return pd.DataFrame(
        {"conversion_id": conversion_id, "touch_id": touch_id, "credit": credit},
        copy=False,
    )
