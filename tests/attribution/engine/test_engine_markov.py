"""Markov attribution: removal effects solved by hand on small chains.

Main chain (order 1). Converting paths ``a > b`` and ``b``; non-converting ``a`` and
``b > a``. Transitions: start -> a 1/2, start -> b 1/2; a -> b 1/3, a -> null 2/3;
b -> conversion 2/3, b -> a 1/3. Absorption: x_a = x_b / 3 and x_b = 2/3 + x_a / 3 give
x_b = 3/4, x_a = 1/4, so P(conversion) = (1/4 + 3/4) / 2 = 1/2.
Without a: x_b = 2/3, P = 1/3, removal effect 1 - (1/3)/(1/2) = 1/3.
Without b: x_a = 0, P = 0, removal effect 1. Shares: a 1/4, b 3/4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution.engine import allocate, markov_channel_credit, markov_transition_matrix

from ._support import assert_credits, conversions_frame, credit_map, touches_frame


def _main_chain() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    touches = touches_frame([(1, 11, 1, "a"), (1, 12, 2, "b"), (2, 21, 1, "b")])
    conversions = conversions_frame([(1, 5, None, None, 100.0), (2, 5, None, None, 300.0)])
    nulls = pd.DataFrame({"path_id": [7, 8, 8], "position": [0, 0, 1], "channel": ["a", "b", "a"]})
    return touches, conversions, nulls


def _by_channel(frame: pd.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["channel"], frame[column], strict=True))


def test_removal_effects_match_the_chain_solved_by_hand() -> None:
    touches, conversions, nulls = _main_chain()
    result = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    assert list(result.columns) == ["channel", "removal_effect", "share", "conversions", "value"]
    assert _by_channel(result, "removal_effect") == pytest.approx({"a": 1 / 3, "b": 1.0})
    assert _by_channel(result, "share") == pytest.approx({"a": 0.25, "b": 0.75})
    assert _by_channel(result, "conversions") == pytest.approx({"a": 0.5, "b": 1.5})
    assert _by_channel(result, "value") == pytest.approx({"a": 100.0, "b": 300.0})
    assert result["channel"].tolist() == ["b", "a"]  # largest share first


def test_the_transition_matrix_holds_the_observed_probabilities() -> None:
    touches, conversions, nulls = _main_chain()
    matrix = markov_transition_matrix(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    got = {(row.from_state, row.to_state): row.probability for row in matrix.itertuples()}
    assert got == pytest.approx(
        {
            ("(start)", "a"): 1 / 2,
            ("(start)", "b"): 1 / 2,
            ("a", "b"): 1 / 3,
            ("a", "(null)"): 2 / 3,
            ("b", "(conversion)"): 2 / 3,
            ("b", "a"): 1 / 3,
        }
    )


def test_markov_allocation_splits_each_conversion_by_removal_effect() -> None:
    touches, conversions, nulls = _main_chain()
    credits = allocate(
        touches, conversions, model="markov", kind="contact_create", non_converting_paths=nulls
    )
    assert_credits(credit_map(credits, 1), {11: 0.25, 12: 0.75})
    assert_credits(credit_map(credits, 2), {21: 1.0})


def test_a_channel_repeated_on_a_path_shares_its_part_between_its_touches() -> None:
    touches, conversions, nulls = _main_chain()
    # Conversion 3 is a > b > a: a's quarter (weights 1/3 vs 1) is split over two touches.
    extra = touches_frame([(3, 31, 1, "a"), (3, 32, 2, "b"), (3, 33, 3, "a")])
    credits = allocate(
        pd.concat([touches, extra], ignore_index=True),
        pd.concat([conversions, conversions_frame([(3, 5, None, None)])], ignore_index=True),
        model="markov",
        kind="contact_create",
        non_converting_paths=nulls,
    )
    # Shares change with the new path, so check the split rule itself: a : b = RE_a : RE_b.
    split = credit_map(credits, 3)
    assert split[31] == pytest.approx(split[33])
    result = markov_channel_credit(
        pd.concat([touches, extra], ignore_index=True),
        pd.concat([conversions, conversions_frame([(3, 5, None, None)])], ignore_index=True),
        kind="contact_create",
        non_converting_paths=nulls,
    )
    effects = _by_channel(result, "removal_effect")
    assert (split[31] + split[33]) / split[32] == pytest.approx(effects["a"] / effects["b"])
    assert sum(split.values()) == pytest.approx(1.0)


def test_without_non_converting_paths_every_path_converts() -> None:
    # Paths a > b and b: start -> a 1/2, start -> b 1/2, a -> b, b -> conversion; P = 1.
    # Without a the walks entering a are lost: P = 1/2, RE 1/2. Without b: P = 0, RE 1.
    touches, conversions, _ = _main_chain()
    result = markov_channel_credit(touches, conversions, kind="contact_create")
    assert _by_channel(result, "removal_effect") == pytest.approx({"a": 0.5, "b": 1.0})
    assert _by_channel(result, "share") == pytest.approx({"a": 1 / 3, "b": 2 / 3})
    credits = allocate(touches, conversions, model="markov", kind="contact_create")
    assert_credits(credit_map(credits, 1), {11: 1 / 3, 12: 2 / 3})


def test_order_two_remembers_where_a_shared_channel_came_from() -> None:
    # a > c converts, b > c does not. Order 1 mixes both through c (RE a = b = 1/2, c = 1);
    # order 2 knows (b, c) never converts: RE a = 1, b = 0, c = 1.
    touches = touches_frame([(1, 1, 1, "a"), (1, 2, 2, "c")])
    conversions = conversions_frame([(1, 5, None, None)])
    nulls = pd.DataFrame({"path_id": [1, 1], "position": [0, 1], "channel": ["b", "c"]})
    first = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    second = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls, order=2
    )
    assert _by_channel(first, "removal_effect") == pytest.approx({"a": 0.5, "b": 0.5, "c": 1})
    assert _by_channel(second, "removal_effect") == pytest.approx({"a": 1, "b": 0, "c": 1})
    credits = allocate(
        touches,
        conversions,
        model="markov",
        kind="contact_create",
        non_converting_paths=nulls,
        markov_order=2,
    )
    assert_credits(credit_map(credits), {1: 0.5, 2: 0.5})


def test_order_two_states_are_named_by_their_channels_in_path_order() -> None:
    touches = touches_frame([(1, 1, 1, "a"), (1, 2, 2, "c")])
    conversions = conversions_frame([(1, 5, None, None)])
    matrix = markov_transition_matrix(touches, conversions, kind="contact_create", order=2)
    assert set(zip(matrix["from_state"], matrix["to_state"], strict=True)) == {
        ("(start)", "a"),
        ("a", "a > c"),
        ("a > c", "(conversion)"),
    }


def test_repeated_channels_are_self_transitions_that_change_nothing() -> None:
    touches, conversions, nulls = _main_chain()
    doubled = touches_frame([(1, 11, 1, "a"), (1, 13, 1.5, "a"), (1, 12, 2, "b"), (2, 21, 1, "b")])
    reference = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    result = markov_channel_credit(
        doubled, conversions, kind="contact_create", non_converting_paths=nulls
    )
    pd.testing.assert_frame_equal(result, reference)


def test_non_converting_paths_may_be_ordered_by_time() -> None:
    # Path 8 is b then a by position but a (Jan 2) then b (Jan 3) by time: null paths a, a > b.
    # start: a 3/4, b 1/4; a -> b 2/3, a -> null 1/3; b -> conversion 2/3, b -> null 1/3.
    # P = 3/4 * 4/9 + 1/4 * 2/3 = 1/2; without a P = 1/6 (RE 2/3); without b P = 0 (RE 1).
    touches, conversions, nulls = _main_chain()
    timed = nulls.drop(columns="position").assign(
        at=pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02"], utc=True)
    )
    result = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=timed.iloc[::-1]
    )
    assert _by_channel(result, "removal_effect") == pytest.approx({"a": 2 / 3, "b": 1.0})
    assert _by_channel(result, "share") == pytest.approx({"a": 0.4, "b": 0.6})


def test_non_converting_paths_need_an_order_column() -> None:
    touches, conversions, nulls = _main_chain()
    with pytest.raises(ValueError, match="position"):
        markov_channel_credit(
            touches,
            conversions,
            kind="contact_create",
            non_converting_paths=nulls.drop(columns="position"),
        )


def test_a_channel_only_seen_on_non_converting_paths_gets_no_credit() -> None:
    touches, conversions, nulls = _main_chain()
    nulls = pd.concat([nulls, pd.DataFrame({"path_id": [9], "position": [0], "channel": ["tv"]})])
    result = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    assert _by_channel(result, "share")["tv"] == 0.0


def test_markov_needs_a_channel_column() -> None:
    touches, conversions, _ = _main_chain()
    with pytest.raises(ValueError, match="channel"):
        allocate(touches.drop(columns="channel"), conversions, model="markov", kind="revenue")


def test_markov_order_below_one_is_rejected() -> None:
    touches, conversions, _ = _main_chain()
    with pytest.raises(ValueError, match="order"):
        allocate(touches, conversions, model="markov", kind="contact_create", markov_order=0)


def test_missing_channels_form_a_channel_of_their_own() -> None:
    touches, conversions, _ = _main_chain()
    touches["channel"] = ["a", None, "b"]
    result = markov_channel_credit(touches, conversions, kind="contact_create")
    assert result["channel"].isna().sum() == 1
    assert result["share"].sum() == pytest.approx(1.0)


def test_categorical_channels_give_the_same_result_as_strings() -> None:
    touches, conversions, nulls = _main_chain()
    reference = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    touches["channel"] = pd.Categorical(touches["channel"], categories=["z", "b", "a"])
    result = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    pd.testing.assert_frame_equal(result, reference)


def test_nothing_converting_gives_zero_effects_and_unattributed_credits() -> None:
    touches = touches_frame([(1, 1, 9, "a")])  # after the conversion: not eligible
    conversions = conversions_frame([(1, 5, None, None)])
    result = markov_channel_credit(touches, conversions, kind="contact_create")
    assert result.empty or (result["share"] == 0).all()
    credits = allocate(touches, conversions, model="markov", kind="contact_create")
    assert credit_map(credits) == {-1: 1.0}


def test_removal_effects_are_deterministic() -> None:
    rng = np.random.default_rng(4)
    rows = [
        (c, t, float(t), "abcdef"[int(rng.integers(6))])
        for c in range(60)
        for t in range(int(rng.integers(1, 6)))
    ]
    touches = touches_frame(rows)
    conversions = conversions_frame([(c, 10, None, None) for c in range(60)])
    first = markov_channel_credit(touches, conversions, kind="contact_create", order=3)
    second = markov_channel_credit(
        touches.sample(frac=1.0, random_state=1), conversions, kind="contact_create", order=3
    )
    pd.testing.assert_frame_equal(first, second)


def test_touches_outside_the_eligibility_window_are_not_on_the_path() -> None:
    touches, conversions, nulls = _main_chain()
    # A later touch on conversion 1 and an early one outside a 30-day lookback on conversion 2.
    extra = touches_frame([(1, 13, 9, "tv"), (2, 20, -40, "tv")])
    widened = pd.concat([touches, extra], ignore_index=True)
    reference = markov_channel_credit(
        touches, conversions, kind="contact_create", non_converting_paths=nulls
    )
    result = markov_channel_credit(
        widened,
        conversions,
        kind="contact_create",
        non_converting_paths=nulls,
        lookback_days=30,
    )
    pd.testing.assert_frame_equal(result, reference)
    credits = allocate(
        widened,
        conversions,
        model="markov",
        kind="contact_create",
        non_converting_paths=nulls,
        lookback_days=30,
    )
    assert_credits(credit_map(credits, 1), {11: 0.25, 12: 0.75})
