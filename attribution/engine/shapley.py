"""Shapley-value attribution over channels.

The cooperative game: players are channels, and the worth of a coalition ``S`` is read from
the paths whose channel set is contained in ``S`` (order and repetitions do not matter):

* ``characteristic="conversions"``: ``v(S)`` = number of conversions whose path uses only
  channels of ``S``. The Shapley values add up to the number of attributed conversions.
* ``characteristic="conversion_rate"``: ``v(S)`` = conversions / all paths (converting and
  non-converting) among the paths using only channels of ``S``; 0 when there is none. Needs
  ``non_converting_paths``. Values add up to the overall conversion rate and can be negative
  (a channel that dilutes the rate).

``v`` is known for every coalition by a subset-sum (zeta) transform of the per-channel-set
counts, and the Shapley value is the exact weighted sum of marginal contributions
``phi_j = sum_{S without j} |S|! (n-|S|-1)! / n! * (v(S + j) - v(S))``: 2^n coalitions, so
this ``method="exact"`` is used up to ``max_exact_channels`` (15 by default, 20 at most).

For the conversions game, ``v`` is a sum of unanimity games (one per path), so the exact
value is also the closed form "each conversion is split evenly between the distinct channels of
its path"; ``method="auto"`` uses that for any number of channels. For the conversion-rate game
with more channels than ``max_exact_channels``, ``auto`` estimates the values by permutation
sampling (``samples`` random orders of the channels drawn from ``seed``; the marginal
contribution of each channel in each order, averaged).

Channel credit shares are the values normalised to sum to 1 (negative values count as zero for
the per-conversion split). Per-conversion allocation is the same as for Markov: a conversion's
credit split between its distinct channels in proportion to their values, each channel's part
divided evenly among its touches on the path.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from . import _kernels as kernels
from ._channels import Paths, PathSet, by_share, channel_paths, split_by_channel_weight
from ._frames import FloatArray, IntArray
from ._sorting import group_sizes, lexsort_packed
from .journeys import Journeys, build_journeys

Characteristic = Literal["conversions", "conversion_rate"]
Method = Literal["auto", "exact", "sample"]
CHARACTERISTICS: tuple[str, ...] = ("conversions", "conversion_rate")
METHODS: tuple[str, ...] = ("auto", "exact", "sample")
EXACT_CHANNEL_LIMIT = 20
_BATCH_ELEMENTS = 8_000_000


def check_options(characteristic: str, method: str, samples: int) -> None:
    """ValueError for an unknown characteristic or method, or a non-positive sample count."""
    if characteristic not in CHARACTERISTICS:
        raise ValueError(
            f"unknown shapley characteristic {characteristic!r}; "
            f"expected one of: {', '.join(CHARACTERISTICS)}"
        )
    if method not in METHODS:
        raise ValueError(f"unknown shapley method {method!r}; expected: {', '.join(METHODS)}")
    if samples < 1:
        raise ValueError(f"shapley samples must be at least 1, got {samples}")


def shapley_values(
    paths: Paths,
    *,
    characteristic: str = "conversions",
    method: str = "auto",
    max_exact_channels: int = 15,
    samples: int = 2000,
    seed: int = 0,
) -> FloatArray:
    """Shapley value of every channel occurring on ``paths`` (``paths.used_labels`` order)."""
    check_options(characteristic, method, samples)
    if characteristic == "conversion_rate" and len(paths.non_converting[1]) == 0:
        raise ValueError("the conversion_rate characteristic needs non_converting_paths")
    n = int(paths.used.sum())
    if n == 0:
        return np.zeros(0)
    if method == "auto":
        if characteristic == "conversions":
            return _even_split(paths)
        method = "exact" if n <= max_exact_channels else "sample"
    if method == "exact":
        if n > EXACT_CHANNEL_LIMIT:
            raise ValueError(
                f"exact Shapley values over {n} channels need 2^{n} coalitions; "
                f"use method='sample' (at most {EXACT_CHANNEL_LIMIT} channels are exact)"
            )
        return _exact(paths, characteristic, n)
    return _sampled(paths.contiguous(), characteristic, samples, seed)


def _even_split(paths: Paths) -> FloatArray:
    """Closed form of the conversions game: each conversion split evenly between its channels."""
    channel, starts, lengths = paths.converting
    return kernels.even_split(channel, starts, lengths, len(paths.labels))[paths.used]


def _exact(paths: Paths, characteristic: str, n: int) -> FloatArray:
    size = 1 << n
    masks = [
        kernels.channel_masks(channel, paths.dense, starts, lengths)
        for channel, starts, lengths in (paths.converting, paths.non_converting)
    ]
    converting = _subset_sums(np.bincount(masks[0], minlength=size), n)
    if characteristic == "conversions":
        worth = converting
    else:
        everyone = converting + _subset_sums(np.bincount(masks[1], minlength=size), n)
        worth = np.divide(converting, everyone, out=np.zeros(size), where=everyone > 0)
    return _shapley_from_worth(worth, n)


def _subset_sums(counts: IntArray, n: int) -> FloatArray:
    """``F[S] = sum of counts[T] for T subset of S`` (zeta transform, one pass per bit)."""
    total = counts.astype(np.float64)
    for bit in range(n):
        view = total.reshape(-1, 2, 1 << bit)
        view[:, 1, :] += view[:, 0, :]
    return total


def _shapley_from_worth(worth: FloatArray, n: int) -> FloatArray:
    coalitions = np.arange(1 << n, dtype=np.int64)
    sizes = np.bitwise_count(coalitions)
    weights = np.array(
        [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    )
    values = np.empty(n)
    for player in range(n):
        without = coalitions[(coalitions >> player) & 1 == 0]
        gain = worth[without | (1 << player)] - worth[without]
        values[player] = np.dot(weights[sizes[without]], gain)
    return values


def _sampled(paths: PathSet, characteristic: str, samples: int, seed: int) -> FloatArray:
    """Average marginal contributions over ``samples`` random channel orders."""
    members, member_starts, converted, total = _distinct_sets(paths)
    n = paths.n_channels
    rng = np.random.default_rng(seed)
    batch = max(1, min(samples, _BATCH_ELEMENTS // max(len(members), n)))
    values = np.zeros(n)
    done = 0
    while done < samples:
        size = min(batch, samples - done)
        order = np.argsort(rng.random((size, n)), axis=1)  # order[b, k]: k-th channel
        rank = np.argsort(order, axis=1)  # rank[b, channel]: its place in the order
        # A path set is complete once its last channel (highest rank) has joined.
        complete = np.maximum.reduceat(rank[:, members], member_starts, axis=1)
        if characteristic == "conversions":
            joiner = np.take_along_axis(order, complete, axis=1)
            weight = np.broadcast_to(converted, joiner.shape)
            values += np.bincount(joiner.ravel(), weights=weight.ravel(), minlength=n)
        else:
            offset = (np.arange(size) * n)[:, None]
            slot = (complete + offset).ravel()
            wins = np.bincount(slot, np.broadcast_to(converted, complete.shape).ravel(), size * n)
            tries = np.bincount(slot, np.broadcast_to(total, complete.shape).ravel(), size * n)
            wins = np.cumsum(wins.reshape(size, n), axis=1)
            tries = np.cumsum(tries.reshape(size, n), axis=1)
            worth = np.divide(wins, tries, out=np.zeros_like(wins), where=tries > 0)
            gain = np.diff(worth, axis=1, prepend=0.0)
            values += np.bincount(order.ravel(), weights=gain.ravel(), minlength=n)
        done += size
    return values / samples


def _distinct_sets(paths: PathSet) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Distinct channel sets as CSR (members, starts) with converting and total path counts."""
    path = np.repeat(np.arange(len(paths.starts), dtype=np.int64), paths.lengths)
    _, first = group_sizes((path, paths.channel))
    n_paths = len(paths.starts)
    # Exact set identity as a bitset of 62-bit words (no hashing, no collisions).
    words = []
    for word in range((paths.n_channels + 61) // 62):
        in_word = first & (paths.channel // 62 == word)
        bits = np.where(in_word, np.left_shift(np.int64(1), paths.channel % 62), 0)
        words.append(np.bitwise_or.reduceat(bits, paths.starts))
    bitsets = np.stack(words, axis=1)
    distinct, representative, inverse = np.unique(
        bitsets, axis=0, return_index=True, return_inverse=True
    )
    inverse = inverse.reshape(-1)
    converted = np.bincount(inverse, weights=paths.converted, minlength=len(distinct)).astype(
        np.float64
    )
    total = np.bincount(inverse, minlength=len(distinct)).astype(np.float64)
    # Members of each distinct set: the distinct channels of its first path.
    is_representative = np.zeros(n_paths, dtype=np.bool_)
    is_representative[representative] = True
    is_member = first & is_representative[path]
    set_of_member = np.empty(n_paths, dtype=np.int64)
    set_of_member[representative] = np.arange(len(distinct))
    member_set = set_of_member[path[is_member]]
    order = lexsort_packed((member_set,))
    members = np.asarray(paths.channel[is_member][order], dtype=np.int64)
    starts = np.flatnonzero(np.diff(member_set[order], prepend=-1) != 0).astype(np.int64)
    return members, starts, converted, total


def shapley_channel_credit(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    lookback_days: float | None = None,
    non_converting_paths: pd.DataFrame | None = None,
    characteristic: str = "conversions",
    method: str = "auto",
    max_exact_channels: int = 15,
    samples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per channel: Shapley value, credit share, attributed conversions and value.

    Returns columns ``channel, shapley_value, share, conversions, value`` sorted by share,
    largest first. ``share`` normalises the values (negative ones as zero) to sum to 1.
    """
    check_options(characteristic, method, samples)
    journeys = build_journeys(
        touches,
        conversions,
        kind=kind,
        lookback_days=lookback_days,
        with_channel=True,
        with_value=True,
    )
    paths = channel_paths(journeys, non_converting_paths)
    values = shapley_values(
        paths,
        characteristic=characteristic,
        method=method,
        max_exact_channels=max_exact_channels,
        samples=samples,
        seed=seed,
    )
    positive = np.clip(values, 0.0, None)
    share = positive / positive.sum() if positive.sum() > 0 else np.zeros_like(values)
    assert journeys.value is not None
    frame = pd.DataFrame(
        {
            "channel": paths.used_labels,
            "shapley_value": values,
            "share": share,
            "conversions": share * journeys.n_journeys,
            "value": share * journeys.value.sum(),
        }
    )
    return by_share(frame)


def shapley_touch_credit(
    journeys: Journeys,
    non_converting_paths: pd.DataFrame | None,
    *,
    characteristic: str,
    method: str,
    max_exact_channels: int,
    samples: int,
    seed: int,
) -> FloatArray:
    """Per-touch credit of ``allocate(model="shapley")`` (see the module docstring)."""
    paths = channel_paths(journeys, non_converting_paths)
    values = shapley_values(
        paths,
        characteristic=characteristic,
        method=method,
        max_exact_channels=max_exact_channels,
        samples=samples,
        seed=seed,
    )
    weight = np.zeros(len(paths.labels))
    weight[paths.used] = values
    return split_by_channel_weight(journeys, weight)
