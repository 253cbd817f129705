"""DataFrames as compact bytes: one zlib-compressed buffer per column, a small JSON header.

Stored credits and attribution inputs are read whole by every report of a data version, so
they are kept as columnar blobs (no row per credit): writing 1M credits is one INSERT and
reading them back is one row and a few `numpy.frombuffer` calls. Supported columns: integers
(stored in the narrowest integer type that holds them, read back as int64), floats, booleans,
UTC timestamps (as int64 nanoseconds) and text (stored as a category: codes plus the distinct
labels). Nothing is pickled.
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
        values = column.to_numpy(np.int64)
        dtype = _narrowest(values)
        return {"name": name, "kind": "int", "dtype": dtype.str}, values.astype(dtype)
    if pd.api.types.is_float_dtype(column):
        return {"name": name, "kind": "float", "dtype": "<f8"}, column.to_numpy(np.float64)
    # Only str values: factorised as they are (converting 1M of them to "string" costs more).
    only_text = pd.api.types.infer_dtype(column, skipna=False) == "string"
    text = column if only_text else column.astype("string").fillna("")
    codes, labels = pd.factorize(text, sort=True)
    dtype = _narrowest(np.array([-1, len(labels)]))
    spec = {"name": name, "kind": "text", "dtype": dtype.str, "labels": [str(x) for x in labels]}
    return spec, codes.astype(dtype)


def _narrowest(values: np.ndarray) -> np.dtype[Any]:
    """The smallest little-endian signed integer type holding `values` (fewer bytes to
    compress and store: ids and codes are mostly small)."""
    low, high = (int(values.min()), int(values.max())) if len(values) else (0, 0)
    for dtype in (np.dtype("<i1"), np.dtype("<i2"), np.dtype("<i4")):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return dtype
    return np.dtype("<i8")


def _decode(spec: dict[str, Any], values: np.ndarray) -> Any:
    kind = spec["kind"]
    if kind == "time":
        return pd.to_datetime(values.astype(np.int64), utc=True)
    if kind == "bool":
        return values.astype(bool)
    if kind == "text":
        labels = np.array([*spec["labels"], ""], dtype=object)
        return labels[values]
    if kind == "int":
        return values.astype(np.int64)
    return values.copy()
