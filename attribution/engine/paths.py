"""Path analytics: top conversion paths, path lengths and time to convert.

All three read the same journeys as ``allocate``: a conversion's eligible touches (at or before
its conversion time for the kind, within the lookback), ordered by ``at`` then ``touch_id``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._frames import NS_PER_DAY, IntArray
from .journeys import Journeys, build_journeys

DEFAULT_DAY_BINS: tuple[float, ...] = (0, 1, 2, 3, 7, 14, 30, 60, 90)


def top_paths(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    lookback_days: float | None = None,
    limit: int = 10,
    collapse_repeats: bool = False,
    separator: str = " > ",
) -> pd.DataFrame:
    """The most frequent channel sequences of converting journeys.

    Returns columns ``path`` (channel labels joined with ``separator``), ``touches`` (path
    length), ``conversions``, ``share`` (of conversions with at least one eligible touch) and
    ``value`` (their summed value), most conversions first; ties go to the higher value, then
    the shorter path, then the path text. With ``collapse_repeats`` consecutive touches of the
    same channel count once (``a > a > b`` is ``a > b``). Conversions without an eligible touch
    have no path and are left out.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    journeys = build_journeys(
        touches,
        conversions,
        kind=kind,
        lookback_days=lookback_days,
        with_channel=True,
        with_value=True,
    ).compact()
    assert journeys.channel is not None and journeys.channel_labels is not None
    assert journeys.value is not None
    channel, starts, lengths = _sequences(journeys, collapse_repeats)
    groups = [
        _distinct_paths(channel, starts, lengths, journeys.value, length)
        for length in np.unique(lengths)
    ]
    if not groups:
        return pd.DataFrame(
            {"path": [], "touches": [], "conversions": [], "share": [], "value": []}
        )
    counts = np.concatenate([count for _, count, _ in groups])
    # Only paths that can make the top need a label: the limit-th largest count is the floor.
    floor = np.sort(counts)[-min(limit, len(counts))]
    labels = np.array([str(label) for label in journeys.channel_labels], dtype=object)
    rows = []
    for sequences, count, value in groups:
        for i in np.flatnonzero(count >= floor):
            text = separator.join(labels[sequences[i]])
            rows.append((text, sequences.shape[1], int(count[i]), float(value[i])))
    frame = pd.DataFrame(rows, columns=["path", "touches", "conversions", "value"])
    frame = frame.sort_values(
        ["conversions", "value", "touches", "path"],
        ascending=[False, False, True, True],
        kind="stable",
    ).head(limit)
    frame.insert(3, "share", frame["conversions"] / journeys.n_journeys)
    return frame.reset_index(drop=True)


def _sequences(journeys: Journeys, collapse_repeats: bool) -> tuple[IntArray, IntArray, IntArray]:
    """Channel codes with journey starts and lengths, optionally without repeated channels."""
    assert journeys.channel is not None
    channel, starts, lengths = journeys.channel, journeys.starts, journeys.lengths
    if not collapse_repeats or len(channel) == 0:
        return channel, starts, lengths
    keep = np.ones(len(channel), dtype=np.bool_)
    keep[1:] = channel[1:] != channel[:-1]
    keep[starts] = True  # a journey's first touch always stays
    lengths = np.bincount(journeys.touch_journey[keep], minlength=journeys.n_journeys)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    return channel[keep], starts, lengths


def _distinct_paths(
    channel: IntArray, starts: IntArray, lengths: IntArray, value: np.ndarray, length: int
) -> tuple[IntArray, IntArray, np.ndarray]:
    """Distinct sequences of one length (exact: rows of a matrix), their counts and values."""
    chosen = np.flatnonzero(lengths == length)
    matrix = channel[starts[chosen][:, None] + np.arange(length)]
    sequences, inverse = np.unique(matrix, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    count = np.bincount(inverse, minlength=len(sequences))
    summed = np.bincount(inverse, weights=value[chosen], minlength=len(sequences))
    return sequences, count, summed


def path_length_distribution(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    lookback_days: float | None = None,
) -> pd.DataFrame:
    """Conversions per number of eligible touches: columns ``touches, conversions, share``.

    Every conversion counts, so unattributed ones appear with ``touches = 0``; shares sum to 1.
    """
    journeys = build_journeys(touches, conversions, kind=kind, lookback_days=lookback_days)
    lengths = np.concatenate([journeys.lengths, np.zeros(len(journeys.unattributed), np.int64)])
    counts = np.bincount(lengths) if len(lengths) else np.zeros(0, dtype=np.int64)
    observed = np.flatnonzero(counts)
    return pd.DataFrame(
        {
            "touches": observed,
            "conversions": counts[observed],
            "share": counts[observed] / max(len(lengths), 1),
        }
    )


def time_to_convert_distribution(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    lookback_days: float | None = None,
    bins_days: Sequence[float] = DEFAULT_DAY_BINS,
) -> pd.DataFrame:
    """Conversions by days from the first eligible touch to the conversion.

    Bins are ``[bins_days[i], bins_days[i + 1])`` and the last one is open-ended (``to_days`` is
    infinity). Returns ``from_days, to_days, conversions, share`` for every bin; conversions
    without an eligible touch are left out (they have no first touch) and shares are of the
    rest.
    """
    edges = np.asarray(bins_days, dtype=np.float64)
    if len(edges) == 0 or edges[0] != 0 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins_days must start at 0 and increase strictly")
    journeys = build_journeys(touches, conversions, kind=kind, lookback_days=lookback_days)
    days = (journeys.conversion_at - journeys.at[journeys.starts]) / NS_PER_DAY
    counts = np.bincount(np.searchsorted(edges, days, side="right") - 1, minlength=len(edges))
    return pd.DataFrame(
        {
            "from_days": edges,
            "to_days": np.append(edges[1:], np.inf),
            "conversions": counts,
            "share": counts / max(journeys.n_journeys, 1),
        }
    )
