"""DataFrames as compact bytes: one zlib-compressed buffer per column, a small JSON header.

Stored credits and attribution inputs are read whole by every report of a data version, so
they are kept as columnar blobs (no row per credit): writing 1M credits is one INSERT and
reading them back is one row and a few `numpy.frombuffer` calls. Supported columns: integers,
floats, booleans, UTC timestamps (as int64 nanoseconds) and text (stored as a category: codes
plus the distinct labels). Nothing is pickled.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import numpy as np
import pandas as pd

_MAGIC = b"TPF1"
_LEVEL = 1  # fast: these blobs are rewritten every data version


def pack_frame(frame: pd.DataFrame) -> bytes:
    """The frame as bytes (see the module docstring for the column kinds)."""
    header: list[dict[str, Any]] = []
    buffers: list[bytes] = []
    for name in frame.columns:
        spec, array = _encode(str(name), frame[name])
        data = zlib.compress(np.ascontiguousarray(array).tobytes(), _LEVEL)
        header.append({**spec, "bytes": len(data)})
        buffers.append(data)
    meta = json.dumps({"rows": len(frame), "columns": header}).encode()
    return b"".join([_MAGIC, struct.pack("<I", len(meta)), meta, *buffers])


def unpack_frame(blob: bytes | memoryview) -> pd.DataFrame:
    """The frame `pack_frame` stored."""
    raw = bytes(blob)
    if raw[:4] != _MAGIC:
        raise ValueError("not a packed frame")
    (size,) = struct.unpack("<I", raw[4:8])
    meta = json.loads(raw[8 : 8 + size])
    offset = 8 + size
    columns: dict[str, Any] = {}
    for spec in meta["columns"]:
        data = zlib.decompress(raw[offset : offset + spec["bytes"]])
        offset += spec["bytes"]
        columns[spec["name"]] = _decode(spec, np.frombuffer(data, dtype=spec["dtype"]))
    return pd.DataFrame(columns, index=pd.RangeIndex(meta["rows"]))


def _encode(name: str, column: pd.Series) -> tuple[dict[str, Any], np.ndarray]:
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(column):
        stamps = pd.to_datetime(column, utc=True).dt.as_unit("ns")
        values = stamps.array.asi8  # type: ignore[attr-defined]  # NaT is int64 min
        return {"name": name, "kind": "time", "dtype": "<i8"}, values
    if pd.api.types.is_bool_dtype(column):
        return {"name": name, "kind": "bool", "dtype": "|u1"}, column.to_numpy(np.uint8)
    if pd.api.types.is_integer_dtype(column) and not column.hasnans:
        return {"name": name, "kind": "int", "dtype": "<i8"}, column.to_numpy(np.int64)
    if pd.api.types.is_float_dtype(column):
        return {"name": name, "kind": "float", "dtype": "<f8"}, column.to_numpy(np.float64)
    codes, labels = pd.factorize(column.astype("string").fillna(""), sort=True)
    spec = {"name": name, "kind": "text", "dtype": "<i4", "labels": [str(x) for x in labels]}
    return spec, codes.astype(np.int32)


def _decode(spec: dict[str, Any], values: np.ndarray) -> Any:
    kind = spec["kind"]
    if kind == "time":
        return pd.to_datetime(values.astype(np.int64), utc=True)
    if kind == "bool":
        return values.astype(bool)
    if kind == "text":
        labels = np.array([*spec["labels"], ""], dtype=object)
        return labels[values]
    return values.copy()
