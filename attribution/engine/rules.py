"""Rule-based attribution models (SPEC §8).

Positions on a journey (its eligible touches ordered by ``at`` then ``touch_id``):

* **first** - the earliest eligible touch;
* **lead** - the last eligible touch at or before ``lead_created_at``;
* **deal** - the last eligible touch at or before ``deal_created_at``;
* **closed** - the last eligible touch at or before ``closed_at``;
* **last** - the last eligible touch (at or before the conversion time of the report's kind).

A milestone that *is* the conversion time of the kind (lead creation for ``contact_create``,
deal creation for ``deal_create``, closed won for ``revenue``) is the last touch.

Weights (percent), the rest being shared evenly by eligible touches holding no position:

================  =====  ====  ====  ======  ====  ====
model             first  lead  deal  closed  last  rest
================  =====  ====  ====  ======  ====  ====
first_interaction   100
last_interaction                             100
u_shaped             40    40                        20
w_shaped             30    30    30                  10
full_path          22.5  22.5  22.5    22.5          10
j_shaped             20                        60    20
inverse_j_shaped     60                        20    20
================  =====  ====  ====  ======  ====  ====

A touch holding several positions gets the sum of their weights. A position no touch can hold
(no eligible touch at or before its milestone, or a NaT milestone) loses its weight, and so does
the rest when every touch holds a position; the remaining weights are renormalised to 1. So
U-shaped on two touches is 50/50, J-shaped 25/75, inverse J 75/25, and one touch gets 100%.

``linear`` gives every eligible touch the same share. ``time_decay`` weighs a touch
``2 ** (-days_before_conversion / half_life_days)`` and normalises per conversion; it is
computed relative to the journey's latest touch, which leaves the normalised result unchanged
and keeps the largest weight at 1 so old journeys cannot underflow to 0/0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kernels as kernels
from ._frames import NS_PER_DAY, FloatArray, IntArray
from .journeys import KINDS, MILESTONE_COLUMNS, Journeys


@dataclass(frozen=True)
class PositionModel:
    """Weights per position plus the weight shared by the touches holding none."""

    weights: dict[str, float]
    rest: float
    kinds: tuple[str, ...] = tuple(KINDS)
    """Kinds that have every milestone this model needs."""


POSITION_MODELS: dict[str, PositionModel] = {
    "first_interaction": PositionModel({"first": 1.0}, 0.0),
    "last_interaction": PositionModel({"last": 1.0}, 0.0),
    "u_shaped": PositionModel({"first": 0.4, "lead": 0.4}, 0.2),
    "w_shaped": PositionModel(
        {"first": 0.3, "lead": 0.3, "deal": 0.3}, 0.1, ("deal_create", "revenue")
    ),
    "full_path": PositionModel(
        {"first": 0.225, "lead": 0.225, "deal": 0.225, "closed": 0.225}, 0.1, ("revenue",)
    ),
    "j_shaped": PositionModel({"first": 0.2, "last": 0.6}, 0.2),
    "inverse_j_shaped": PositionModel({"first": 0.6, "last": 0.2}, 0.2),
}
RULE_BASED_MODELS: tuple[str, ...] = (*POSITION_MODELS, "linear", "time_decay")


def milestones_needed(model: str, kind: str) -> tuple[str, ...]:
    """Milestone columns to read for ``model`` (those that differ from the conversion time)."""
    spec = POSITION_MODELS.get(model)
    if spec is None:
        return ()
    return tuple(
        position
        for position in spec.weights
        if position in MILESTONE_COLUMNS and MILESTONE_COLUMNS[position] != KINDS[kind]
    )


def check_model_kind(model: str, kind: str) -> None:
    """ValueError when ``kind`` lacks a milestone the model needs (W-shaped, full path)."""
    spec = POSITION_MODELS.get(model)
    if spec is not None and kind not in spec.kinds:
        raise ValueError(
            f"model {model!r} needs a milestone that kind {kind!r} does not have; "
            f"it applies to: {', '.join(spec.kinds)}"
        )


def sole_position(journeys: Journeys, model: str) -> IntArray | None:
    """(J,) the touch holding all the credit of each journey, for first/last interaction."""
    if model == "first_interaction":
        return journeys.starts
    if model == "last_interaction":
        return journeys.ends - 1
    return None


def fill_rule_credit(
    journeys: Journeys, model: str, out: FloatArray, *, half_life_days: float = 7.0
) -> None:
    """Write the credit of every eligible touch, journey by journey, into ``out``."""
    if model == "linear":
        kernels.linear_credit(journeys.lengths, out)
    elif model == "time_decay":
        # Relative to the latest touch: same ratios as ages before conversion, no underflow.
        half_life_ns = float(half_life_days * NS_PER_DAY)
        kernels.decay_exponents(journeys.at, journeys.starts, journeys.lengths, half_life_ns, out)
        np.exp2(out, out=out)  # numpy's vectorised exp2 is far faster than a scalar loop
        kernels.normalise(journeys.lengths, out)
    else:
        spec = POSITION_MODELS[model]
        names = list(spec.weights)
        weights = np.array([spec.weights[name] for name in names])
        positions = _positions(journeys, names)
        kernels.position_credit(
            journeys.starts, journeys.lengths, positions, weights, spec.rest, out
        )


def _positions(journeys: Journeys, names: list[str]) -> IntArray:
    """(positions, J) touch index holding each position per journey, -1 where empty."""
    positions = np.empty((len(names), journeys.n_journeys), dtype=np.int64)
    for row, name in enumerate(names):
        if name == "first":
            positions[row] = journeys.starts
        elif name == "last" or MILESTONE_COLUMNS[name] == journeys.time_column:
            positions[row] = journeys.ends - 1  # the milestone is the conversion time itself
        else:
            positions[row] = journeys.milestones[name]
    return positions
