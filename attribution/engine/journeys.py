"""Journeys: the eligible touches of every conversion, laid out for segment operations.

Touches are sorted by ``(conversion_id, at, touch_id)``. Since times are sorted within a
conversion, its eligible touches form one window of that order, found by bisection:
journey ``j`` is rows ``starts[j] : starts[j] + lengths[j]`` of the per-touch arrays. Windows
are in increasing order and may leave gaps (ineligible touches), which are never copied out;
``compact()`` gives the gap-free layout when a consumer needs contiguous journeys.

Eligibility: a touch counts for a conversion when ``at <= conversion time`` and, with a
lookback, ``at >= conversion time - lookback_days``. The conversion time depends on the kind:
``contact_create`` -> ``lead_created_at``, ``deal_create`` -> ``deal_created_at``,
``revenue`` -> ``closed_at``. A conversion whose time is NaT, or that has no eligible touch,
is *unattributed*: it is kept aside and reported with ``touch_id = -1``.

Touches already sorted by ``(conversion_id, at, touch_id)`` (the natural database order) skip
the sort; touches in ``(at, touch_id)`` order (an event log) need a single-key sort.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import _kernels as kernels
from ._frames import (
    NAT,
    BoolArray,
    FloatArray,
    IntArray,
    days_to_ns,
    int_column,
    ns_column,
    require_columns,
)
from ._sorting import is_sorted_lex, lexsort_packed

KINDS: dict[str, str] = {
    "contact_create": "lead_created_at",
    "deal_create": "deal_created_at",
    "revenue": "closed_at",
}
"""Conversion kind -> the conversions column holding its conversion time."""

MILESTONE_COLUMNS: dict[str, str] = {
    "lead": "lead_created_at",
    "deal": "deal_created_at",
    "closed": "closed_at",
}


def check_kind(kind: str) -> str:
    """The conversion-time column of ``kind``; ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of: {', '.join(KINDS)}")
    return KINDS[kind]


def check_lookback(lookback_days: float | None) -> int | None:
    """The lookback in nanoseconds (None = unlimited); ValueError when negative or not finite."""
    if lookback_days is None:
        return None
    if not np.isfinite(lookback_days) or lookback_days < 0:
        raise ValueError(f"lookback_days must be a non-negative number, got {lookback_days!r}")
    return days_to_ns(lookback_days)


@dataclass(eq=False)
class Journeys:
    """Eligible touches grouped by conversion (see the module docstring for the layout)."""

    conversion_id: IntArray
    """(J,) the conversion of each journey; every journey has at least one touch."""
    starts: IntArray
    """(J,) offset of each journey's first touch in the per-touch arrays."""
    lengths: IntArray
    """(J,) number of eligible touches."""
    conversion_at: IntArray
    """(J,) conversion time in ns."""
    time_column: str
    """The conversions column holding the conversion time of the kind."""
    milestones: dict[str, IntArray]
    """Per requested milestone ('lead', 'deal', 'closed'): (J,) index of the journey's last
    eligible touch at or before it, -1 when there is none (or the milestone is NaT)."""
    value: FloatArray | None
    """(J,) conversion value when requested."""
    touch_id: IntArray
    """(N,) touch ids. Per-touch arrays may be views of the caller's frame: never write."""
    at: IntArray
    """(N,) touch times in ns."""
    channel: IntArray | None
    """(N,) channel codes (indices into ``channel_labels``) when requested."""
    channel_labels: pd.Index | None
    unattributed: IntArray
    """Conversion ids without any eligible touch, in ascending order."""

    @property
    def n_journeys(self) -> int:
        return len(self.starts)

    @property
    def n_touches(self) -> int:
        """Number of eligible touches (rows of the journeys, gaps excluded)."""
        return int(self.lengths.sum())

    @property
    def ends(self) -> IntArray:
        """(J,) one past each journey's last touch."""
        return self.starts + self.lengths

    @property
    def is_compact(self) -> bool:
        """True when the journeys cover the per-touch arrays without gaps."""
        return self.n_touches == len(self.at)

    @cached_property
    def touch_journey(self) -> npt.NDArray[np.int32]:
        """(N,) the journey of every touch (compact journeys only)."""
        assert self.is_compact, "call compact() first"
        return np.repeat(np.arange(self.n_journeys, dtype=np.int32), self.lengths)

    def compact(self) -> Journeys:
        """The same journeys with the gaps between them removed."""
        if self.is_compact:
            return self
        new_starts = np.zeros(self.n_journeys, dtype=np.int64)
        np.cumsum(self.lengths[:-1], out=new_starts[1:])
        index = np.repeat(self.starts - new_starts, self.lengths)
        index += np.arange(len(index))
        return replace(
            self,
            starts=new_starts,
            touch_id=self.touch_id[index],
            at=self.at[index],
            channel=None if self.channel is None else self.channel[index],
        )


@dataclass(frozen=True)
class _Conversions:
    ids: IntArray
    """Conversion ids sorted ascending (unique); the other arrays follow this order."""
    time_column: str
    at: IntArray
    milestones: dict[str, IntArray]
    value: FloatArray | None


def build_journeys(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    lookback_days: float | None = None,
    milestones: tuple[str, ...] = (),
    with_channel: bool = False,
    with_value: bool = False,
) -> Journeys:
    """Lay out the eligible touches of every conversion (see the module docstring)."""
    time_column = check_kind(kind)
    lookback_ns = check_lookback(lookback_days)
    convs = _read_conversions(conversions, time_column, milestones, with_value)

    conversion_id = int_column(touches, "conversion_id", "touches")
    touch_id = int_column(touches, "touch_id", "touches")
    at = ns_column(touches, "at", "touches")
    channel, labels = _read_channel(touches) if with_channel else (None, None)

    status, seg_starts = kernels.sorted_runs(conversion_id, at, touch_id)
    if status == kernels.HAS_NAT:
        # Touches without a time can never be eligible.
        known = at != NAT
        conversion_id, touch_id, at = conversion_id[known], touch_id[known], at[known]
        channel = None if channel is None else channel[known]
        status, seg_starts = kernels.sorted_runs(conversion_id, at, touch_id)
    if status == kernels.UNSORTED:
        order = _touch_order(conversion_id, at, touch_id)
        conversion_id, touch_id, at = conversion_id[order], touch_id[order], at[order]
        channel = None if channel is None else channel[order]
        status, seg_starts = kernels.sorted_runs(conversion_id, at, touch_id)
    assert status == kernels.SORTED

    return _select_eligible(
        convs, conversion_id, seg_starts, touch_id, at, channel, labels, lookback_ns
    )


def _touch_order(conversion_id: IntArray, at: IntArray, touch_id: IntArray) -> IntArray:
    """Permutation sorting by (conversion_id, at, touch_id)."""
    if is_sorted_lex((at, touch_id)):
        # Event-log order: a stable sort by conversion alone finishes the job.
        return lexsort_packed((conversion_id,))
    return lexsort_packed((conversion_id, at, touch_id))


def _read_conversions(
    conversions: pd.DataFrame, time_column: str, milestones: tuple[str, ...], with_value: bool
) -> _Conversions:
    ids = int_column(conversions, "conversion_id", "conversions")
    # Usually already in id order (a primary key): then nothing needs reordering.
    order = None if bool(np.all(ids[1:] > ids[:-1])) else np.argsort(ids, kind="stable")

    def ordered(values: np.ndarray) -> np.ndarray:
        return values if order is None else values[order]

    sorted_ids = ordered(ids)
    duplicated = sorted_ids[1:] == sorted_ids[:-1]
    if duplicated.any():
        example = int(sorted_ids[1:][duplicated][0])
        raise ValueError(f"conversions.conversion_id is not unique (e.g. {example})")
    at = ordered(ns_column(conversions, time_column, "conversions"))
    times = {
        name: ordered(ns_column(conversions, MILESTONE_COLUMNS[name], "conversions"))
        for name in milestones
    }
    value = None
    if with_value:
        require_columns(conversions, ["value"], "conversions")
        value = ordered(conversions["value"].to_numpy(dtype=np.float64, na_value=0.0))
    return _Conversions(sorted_ids, time_column, at, times, value)


def _read_channel(touches: pd.DataFrame) -> tuple[IntArray, pd.Index]:
    from ._channels import encode_labels

    require_columns(touches, ["channel"], "touches")
    return encode_labels(touches["channel"])


def _select_eligible(
    convs: _Conversions,
    conversion_id: IntArray,
    seg_starts: IntArray,
    touch_id: IntArray,
    at: IntArray,
    channel: IntArray | None,
    labels: pd.Index | None,
    lookback_ns: int | None,
) -> Journeys:
    """Find each conversion's window of eligible touches and describe them as journeys."""
    # Touches of a conversion missing from `conversions` are ignored.
    seg_rows, seg_known = _lookup(convs.ids, conversion_id[seg_starts])
    names = list(convs.milestones)
    milestone_at = np.empty((len(names), len(convs.ids)), dtype=np.int64)
    for k, name in enumerate(names):
        milestone_at[k] = convs.milestones[name]
    rows, journey_conversion, starts, lengths, holders = kernels.eligible_windows(
        at,
        conversion_id,
        seg_starts,
        seg_rows,
        seg_known,
        convs.at,
        milestone_at,
        -1 if lookback_ns is None else lookback_ns,
    )
    attributed = np.zeros(len(convs.ids), dtype=np.bool_)
    attributed[rows] = True
    return Journeys(
        conversion_id=journey_conversion,
        starts=starts,
        lengths=lengths,
        conversion_at=convs.at[rows],
        time_column=convs.time_column,
        milestones={name: holders[k] for k, name in enumerate(names)},
        value=None if convs.value is None else convs.value[rows],
        touch_id=touch_id,
        at=at,
        channel=channel,
        channel_labels=labels,
        unattributed=convs.ids[~attributed],
    )


def _lookup(ids: IntArray, wanted: IntArray) -> tuple[IntArray, BoolArray]:
    """Index of each wanted id in the sorted unique ``ids``, and whether it is there at all."""
    if len(ids) == 0:
        return np.zeros(len(wanted), dtype=np.int64), np.zeros(len(wanted), dtype=np.bool_)
    if len(ids) == len(wanted) and np.array_equal(ids, wanted):
        # Every conversion has touches: segment s is conversion s.
        return np.arange(len(ids), dtype=np.int64), np.ones(len(ids), dtype=np.bool_)
    low, high = int(ids[0]), int(ids[-1])
    span = high - low
    if span <= 8 * len(ids) + 1024:
        # Dense ids (the usual auto-increment keys): a direct lookup table beats bisection.
        table = np.full(span + 1, -1, dtype=np.int64)
        table[ids - low] = np.arange(len(ids))
        inside = (wanted >= low) & (wanted <= high)
        found = np.where(inside, table[np.where(inside, wanted - low, 0)], -1)
        return np.maximum(found, 0), found >= 0
    where = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return where, ids[where] == wanted
