"""Compiled segment loops (numba), for the passes numpy can only do with several temporaries.

Each kernel walks the journeys once, reading the sorted touch arrays in place and writing into
preallocated outputs: no intermediate per-touch arrays, no page faults on fresh temporaries.
Numba is imported and the kernels compiled on first use (``cache=True`` keeps the machine code
in ``__pycache__`` for the next process), so importing the engine stays cheap.

A journey is a window ``[starts[j], starts[j] + lengths[j])`` of the per-touch arrays; windows
never overlap and are in increasing order, but there may be gaps between them (touches that are
not eligible).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def _jit(function: F) -> F:
    """Compile ``function`` with numba the first time it is called."""
    compiled: Callable[..., Any] | None = None

    @wraps(function)
    def call(*args: Any) -> Any:
        nonlocal compiled
        if compiled is None:
            import numba

            compiled = numba.njit(cache=True, nogil=True)(function)
        return compiled(*args)

    return call  # type: ignore[return-value]


SORTED, UNSORTED, HAS_NAT = 0, 1, 2
_NAT = np.iinfo(np.int64).min


@_jit
def sorted_runs(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> tuple[int, np.ndarray]:
    """Check rows are in (first, second, third) order with no NaT in ``second``; find the runs.

    Returns ``SORTED`` and the start of every run of equal ``first``, or ``UNSORTED`` /
    ``HAS_NAT`` (and no runs). One pass checks and counts, a second one records the runs.
    """
    n = len(first)
    none = np.empty(0, dtype=np.int64)
    count = 1 if n else 0
    for i in range(n):
        if second[i] == _NAT:
            return HAS_NAT, none
        if i == 0:
            continue
        if first[i] != first[i - 1]:
            if first[i] < first[i - 1]:
                return UNSORTED, none
            count += 1
        elif second[i] != second[i - 1]:
            if second[i] < second[i - 1]:
                return UNSORTED, none
        elif third[i] < third[i - 1]:
            return UNSORTED, none
    starts = np.empty(count, dtype=np.int64)
    if n:
        starts[0] = 0
        k = 1
        for i in range(1, n):
            if first[i] != first[i - 1]:
                starts[k] = i
                k += 1
    return SORTED, starts


@_jit
def eligible_windows(
    at: np.ndarray,
    conversion_id: np.ndarray,
    seg_starts: np.ndarray,
    seg_rows: np.ndarray,
    seg_known: np.ndarray,
    conversion_at: np.ndarray,
    milestone_at: np.ndarray,
    lookback_ns: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each segment's window of eligible touches, by bisection on its sorted times.

    Eligible: ``conversion time - lookback <= at <= conversion time`` (no lower bound when
    ``lookback_ns`` is negative). Segments of unknown conversions, with a NaT conversion time,
    or with no eligible touch are dropped. Returns, per kept segment: conversion row,
    conversion id, window start, window length, and for each row ``k`` of ``milestone_at``
    (times per conversion row) the index of the last eligible touch at or before it (-1: none).
    """
    count = len(seg_starts)
    rows = np.empty(count, dtype=np.int64)
    ids = np.empty(count, dtype=np.int64)
    starts = np.empty(count, dtype=np.int64)
    lengths = np.empty(count, dtype=np.int64)
    holders = np.empty((milestone_at.shape[0], count), dtype=np.int64)
    kept = 0
    for s in range(count):
        if not seg_known[s]:
            continue
        upper = conversion_at[seg_rows[s]]
        if upper == _NAT:
            continue
        first = seg_starts[s]
        stop = seg_starts[s + 1] if s + 1 < count else len(at)
        a, b = first, stop
        if lookback_ns >= 0:
            lower = upper - lookback_ns
            while a < b:  # first touch at or after the lower bound
                m = (a + b) >> 1
                if at[m] < lower:
                    a = m + 1
                else:
                    b = m
        low = a
        b = stop
        while a < b:  # first touch after the conversion time
            m = (a + b) >> 1
            if at[m] <= upper:
                a = m + 1
            else:
                b = m
        if a > low:
            rows[kept] = seg_rows[s]
            ids[kept] = conversion_id[first]
            starts[kept] = low
            lengths[kept] = a - low
            for k in range(milestone_at.shape[0]):
                limit = milestone_at[k, seg_rows[s]]
                c, d = low, a
                while c < d:  # first eligible touch after the milestone
                    m = (c + d) >> 1
                    if at[m] <= limit:
                        c = m + 1
                    else:
                        d = m
                holders[k, kept] = c - 1 if c > low else -1
            kept += 1
    return rows[:kept], ids[:kept], starts[:kept], lengths[:kept], holders[:, :kept]


@_jit
def write_rows(
    starts: np.ndarray,
    lengths: np.ndarray,
    conversion_id: np.ndarray,
    touch_id: np.ndarray,
    out_conversion: np.ndarray,
    out_touch: np.ndarray,
) -> None:
    """Lay the journeys' touches out as rows: conversion id and touch id, journey by journey."""
    row = 0
    for j in range(len(starts)):
        for t in range(starts[j], starts[j] + lengths[j]):
            out_conversion[row] = conversion_id[j]
            out_touch[row] = touch_id[t]
            row += 1


@_jit
def linear_credit(lengths: np.ndarray, out: np.ndarray) -> None:
    """Every touch of a journey gets ``1 / length`` (rows in journey order)."""
    row = 0
    for j in range(len(lengths)):
        share = 1.0 / lengths[j]
        for _ in range(lengths[j]):
            out[row] = share
            row += 1


@_jit
def decay_exponents(
    at: np.ndarray, starts: np.ndarray, lengths: np.ndarray, half_life_ns: float, out: np.ndarray
) -> None:
    """``(at - latest touch of the journey) / half_life`` per touch (rows in journey order)."""
    row = 0
    for j in range(len(starts)):
        latest = at[starts[j] + lengths[j] - 1]
        for t in range(starts[j], starts[j] + lengths[j]):
            out[row] = (at[t] - latest) / half_life_ns
            row += 1


@_jit
def normalise(lengths: np.ndarray, values: np.ndarray) -> None:
    """Divide each journey's values (rows in journey order) by their sum."""
    row = 0
    for j in range(len(lengths)):
        total = 0.0
        for i in range(row, row + lengths[j]):
            total += values[i]
        for i in range(row, row + lengths[j]):
            values[i] /= total
        row += lengths[j]


@_jit
def position_credit(
    starts: np.ndarray,
    lengths: np.ndarray,
    positions: np.ndarray,
    weights: np.ndarray,
    rest: float,
    out: np.ndarray,
) -> None:
    """Position-based credit (rows in journey order).

    ``positions[k, j]`` is the touch index holding position ``k`` in journey ``j`` (-1 when
    empty). Empty positions and an empty rest lose their weight; the rest is renormalised.
    """
    kinds = positions.shape[0]
    row = 0
    for j in range(len(starts)):
        held = 0.0
        distinct = 0
        for k in range(kinds):
            p = positions[k, j]
            if p < 0:
                continue
            held += weights[k]
            seen = False
            for other in range(k):
                if positions[other, j] == p:
                    seen = True
            if not seen:
                distinct += 1
            rest_count = lengths[j] - distinct
        rest_weight = rest if rest_count > 0 else 0.0
        total = held + rest_weight
        rest_share = rest_weight / total / rest_count if rest_count > 0 else 0.0
        first = starts[j]
        for t in range(lengths[j]):
            out[row + t] = rest_share
        for k in range(kinds):
            if positions[k, j] >= 0:
                out[row + positions[k, j] - first] = 0.0
        for k in range(kinds):
            if positions[k, j] >= 0:
                out[row + positions[k, j] - first] += weights[k] / total
        row += lengths[j]


@_jit
def split_by_weight(
    starts: np.ndarray,
    lengths: np.ndarray,
    channel: np.ndarray,
    weight: np.ndarray,
    out: np.ndarray,
) -> None:
    """A journey's credit split over its distinct channels by weight, then evenly per touch.

    A journey whose channels all weigh zero (or less) is split evenly between its channels.
    """
    n_channels = len(weight)
    touches = np.zeros(n_channels, dtype=np.int64)
    row = 0
    for j in range(len(starts)):
        first, stop = starts[j], starts[j] + lengths[j]
        for t in range(first, stop):
            touches[channel[t]] += 1
        total = 0.0
        distinct = 0
        for t in range(first, stop):
            c = channel[t]
            # Count each channel once: on its first touch, when the counter is still full.
            if touches[c] > 0:
                total += max(weight[c], 0.0)
                distinct += 1
                touches[c] = -touches[c]
        for t in range(first, stop):
            c = channel[t]
            size = -touches[c]
            if total > 0.0:
                out[row + t - first] = max(weight[c], 0.0) / total / size
            else:
                out[row + t - first] = 1.0 / distinct / size
        for t in range(first, stop):
            touches[channel[t]] = 0
        row += stop - first


@_jit
def mark_channels(
    channel: np.ndarray, starts: np.ndarray, lengths: np.ndarray, used: np.ndarray
) -> None:
    """Flag every channel occurring in the windows."""
    for j in range(len(starts)):
        for t in range(starts[j], starts[j] + lengths[j]):
            used[channel[t]] = True


@_jit
def count_transitions(
    state: np.ndarray,
    dense: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    start_state: int,
    exit_state: int,
    counts: np.ndarray,
) -> None:
    """Add each window's walk start -> dense[state[t]]... -> exit to ``counts``.

    Repeated states (self-transitions) are skipped: they change no absorption probability.
    """
    for j in range(len(starts)):
        previous = start_state
        for t in range(starts[j], starts[j] + lengths[j]):
            current = dense[state[t]]
            if current != previous:
                counts[previous, current] += 1.0
                previous = current
        counts[previous, exit_state] += 1.0


@_jit
def even_split(
    channel: np.ndarray, starts: np.ndarray, lengths: np.ndarray, n_channels: int
) -> np.ndarray:
    """Per channel, the sum over windows of 1 / (distinct channels of the window) it holds."""
    values = np.zeros(n_channels)
    seen = np.zeros(n_channels, dtype=np.bool_)
    for j in range(len(starts)):
        distinct = 0
        for t in range(starts[j], starts[j] + lengths[j]):
            if not seen[channel[t]]:
                seen[channel[t]] = True
                distinct += 1
        for t in range(starts[j], starts[j] + lengths[j]):
            if seen[channel[t]]:
                values[channel[t]] += 1.0 / distinct
                seen[channel[t]] = False
    return values


@_jit
def channel_masks(
    channel: np.ndarray, dense: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """Per window, the set of its channels as a bit mask (bit ``dense[channel]``)."""
    masks = np.zeros(len(starts), dtype=np.int64)
    for j in range(len(starts)):
        mask = 0
        for t in range(starts[j], starts[j] + lengths[j]):
            mask |= 1 << dense[channel[t]]
        masks[j] = mask
    return masks
