"""Markov-chain attribution with exact removal effects.

The chain: each path (a conversion's eligible touches ordered by ``at`` then ``touch_id``, or
a non-converting path) is the walk ``(start) -> s1 -> s2 -> ... -> (conversion | null)``. With
``order = k`` a state is the tuple of the last ``k`` channels seen (shorter at the start of the
path), so order 1 states are channels. Transition probabilities are the observed transition
counts normalised per state; every path counts once. Self-transitions (the same state twice in
a row) are left out: they do not change any absorption probability, and ChannelAttribution
leaves them out too.

Removal effect of channel ``c``: every state containing ``c`` is turned into the null state,
and ``RE(c) = 1 - P(conversion | c removed) / P(conversion)``. The absorption probabilities are
computed *exactly*: ``x = (I - Q)^-1 r`` on the transient states (``Q`` the transient block of
the transition matrix, ``r`` the one-step conversion probabilities), with ``numpy.linalg.solve``
on the full chain and on the chain restricted to the states that survive each removal. No
simulation is involved, so results are deterministic. The solves run on one BLAS thread: the
systems are small (a few hundred states), and OpenBLAS's threads made the ~200 solves of the
large demo tenant take 0.8-4.8 s instead of 0.08 s (they spin against each other and against
any other busy process on a two-core machine).

Channel credit shares are the normalised removal effects; ``conversions`` is the share of the
converting paths, ``value`` the share of their total value.

Per-conversion allocation (``allocate(model="markov")``): each conversion's credit is split
between the distinct channels of its path in proportion to their removal effects, and a
channel's part is divided evenly among its touches on that path (see ``_channels``). The
channel totals of that allocation therefore follow the paths actually taken; the global shares
above are the model's answer for "which channel matters overall".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import _kernels as kernels
from ._channels import Paths, by_share, channel_paths, split_by_channel_weight
from ._frames import FloatArray, IntArray
from .journeys import Journeys, build_journeys

MAX_DENSE_STATES = 5000
"""Largest transient state space solved directly (a dense solve is O(states^3))."""


@dataclass(frozen=True)
class Chain:
    """Absorbing Markov chain: states ``0..S-1`` transient, then start, conversion, null."""

    states: IntArray
    """(S, order) channel indices (into ``channels``) of each state, most recent first;
    -1 where the state is shorter than the order."""
    counts: FloatArray
    """(S + 3, S + 3) transition counts; index S is start, S + 1 conversion, S + 2 null."""
    channels: pd.Index
    """Labels of the channels occurring on the paths."""

    @property
    def n_states(self) -> int:
        return len(self.states)

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    def probabilities(self) -> FloatArray:
        """Row-normalised transition matrix (absorbing rows left at zero)."""
        totals = self.counts.sum(axis=1, keepdims=True)
        return np.divide(self.counts, totals, out=np.zeros_like(self.counts), where=totals > 0)


def build_chain(paths: Paths, order: int = 1) -> Chain:
    """Count the transitions of every path (see the module docstring)."""
    if order < 1:
        raise ValueError(f"markov order must be at least 1, got {order}")
    if order == 1:
        # States are channels: count straight from the journeys' windows, nothing copied.
        n_states = int(paths.used.sum())
        counts = np.zeros((n_states + 3, n_states + 3))
        for (channel, starts, lengths), exit_state in (
            (paths.converting, n_states + 1),
            (paths.non_converting, n_states + 2),
        ):
            kernels.count_transitions(
                channel, paths.dense, starts, lengths, n_states, exit_state, counts
            )
        states = np.arange(n_states, dtype=np.int64).reshape(-1, 1)
        return Chain(states, counts, paths.used_labels)
    flat = paths.contiguous()
    keys, state = _factorize(
        _state_keys(flat.channel, flat.starts, flat.lengths, order, flat.n_channels)
    )
    n_states = len(keys)
    counts = np.zeros((n_states + 3, n_states + 3))
    identity = np.arange(n_states, dtype=np.int64)
    split = paths.n_converting
    for part, exit_state in (
        (slice(None, split), n_states + 1),
        (slice(split, None), n_states + 2),
    ):
        kernels.count_transitions(
            state, identity, flat.starts[part], flat.lengths[part], n_states, exit_state, counts
        )
    return Chain(_decode_states(keys, order, flat.n_channels), counts, flat.labels)


def _factorize(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct keys and each key's index among them (np.sort is the fast path)."""
    ordered = np.sort(keys)
    distinct = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
    return distinct, np.searchsorted(distinct, keys)


def _state_keys(
    channel: IntArray, starts: IntArray, lengths: IntArray, order: int, n_channels: int
) -> IntArray:
    """Per touch, the last ``order`` channels of its path encoded in base ``channels + 1``."""
    base = n_channels + 1
    if base**order >= 2**62:
        raise ValueError(f"markov order {order} is too high for {n_channels} channels")
    position = np.arange(len(channel)) - np.repeat(starts, lengths)
    key = channel + 1
    for lag in range(1, order):
        previous = np.zeros_like(key)
        previous[lag:] = channel[:-lag] + 1
        previous[position < lag] = 0  # before the path's start: padding
        key = key + previous * base**lag
    return key


def _decode_states(keys: IntArray, order: int, n_channels: int) -> IntArray:
    """(S, order) channel indices, most recent first; -1 for padding."""
    base = n_channels + 1
    digits = (keys[:, None] // base ** np.arange(order)) % base
    return digits - 1


def conversion_probabilities(chain: Chain) -> tuple[float, FloatArray]:
    """P(conversion) of the whole chain and, per channel, with that channel removed."""
    transient = chain.n_states + 1  # the channel states and start
    if transient > MAX_DENSE_STATES:
        raise ValueError(
            f"the chain has {transient} states, more than {MAX_DENSE_STATES} can be solved "
            "exactly; use a lower markov order"
        )
    probability = chain.probabilities()
    system = np.eye(transient) - probability[:transient, :transient]
    to_conversion = probability[:transient, chain.n_states + 1]
    with threadpool_limits(limits=1, user_api="blas"):
        base = _absorb(system, to_conversion, np.ones(transient, dtype=np.bool_))
        removed = np.empty(chain.n_channels)
        for channel in range(chain.n_channels):
            keep = np.append(~(chain.states == channel).any(axis=1), True)  # start stays
            removed[channel] = _absorb(system, to_conversion, keep)
    return base, removed


def _absorb(system: FloatArray, to_conversion: FloatArray, keep: np.ndarray) -> float:
    """P(conversion) from start (the last transient state) on the chain restricted to ``keep``."""
    index = np.flatnonzero(keep)
    solution = np.linalg.solve(system[np.ix_(index, index)], to_conversion[index])
    return float(solution[-1])


def removal_effects(chain: Chain) -> FloatArray:
    """Per channel ``1 - P(conversion | removed) / P(conversion)`` (0 when nothing converts)."""
    base, removed = conversion_probabilities(chain)
    if base <= 0.0:
        return np.zeros(len(removed))
    # Rounding can push a tiny effect just below zero; an effect is never negative.
    return np.clip(1.0 - removed / base, 0.0, None)


def _shares(effects: FloatArray) -> FloatArray:
    total = effects.sum()
    return effects / total if total > 0 else np.zeros_like(effects)


def markov_channel_credit(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    order: int = 1,
    lookback_days: float | None = None,
    non_converting_paths: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per channel: removal effect, credit share, attributed conversions and value.

    ``touches`` needs a ``channel`` column; ``non_converting_paths`` (optional) has columns
    ``path_id``, ``channel`` and ``position`` or ``at`` (the order within a path). Returns
    columns ``channel, removal_effect, share, conversions, value`` sorted by share, largest
    first; shares sum to 1 (0 everywhere when nothing converts).
    """
    journeys = build_journeys(
        touches,
        conversions,
        kind=kind,
        lookback_days=lookback_days,
        with_channel=True,
        with_value=True,
    )
    chain = build_chain(channel_paths(journeys, non_converting_paths), order)
    effects = removal_effects(chain)
    share = _shares(effects)
    assert journeys.value is not None
    frame = pd.DataFrame(
        {
            "channel": chain.channels,
            "removal_effect": effects,
            "share": share,
            "conversions": share * journeys.n_journeys,
            "value": share * journeys.value.sum(),
        }
    )
    return by_share(frame)


def markov_transition_matrix(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    kind: str,
    order: int = 1,
    lookback_days: float | None = None,
    non_converting_paths: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The estimated chain as rows ``from_state, to_state, probability`` (non-zero only).

    States are channel labels joined with ``" > "`` in path order (order > 1), plus
    ``(start)``, ``(conversion)`` and ``(null)``.
    """
    journeys = build_journeys(
        touches, conversions, kind=kind, lookback_days=lookback_days, with_channel=True
    )
    chain = build_chain(channel_paths(journeys, non_converting_paths), order)
    names = [*_state_names(chain), "(start)", "(conversion)", "(null)"]
    probability = chain.probabilities()
    source, target = np.nonzero(probability)
    return pd.DataFrame(
        {
            "from_state": [names[i] for i in source],
            "to_state": [names[i] for i in target],
            "probability": probability[source, target],
        }
    )


def _state_names(chain: Chain) -> list[str]:
    text = [str(label) for label in chain.channels]
    return [" > ".join(text[code] for code in reversed(row) if code >= 0) for row in chain.states]


def markov_touch_credit(
    journeys: Journeys, non_converting_paths: pd.DataFrame | None, order: int
) -> FloatArray:
    """Per-touch credit of ``allocate(model="markov")`` (see the module docstring)."""
    paths = channel_paths(journeys, non_converting_paths)
    effects = removal_effects(build_chain(paths, order))
    # Weights over every label of the touches' channel codes (unused labels weigh nothing).
    weight = np.zeros(len(paths.labels))
    weight[paths.used] = effects
    return split_by_channel_weight(journeys, weight)
