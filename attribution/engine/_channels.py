"""Channel labels, channel paths, and the per-conversion split used by data-driven models.

Channels are encoded once as integer codes (a categorical column's codes are used as they are,
other columns are factorised); a missing channel is a channel of its own whose label is NaN.
Converting paths are the journeys' windows, read in place; non-converting paths (an optional
frame with ``path_id``, ``channel`` and ``position`` or ``at``) are coded against the same
labels. Only channels that occur on some path take part in a model.

Per-conversion allocation from channel weights (Markov removal effects, Shapley values): a
conversion's credit is split across the *distinct* channels on its path in proportion to their
weight, and each channel's part is divided evenly among that channel's touches in the path.
When every channel on a path has zero weight the conversion is split evenly between its
distinct channels (it converted, so it is never dropped). Negative weights (possible for the
conversion-rate Shapley game) count as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from . import _kernels as kernels
from ._frames import BoolArray, FloatArray, IntArray, int_column, ns_column, require_columns
from ._sorting import is_sorted_lex, lexsort_packed
from .journeys import Journeys


def encode_labels(values: pd.Series) -> tuple[IntArray, pd.Index]:
    """Codes (int64) and their labels; NaN is a label of its own."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        category_codes: IntArray = np.asarray(values.cat.codes, dtype=np.int64)
        labels = pd.Index(values.cat.categories, dtype=object)
        missing = category_codes < 0
        if missing.any():
            category_codes[missing] = len(labels)
            labels = labels.append(pd.Index([np.nan], dtype=object))
        return category_codes, labels
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), pd.Index(uniques, dtype=object)


def encode_with(values: pd.Series, labels: pd.Index) -> tuple[IntArray, pd.Index]:
    """Codes of ``values`` against existing ``labels``, appending labels not seen before."""
    codes = labels.get_indexer(pd.Index(values, dtype=object)).astype(np.int64)
    unknown = codes < 0
    if unknown.any():
        extra_codes, extra_labels = encode_labels(pd.Series(values.to_numpy()[unknown]))
        codes[unknown] = extra_codes + len(labels)
        labels = labels.append(extra_labels)
    return codes, labels


@dataclass(frozen=True)
class PathSet:
    """Contiguous channel paths: path ``p`` is ``channel[starts[p] : starts[p] + lengths[p]]``.

    Codes index ``labels``, which only holds channels that occur on some path.
    """

    channel: IntArray
    starts: IntArray
    lengths: IntArray
    converted: np.ndarray
    """(P,) bool: True for a conversion's path, False for a non-converting one."""
    labels: pd.Index

    @property
    def n_channels(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Paths:
    """Converting paths (the journeys' windows) and non-converting paths, with shared labels.

    Nothing is copied out of the journeys: their windows are read in place by the kernels.
    """

    labels: pd.Index
    """Every label of the channel column (and of the non-converting paths), used or not."""
    converting: tuple[IntArray, IntArray, IntArray]
    """(channel codes over all touches, window starts, window lengths)."""
    non_converting: tuple[IntArray, IntArray, IntArray]
    """(channel codes, starts, lengths) of contiguous non-converting paths."""

    @cached_property
    def used(self) -> BoolArray:
        """(labels,) True for the channels that occur on at least one path."""
        used = np.zeros(len(self.labels), dtype=np.bool_)
        for channel, starts, lengths in (self.converting, self.non_converting):
            kernels.mark_channels(channel, starts, lengths, used)
        return used

    @cached_property
    def dense(self) -> IntArray:
        """(labels,) index of each used label among the used ones (-1 when unused)."""
        return np.where(self.used, np.cumsum(self.used) - 1, -1)

    @property
    def used_labels(self) -> pd.Index:
        return self.labels[self.used]

    @property
    def n_converting(self) -> int:
        return len(self.converting[1])

    def contiguous(self) -> PathSet:
        """All paths laid out back to back (converting first), codes among the used labels."""
        channel, starts, lengths = self.converting
        index = np.repeat(starts - _offsets(lengths), lengths) + np.arange(int(lengths.sum()))
        null_channel, _, null_lengths = self.non_converting
        all_lengths = np.concatenate([lengths, null_lengths])
        return PathSet(
            self.dense[np.concatenate([channel[index], null_channel])],
            _offsets(all_lengths),
            all_lengths,
            np.arange(len(all_lengths)) < len(lengths),
            self.used_labels,
        )


def _offsets(lengths: IntArray) -> IntArray:
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return starts


def channel_paths(journeys: Journeys, non_converting: pd.DataFrame | None) -> Paths:
    """The converting journeys plus the non-converting paths, channels coded alike."""
    if journeys.channel is None or journeys.channel_labels is None:
        raise ValueError("touches need a 'channel' column for data-driven models")
    labels = journeys.channel_labels
    empty = np.zeros(0, dtype=np.int64)
    nulls = (empty, empty, empty)
    if non_converting is not None and len(non_converting):
        null_channel, null_lengths, labels = _read_non_converting(non_converting, labels)
        nulls = (null_channel, _offsets(null_lengths), null_lengths)
    return Paths(labels, (journeys.channel, journeys.starts, journeys.lengths), nulls)


def _read_non_converting(
    frame: pd.DataFrame, labels: pd.Index
) -> tuple[IntArray, IntArray, pd.Index]:
    """Channels sorted by (path_id, position or at) and each path's length."""
    require_columns(frame, ["path_id", "channel"], "non_converting_paths")
    path_id = int_column(frame, "path_id", "non_converting_paths")
    if "position" in frame.columns:
        rank = int_column(frame, "position", "non_converting_paths")
    elif "at" in frame.columns:
        rank = ns_column(frame, "at", "non_converting_paths")
    else:
        raise ValueError("non_converting_paths needs a 'position' or an 'at' column")
    codes, labels = encode_with(frame["channel"], labels)
    if not is_sorted_lex((path_id, rank)):
        order = lexsort_packed((path_id, rank))
        path_id, codes = path_id[order], codes[order]
    # The frame is not empty (checked by the caller), so the first row starts a path.
    path_starts = np.flatnonzero(np.concatenate(([True], path_id[1:] != path_id[:-1])))
    lengths = np.diff(np.append(path_starts, len(path_id))).astype(np.int64)
    return codes, lengths, labels


def split_by_channel_weight(journeys: Journeys, weight: FloatArray) -> FloatArray:
    """Credit of every eligible touch (journey order): the split described in the docstring.

    ``weight`` is indexed by the codes of ``journeys.channel`` (all labels, used or not).
    """
    assert journeys.channel is not None
    credit = np.empty(journeys.n_touches)
    kernels.split_by_weight(
        journeys.starts, journeys.lengths, journeys.channel, np.asarray(weight, float), credit
    )
    return credit


def by_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Largest share first; equal shares by channel label so the order never depends on input."""
    text = frame["channel"].map(str)
    ordered = frame.assign(_text=text).sort_values(
        ["share", "_text"], ascending=[False, True], kind="stable"
    )
    return ordered.drop(columns="_text").reset_index(drop=True)
