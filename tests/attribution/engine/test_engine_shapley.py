"""Shapley attribution: coalition games solved by hand.

Conversions game: paths {a, b} and {a} give v(a) = 1, v(b) = 0, v(ab) = 2, so
phi_a = ((1 - 0) + (2 - 0)) / 2 = 3/2 and phi_b = ((0 - 0) + (2 - 1)) / 2 = 1/2.

Conversion-rate game: converting paths a and a > b, a non-converting path a. Paths using only
{a}: 1 conversion of 2 (1/2); only {b}: none (0); {a, b}: 2 of 3 (2/3). So
phi_a = ((1/2 - 0) + (2/3 - 0)) / 2 = 7/12, phi_b = ((0 - 0) + (2/3 - 1/2)) / 2 = 1/12.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from attribution.engine import allocate, shapley_channel_credit
from attribution.engine._channels import Paths
from attribution.engine.shapley import shapley_values

from ._support import assert_credits, conversions_frame, credit_map, touches_frame


def _two_paths() -> tuple[pd.DataFrame, pd.DataFrame]:
    touches = touches_frame([(1, 11, 1, "a"), (1, 12, 2, "b"), (2, 21, 1, "a")])
    return touches, conversions_frame([(1, 5, None, None), (2, 5, None, None)])


def _by_channel(frame: pd.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["channel"], frame[column], strict=True))


def _rate_game() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    touches, conversions = _two_paths()
    nulls = pd.DataFrame({"path_id": [1], "position": [0], "channel": ["a"]})
    return touches, conversions, nulls


def _random_paths(n_channels: int, n_paths: int, seed: int, converted_share: float) -> Paths:
    """Random paths of 1-4 touches; every channel occurs; the first path converts."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 5, n_paths)
    channel = rng.integers(0, n_channels, int(lengths.sum()))
    channel[:n_channels] = np.arange(n_channels)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    converted = rng.random(n_paths) < converted_share
    converted[0] = True
    labels = pd.Index([f"c{i}" for i in range(n_channels)], dtype=object)
    # Converting paths stay windows of the full array; non-converting ones are copied out.
    nulls = [channel[starts[p] : starts[p] + lengths[p]] for p in np.flatnonzero(~converted)]
    null_lengths = np.array([len(part) for part in nulls], dtype=np.int64)
    null_channel = np.concatenate(nulls) if nulls else np.zeros(0, dtype=np.int64)
    null_starts = np.concatenate([[0], np.cumsum(null_lengths)[:-1]]).astype(np.int64)
    return Paths(
        labels,
        (channel, starts[converted], lengths[converted]),
        (null_channel, null_starts[: len(nulls)], null_lengths),
    )


@pytest.mark.parametrize("method", ["auto", "exact", "sample"])
def test_conversions_game_matches_the_hand_computed_values(method: str) -> None:
    touches, conversions = _two_paths()
    result = shapley_channel_credit(
        touches, conversions, kind="contact_create", method=method, samples=4000
    )
    tolerance = 0.05 if method == "sample" else 1e-12
    assert _by_channel(result, "shapley_value") == pytest.approx(
        {"a": 1.5, "b": 0.5}, abs=tolerance
    )
    assert _by_channel(result, "share") == pytest.approx({"a": 0.75, "b": 0.25}, abs=tolerance)


def test_conversion_rate_game_matches_the_hand_computed_values() -> None:
    touches, conversions, nulls = _rate_game()
    result = shapley_channel_credit(
        touches,
        conversions,
        kind="contact_create",
        non_converting_paths=nulls,
        characteristic="conversion_rate",
    )
    assert _by_channel(result, "shapley_value") == pytest.approx({"a": 7 / 12, "b": 1 / 12})
    assert _by_channel(result, "share") == pytest.approx({"a": 7 / 8, "b": 1 / 8})
    assert _by_channel(result, "conversions") == pytest.approx({"a": 7 / 4, "b": 1 / 4})


def test_shapley_allocation_splits_each_conversion_by_channel_value() -> None:
    touches, conversions = _two_paths()
    credits = allocate(touches, conversions, model="shapley", kind="contact_create")
    assert_credits(credit_map(credits, 1), {11: 0.75, 12: 0.25})
    assert_credits(credit_map(credits, 2), {21: 1.0})


def test_exact_enumeration_equals_the_even_split_closed_form() -> None:
    paths = _random_paths(n_channels=9, n_paths=300, seed=1, converted_share=1.0)
    exact = shapley_values(paths, method="exact")
    closed = shapley_values(paths, method="auto")
    np.testing.assert_allclose(exact, closed, rtol=1e-12)
    assert exact.sum() == pytest.approx(len(paths.converting[1]))


def test_sampling_estimates_the_exact_conversion_rate_values() -> None:
    paths = _random_paths(n_channels=6, n_paths=400, seed=2, converted_share=0.4)
    exact = shapley_values(paths, characteristic="conversion_rate", method="exact")
    sampled = shapley_values(
        paths, characteristic="conversion_rate", method="sample", samples=6000, seed=3
    )
    np.testing.assert_allclose(sampled, exact, atol=0.01)
    # Efficiency: the values add up to the overall conversion rate.
    n_converting = len(paths.converting[1])
    share = n_converting / (n_converting + len(paths.non_converting[1]))
    assert exact.sum() == pytest.approx(share)


def test_sampling_is_reproducible_with_the_same_seed() -> None:
    paths = _random_paths(n_channels=18, n_paths=500, seed=5, converted_share=0.5)
    first = shapley_values(paths, characteristic="conversion_rate", samples=50, seed=7)
    again = shapley_values(paths, characteristic="conversion_rate", samples=50, seed=7)
    other = shapley_values(paths, characteristic="conversion_rate", samples=50, seed=8)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_auto_samples_beyond_the_exact_channel_limit() -> None:
    paths = _random_paths(n_channels=5, n_paths=200, seed=6, converted_share=0.5)
    exact = shapley_values(paths, characteristic="conversion_rate", max_exact_channels=5)
    sampled = shapley_values(
        paths, characteristic="conversion_rate", max_exact_channels=4, samples=3000, seed=1
    )
    assert not np.allclose(exact, sampled, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sampled, exact, atol=0.02)


def test_sampling_handles_more_than_sixty_four_channels() -> None:
    paths = _random_paths(n_channels=70, n_paths=600, seed=8, converted_share=1.0)
    closed = shapley_values(paths)
    sampled = shapley_values(paths, method="sample", samples=3000, seed=2)
    assert sampled.sum() == pytest.approx(closed.sum())
    np.testing.assert_allclose(sampled, closed, atol=0.6)


def test_exact_values_over_too_many_channels_are_refused() -> None:
    paths = _random_paths(n_channels=21, n_paths=100, seed=9, converted_share=1.0)
    with pytest.raises(ValueError, match="method='sample'"):
        shapley_values(paths, method="exact")


def test_conversion_rate_needs_non_converting_paths() -> None:
    touches, conversions = _two_paths()
    with pytest.raises(ValueError, match="non_converting_paths"):
        allocate(
            touches,
            conversions,
            model="shapley",
            kind="contact_create",
            shapley_characteristic="conversion_rate",
        )


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("shapley_characteristic", "revenue", "characteristic"),
        ("shapley_method", "guess", "method"),
        ("shapley_samples", 0, "samples"),
    ],
)
def test_invalid_shapley_options_are_named(option: str, value: object, message: str) -> None:
    touches, conversions = _two_paths()
    options: dict[str, Any] = {option: value}
    with pytest.raises(ValueError, match=message):
        allocate(touches, conversions, model="shapley", kind="contact_create", **options)


def test_negative_values_give_no_credit_in_the_split() -> None:
    # Rate game where b dilutes: converting a, non-converting a > b and b.
    # v(a) = 1, v(b) = 0, v(ab) = 1/3: phi_a = (1 + 1/3) / 2 = 2/3, phi_b = (0 - 2/3) / 2 = -1/3.
    touches = touches_frame([(1, 1, 1, "a")])
    conversions = conversions_frame([(1, 5, None, None)])
    nulls = pd.DataFrame({"path_id": [1, 1, 2], "position": [0, 1, 0], "channel": ["a", "b", "b"]})
    result = shapley_channel_credit(
        touches,
        conversions,
        kind="contact_create",
        non_converting_paths=nulls,
        characteristic="conversion_rate",
    )
    assert _by_channel(result, "shapley_value") == pytest.approx({"a": 2 / 3, "b": -1 / 3})
    assert _by_channel(result, "share") == pytest.approx({"a": 1.0, "b": 0.0})
