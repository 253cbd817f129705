"""Cross-checks against ChannelAttribution (GPL: imported here only, never by the engine).

First/last/linear channel totals must equal ``heuristic_models`` exactly on generated paths.
Markov removal effects are compared with ``markov_model``, whose estimates come from
simulation, so only to a tolerance.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import Any

import numpy as np
import pandas as pd
import pytest

from attribution.engine import allocate, markov_channel_credit

from ._support import channel_totals, conversions_frame, path_strings, touches_frame

ca = pytest.importorskip("ChannelAttribution")

CHANNELS = ("ads", "mail", "seo", "social", "tv")


def _generated(seed: int, n_conversions: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paths of 1-8 touches with skewed channel use, some on equal times (ties by id)."""
    rng = np.random.default_rng(seed)
    rows = []
    touch = 0
    for conversion in range(n_conversions):
        for _ in range(int(rng.integers(1, 9))):
            touch += 1
            channel = CHANNELS[int(rng.choice(5, p=[0.35, 0.25, 0.2, 0.15, 0.05]))]
            rows.append((conversion, touch, float(rng.integers(0, 10)), channel))
    touches = touches_frame(rows).sample(frac=1.0, random_state=seed)
    conversions = conversions_frame([(c, 20, None, None) for c in range(n_conversions)])
    return touches, conversions


def _quiet(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_last_and_linear_channel_totals_equal_heuristic_models(seed: int) -> None:
    touches, conversions = _generated(seed, 400)
    paths = path_strings(touches).rename("path").reset_index()
    paths["conversions"] = 1.0
    theirs = _quiet(ca.heuristic_models, paths, "path", "conversions", flg_pro=False)
    theirs = theirs.set_index("channel_name").sort_index()
    for model, column in [
        ("first_interaction", "first_touch"),
        ("last_interaction", "last_touch"),
        ("linear", "linear_touch"),
    ]:
        ours = channel_totals(
            allocate(touches, conversions, model=model, kind="contact_create"), touches
        )
        expected = theirs[column][theirs[column] > 0]
        pd.testing.assert_series_equal(
            ours[ours > 0], expected, check_names=False, check_index_type=False, rtol=1e-12
        )


def test_markov_removal_effects_agree_with_the_simulated_markov_model() -> None:
    touches, conversions = _generated(7, 500)
    rng = np.random.default_rng(8)
    null_rows = [
        (path, position, CHANNELS[int(rng.choice(5, p=[0.1, 0.2, 0.3, 0.2, 0.2]))])
        for path in range(700)
        for position in range(int(rng.integers(1, 4)))
    ]
    nulls = pd.DataFrame(null_rows, columns=["path_id", "position", "channel"])
    ours = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    ).set_index("channel")

    converting = path_strings(touches).value_counts()
    non_converting = nulls.groupby("path_id")["channel"].agg(" > ".join).value_counts()
    data = pd.DataFrame({"conversions": converting, "nulls": non_converting}).fillna(0.0)
    data = data.rename_axis("path").reset_index()
    theirs = _quiet(
        ca.markov_model,
        data,
        "path",
        "conversions",
        var_null="nulls",
        out_more=True,
        flg_pro=False,
        verbose=False,
        seed=1,
    )
    effects = theirs["removal_effects"].set_index("channel_name")["removal_effect"]
    np.testing.assert_allclose(ours.loc[effects.index, "removal_effect"], effects, atol=0.03)
    shares = theirs["result"].set_index("channel_name")["total_conversions"] / len(conversions)
    np.testing.assert_allclose(ours.loc[shares.index, "share"], shares, atol=0.02)
