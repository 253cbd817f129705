"""``allocate``: one entry point for every model, and ``allocate_many`` to share the work.

Output contract: a DataFrame ``conversion_id, touch_id, credit`` where ``credit`` is the share
of the conversion earned by the touch (multiply by the conversion's value for revenue). The
credits of a conversion sum to 1. Only touches earning a positive credit get a row; a
conversion with no eligible touch gets one row ``touch_id = -1, credit = 1.0``. Rows of one
conversion are contiguous, in touch order; unattributed conversions come last. The row order
is otherwise unspecified.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _kernels as kernels
from ._frames import UNATTRIBUTED_TOUCH_ID, FloatArray, IntArray, credits_frame
from .journeys import Journeys, build_journeys, check_kind, check_lookback
from .markov import markov_touch_credit
from .rules import (
    POSITION_MODELS,
    RULE_BASED_MODELS,
    check_model_kind,
    fill_rule_credit,
    milestones_needed,
    sole_position,
)
from .shapley import check_options, shapley_touch_credit

DATA_DRIVEN_MODELS: tuple[str, ...] = ("markov", "shapley")
MODELS: tuple[str, ...] = (*RULE_BASED_MODELS, *DATA_DRIVEN_MODELS)


def allocate(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    model: str,
    kind: str,
    half_life_days: float = 7.0,
    lookback_days: float | None = None,
    markov_order: int = 1,
    non_converting_paths: pd.DataFrame | None = None,
    shapley_characteristic: str = "conversions",
    shapley_method: str = "auto",
    shapley_max_exact_channels: int = 15,
    shapley_samples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Credit of every touch of every conversion under ``model`` for ``kind``.

    ``touches``: ``conversion_id, touch_id, at`` (+ ``channel`` for markov/shapley).
    ``conversions``: ``conversion_id`` and the time columns the kind and model need
    (``lead_created_at``, ``deal_created_at``, ``closed_at``). Data-driven options:
    ``markov_order`` (state = last k channels), ``non_converting_paths`` (``path_id, channel``
    and ``position`` or ``at``), the ``shapley_*`` options and ``seed`` (permutation sampling);
    rule-based models ignore them. See the module docstrings of ``rules``, ``markov`` and
    ``shapley`` for the semantics. Raises ValueError for an unknown model or kind, a model that
    needs a milestone the kind lacks, or invalid options.
    """
    return allocate_many(
        touches,
        conversions,
        models=(model,),
        kind=kind,
        half_life_days=half_life_days,
        lookback_days=lookback_days,
        markov_order=markov_order,
        non_converting_paths=non_converting_paths,
        shapley_characteristic=shapley_characteristic,
        shapley_method=shapley_method,
        shapley_max_exact_channels=shapley_max_exact_channels,
        shapley_samples=shapley_samples,
        seed=seed,
    )[model]


def allocate_many(
    touches: pd.DataFrame,
    conversions: pd.DataFrame,
    *,
    models: Sequence[str],
    kind: str,
    half_life_days: float = 7.0,
    lookback_days: float | None = None,
    markov_order: int = 1,
    non_converting_paths: pd.DataFrame | None = None,
    shapley_characteristic: str = "conversions",
    shapley_method: str = "auto",
    shapley_max_exact_channels: int = 15,
    shapley_samples: int = 2000,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """``allocate`` for several models at once, reading and sorting the touches only once."""
    check_kind(kind)
    check_lookback(lookback_days)
    for model in models:
        _check_model(model, kind)
    if "time_decay" in models and not (math.isfinite(half_life_days) and half_life_days > 0):
        raise ValueError(f"half_life_days must be a positive number, got {half_life_days!r}")
    if "markov" in models and markov_order < 1:
        raise ValueError(f"markov_order must be at least 1, got {markov_order}")
    if "shapley" in models:
        check_options(shapley_characteristic, shapley_method, shapley_samples)

    milestones = sorted({name for model in models for name in milestones_needed(model, kind)})
    journeys = build_journeys(
        touches,
        conversions,
        kind=kind,
        lookback_days=lookback_days,
        milestones=tuple(milestones),
        with_channel=any(model in DATA_DRIVEN_MODELS for model in models),
    )
    options = _Options(
        half_life_days=half_life_days,
        markov_order=markov_order,
        non_converting_paths=non_converting_paths,
        shapley_characteristic=shapley_characteristic,
        shapley_method=shapley_method,
        shapley_max_exact_channels=shapley_max_exact_channels,
        shapley_samples=shapley_samples,
        seed=seed,
    )
    return {model: _model_credits(journeys, model, options) for model in models}


@dataclass(frozen=True)
class _Options:
    half_life_days: float
    markov_order: int
    non_converting_paths: pd.DataFrame | None
    shapley_characteristic: str
    shapley_method: str
    shapley_max_exact_channels: int
    shapley_samples: int
    seed: int


def _check_model(model: str, kind: str) -> None:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of: {', '.join(MODELS)}")
    check_model_kind(model, kind)


def _model_credits(journeys: Journeys, model: str, options: _Options) -> pd.DataFrame:
    sole = sole_position(journeys, model)
    if sole is not None:
        return _sole_credits(journeys, sole)
    rows = journeys.n_touches
    conversion_id, touch_id, credit = _columns(rows, journeys.unattributed)
    kernels.write_rows(
        journeys.starts,
        journeys.lengths,
        journeys.conversion_id,
        journeys.touch_id,
        conversion_id,
        touch_id,
    )
    if model == "markov":
        credit[:rows] = markov_touch_credit(
            journeys, options.non_converting_paths, options.markov_order
        )
    elif model == "shapley":
        credit[:rows] = shapley_touch_credit(
            journeys,
            options.non_converting_paths,
            characteristic=options.shapley_characteristic,
            method=options.shapley_method,
            max_exact_channels=options.shapley_max_exact_channels,
            samples=options.shapley_samples,
            seed=options.seed,
        )
    else:
        fill_rule_credit(journeys, model, credit[:rows], half_life_days=options.half_life_days)
    if model in ("linear", *POSITION_MODELS):
        # Every eligible touch gets a positive share: nothing to filter.
        return credits_frame(conversion_id, touch_id, credit)
    positive = credit > 0.0
    if not positive.all():
        # Zero credit (a time-decay weight that underflowed, a zero Markov effect): no row.
        conversion_id, touch_id, credit = (
            conversion_id[positive],
            touch_id[positive],
            credit[positive],
        )
    return credits_frame(conversion_id, touch_id, credit)


def _sole_credits(journeys: Journeys, touch: IntArray) -> pd.DataFrame:
    """One row per journey: the touch holding all its credit."""
    rows = journeys.n_journeys
    conversion_id, touch_id, credit = _columns(rows, journeys.unattributed)
    conversion_id[:rows] = journeys.conversion_id
    np.take(journeys.touch_id, touch, out=touch_id[:rows], mode="clip")
    credit[:rows] = 1.0
    return credits_frame(conversion_id, touch_id, credit)


def _columns(rows: int, unattributed: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Output columns with ``rows`` rows to fill, then the unattributed rows already filled."""
    size = rows + len(unattributed)
    conversion_id = np.empty(size, dtype=np.int64)
    touch_id = np.empty(size, dtype=np.int64)
    credit = np.empty(size)
    conversion_id[rows:] = unattributed
    touch_id[rows:] = UNATTRIBUTED_TOUCH_ID
    credit[rows:] = 1.0
    return conversion_id, touch_id, credit
