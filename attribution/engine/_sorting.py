"""Sorting primitives that ride on numpy's SIMD sort of plain 64-bit integers.

``np.sort`` on uint64 is an order of magnitude faster than ``np.argsort``/``np.lexsort``
(vectorised sorting networks versus an index-chasing sort). A stable multi-key argsort is
therefore built as an LSD radix sort whose passes are plain sorts of packed words:
``digit << index_bits | position``. The position in the low bits makes every pass stable and
gives the permutation back after the sort. The keys are concatenated as one wide unsigned
number (each shifted to start at zero and only as wide as its range), so three keys often
need only two or three passes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._frames import BoolArray, IntArray

U64Array = npt.NDArray[np.uint64]

_U64 = np.uint64


def is_sorted_lex(keys: Sequence[IntArray]) -> bool:
    """True when rows are already in non-decreasing lexicographic order (keys[0] first)."""
    n = len(keys[0])
    if n < 2:
        return True
    ok: BoolArray | None = None
    # From the least significant key up: a row pair is in order when the more significant
    # key increases, or is equal and the less significant ones are in order.
    for key in reversed(keys):
        later, earlier = key[1:], key[:-1]
        ok = later >= earlier if ok is None else (later > earlier) | ((later == earlier) & ok)
    return bool(ok.all()) if ok is not None else True


def lexsort_packed(keys: Sequence[IntArray]) -> IntArray:
    """Stable permutation sorting rows by keys[0], then keys[1], ... (like np.lexsort reversed)."""
    n = len(keys[0])
    if n == 0:
        return np.empty(0, dtype=np.int64)
    index_bits = max(1, (n - 1).bit_length())
    digit_bits = 64 - index_bits
    parts = _relative_keys(keys)
    total_bits = sum(width for _, width in parts)
    positions = np.arange(n, dtype=_U64)
    index_mask = _U64((1 << index_bits) - 1)
    permutation: IntArray | None = None
    for low in range(0, total_bits, digit_bits):
        digit = _digit(parts, low, min(low + digit_bits, total_bits))
        if permutation is not None:
            digit = digit[permutation]
        digit <<= _U64(index_bits)
        digit |= positions
        digit.sort()
        digit &= index_mask
        order = digit.view(np.int64)
        permutation = order if permutation is None else permutation[order]
    if permutation is None:
        return np.arange(n, dtype=np.int64)
    return permutation


def _relative_keys(keys: Sequence[IntArray]) -> list[tuple[U64Array, int]]:
    """Non-constant keys as ``key - min`` (uint64) with bit widths, least significant first."""
    parts: list[tuple[U64Array, int]] = []
    for key in reversed(keys):
        key = np.asarray(key, dtype=np.int64)
        low, high = int(key.min()), int(key.max())
        if low == high:
            continue  # a constant key cannot change the order
        # Unsigned subtraction wraps correctly even when the span exceeds int64.
        relative = key.view(_U64) - _U64(low % (1 << 64))
        parts.append((relative, (high - low).bit_length()))
    return parts


def _digit(parts: list[tuple[U64Array, int]], low: int, high: int) -> U64Array:
    """Bits [low, high) of the concatenated number formed by ``parts`` (first = lowest bits)."""
    digit: U64Array | None = None
    offset = 0
    for relative, width in parts:
        start, stop = max(low, offset), min(high, offset + width)
        if start < stop:
            piece = relative >> _U64(start - offset)
            if stop - start < 64:
                piece = piece & _U64((1 << (stop - start)) - 1)
            piece = piece << _U64(start - low)
            digit = piece if digit is None else digit | piece
        offset += width
    assert digit is not None
    return digit


def group_sizes(keys: Sequence[IntArray]) -> tuple[IntArray, BoolArray]:
    """Per row: how many rows share all its keys, and whether it is the group's first row.

    "First" is in the original row order (the sort is stable), which the engine relies on to
    pick one representative touch per (journey, channel).
    """
    n = len(keys[0])
    sizes = np.empty(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return sizes, first
    order = lexsort_packed(keys)
    changes = np.zeros(n, dtype=np.bool_)
    changes[0] = True
    for key in keys:
        sorted_key = key[order]
        changes[1:] |= sorted_key[1:] != sorted_key[:-1]
    starts = np.flatnonzero(changes)
    lengths = np.diff(np.append(starts, n))
    sizes[order] = np.repeat(lengths, lengths)
    first[order[starts]] = True
    return sizes, first
