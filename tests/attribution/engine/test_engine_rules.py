"""Rule-based models (SPEC §8): hand-computed credits for 0, 1, 2, 3 and 6 touches per kind.

Scenario: touch ``i`` (1-based, touch_id = i) of ``k`` is at day ``50 - 7 * (k - i)``, so the
last touch is at the conversion time and each earlier one a half-life (7 days) older. The
milestones: contact_create converts at lead creation (day 50); deal_create has the lead at
day 30 and the deal at day 50; revenue has the lead at day 30, the deal at day 44 and closes
won at day 50. With 6 touches (days 15, 22, 29, 36, 43, 50) lead creation is touch 3 and deal
creation (revenue) touch 5; with 2 or 3 touches no touch precedes the lead (empty position).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution.engine import RULE_BASED_MODELS, allocate, allocate_many

from ._support import assert_credits, conversions_frame, credit_map, touches_frame

MILESTONES = {
    "contact_create": (50, None, None),
    "deal_create": (30, 50, None),
    "revenue": (30, 44, 50),
}
DECAY = {
    1: [1.0],
    2: [1 / 3, 2 / 3],
    3: [1 / 7, 2 / 7, 4 / 7],
    6: [2**i / 63 for i in range(6)],
}
# Models whose credits only depend on the conversion time, identical for every kind.
SAME_FOR_EVERY_KIND: dict[str, dict[int, list[float]]] = {
    "first_interaction": {1: [1.0], 2: [1.0], 3: [1.0], 6: [1.0]},
    "linear": {1: [1.0], 2: [0.5, 0.5], 3: [1 / 3] * 3, 6: [1 / 6] * 6},
    "j_shaped": {1: [1.0], 2: [0.25, 0.75], 3: [0.2, 0.2, 0.6], 6: [0.2, *[0.05] * 4, 0.6]},
    "inverse_j_shaped": {
        1: [1.0],
        2: [0.75, 0.25],
        3: [0.6, 0.2, 0.2],
        6: [0.6, *[0.05] * 4, 0.2],
    },
    "time_decay": DECAY,
}
U_LEAD_BEFORE_TOUCHES = {
    1: [1.0],
    2: [2 / 3, 1 / 3],
    3: [2 / 3, 1 / 6, 1 / 6],
    6: [0.4, 0.05, 0.4, 0.05, 0.05, 0.05],
}
BY_KIND: dict[tuple[str, str], dict[int, list[float]]] = {
    ("u_shaped", "contact_create"): {
        1: [1.0],
        2: [0.5, 0.5],
        3: [0.4, 0.2, 0.4],
        6: [0.4, *[0.05] * 4, 0.4],
    },
    ("u_shaped", "deal_create"): U_LEAD_BEFORE_TOUCHES,
    ("u_shaped", "revenue"): U_LEAD_BEFORE_TOUCHES,
    ("w_shaped", "deal_create"): {
        1: [1.0],
        2: [0.5, 0.5],
        3: [3 / 7, 1 / 7, 3 / 7],
        6: [0.3, 1 / 30, 0.3, 1 / 30, 1 / 30, 0.3],
    },
    ("w_shaped", "revenue"): {
        1: [1.0],
        2: [6 / 7, 1 / 7],
        3: [3 / 7, 3 / 7, 1 / 7],
        6: [0.3, 1 / 30, 0.3, 1 / 30, 0.3, 1 / 30],
    },
    ("full_path", "revenue"): {
        1: [1.0],
        2: [2 / 3, 1 / 3],
        3: [1 / 3, 1 / 3, 1 / 3],
        6: [0.225, 0.05, 0.225, 0.05, 0.225, 0.225],
    },
}


def _last_only(k: int) -> dict[int, float]:
    return {k: 1.0}


def _expected(model: str, kind: str, k: int) -> dict[int, float]:
    if model == "last_interaction":
        return _last_only(k)
    table = SAME_FOR_EVERY_KIND.get(model) or BY_KIND[(model, kind)]
    return {i + 1: value for i, value in enumerate(table[k]) if value > 0}


CASES = [
    (model, kind, k)
    for model in RULE_BASED_MODELS
    for kind in MILESTONES
    for k in (1, 2, 3, 6)
    if model in SAME_FOR_EVERY_KIND or model == "last_interaction" or (model, kind) in BY_KIND
]


def _scenario(kind: str, k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    lead, deal, closed = MILESTONES[kind]
    touches = touches_frame([(1, i, 50 - 7 * (k - i)) for i in range(1, k + 1)])
    return touches, conversions_frame([(1, lead, deal, closed)])


@pytest.mark.parametrize(("model", "kind", "k"), CASES)
def test_rule_based_model_matches_the_hand_computed_credits(model: str, kind: str, k: int) -> None:
    touches, conversions = _scenario(kind, k)
    credits = allocate(touches, conversions, model=model, kind=kind)
    assert_credits(credit_map(credits), _expected(model, kind, k))


@pytest.mark.parametrize(
    ("model", "kind"),
    [(model, kind) for model, kind, k in CASES if k == 1],
)
def test_a_conversion_without_touches_is_unattributed_with_full_credit(
    model: str, kind: str
) -> None:
    touches, conversions = _scenario(kind, 0)
    credits = allocate(touches, conversions, model=model, kind=kind)
    assert credits.to_dict("records") == [{"conversion_id": 1, "touch_id": -1, "credit": 1.0}]


def test_the_table_covers_every_model_and_kind_that_exists() -> None:
    covered = {(model, kind) for model, kind, _ in CASES}
    assert len(covered) == 9 * 3 - 3  # w_shaped lacks contact_create, full_path two kinds


def test_u_shaped_two_touches_split_fifty_fifty() -> None:
    touches = touches_frame([(1, 1, 1), (1, 2, 2)])
    conversions = conversions_frame([(1, 3, None, None)])
    credits = allocate(touches, conversions, model="u_shaped", kind="contact_create")
    assert_credits(credit_map(credits), [0.5, 0.5])


def test_w_shaped_on_contact_creation_is_rejected() -> None:
    touches, conversions = _scenario("contact_create", 3)
    with pytest.raises(ValueError, match="w_shaped"):
        allocate(touches, conversions, model="w_shaped", kind="contact_create")


@pytest.mark.parametrize("kind", ["contact_create", "deal_create"])
def test_full_path_needs_a_closed_won_milestone(kind: str) -> None:
    touches, conversions = _scenario(kind, 3)
    with pytest.raises(ValueError, match="full_path"):
        allocate(touches, conversions, model="full_path", kind=kind)


def test_an_unknown_model_is_named_in_the_error() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="unknown model 'halfway'"):
        allocate(touches, conversions, model="halfway", kind="revenue")


def test_an_unknown_kind_is_named_in_the_error() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="unknown kind 'signup'"):
        allocate(touches, conversions, model="linear", kind="signup")


def test_a_missing_conversion_column_is_named_in_the_error() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="closed_at"):
        allocate(touches, conversions.drop(columns="closed_at"), model="linear", kind="revenue")


def test_a_missing_touch_column_is_named_in_the_error() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="touch_id"):
        allocate(touches.drop(columns="touch_id"), conversions, model="linear", kind="revenue")


def test_duplicated_conversions_are_rejected() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="not unique"):
        allocate(touches, pd.concat([conversions, conversions]), model="linear", kind="revenue")


def test_a_touch_holding_first_and_lead_creation_gets_both_weights() -> None:
    # Lead created between touch 1 and 2: touch 1 is first and lead creation (0.4 + 0.4).
    touches = touches_frame([(1, 1, 1), (1, 2, 5), (1, 3, 9)])
    conversions = conversions_frame([(1, 2, 10, None)])
    credits = allocate(touches, conversions, model="u_shaped", kind="deal_create")
    assert_credits(credit_map(credits), [0.8, 0.1, 0.1])


def test_w_shaped_lead_and_deal_on_the_same_touch_add_up() -> None:
    # Lead at day 6, deal at day 7: the last touch at or before both is touch 2 (day 5).
    touches = touches_frame([(1, 1, 1), (1, 2, 5), (1, 3, 9), (1, 4, 10)])
    conversions = conversions_frame([(1, 6, 7, 10)])
    credits = allocate(touches, conversions, model="w_shaped", kind="revenue")
    # first 0.3, touch 2 holds lead + deal (0.6), rest (touches 3 and 4) share 0.1.
    assert_credits(credit_map(credits), [0.3, 0.6, 0.05, 0.05])


def test_full_path_with_every_milestone_on_one_touch_gives_it_everything_but_the_rest() -> None:
    touches = touches_frame([(1, 1, 1), (1, 2, 2), (1, 3, 3)])
    conversions = conversions_frame([(1, 3, 3, 3)])
    credits = allocate(touches, conversions, model="full_path", kind="revenue")
    # first 0.225, lead = deal = closed = touch 3 (0.675), rest (touch 2) 0.1.
    assert_credits(credit_map(credits), [0.225, 0.1, 0.675])


def test_ties_on_time_put_the_lower_touch_id_first_and_the_higher_last() -> None:
    touches = touches_frame([(1, 7, 1), (1, 3, 1), (1, 9, 4), (1, 5, 4)])
    conversions = conversions_frame([(1, 4, None, None)])
    first = allocate(touches, conversions, model="first_interaction", kind="contact_create")
    last = allocate(touches, conversions, model="last_interaction", kind="contact_create")
    assert credit_map(first) == {3: 1.0}
    assert credit_map(last) == {9: 1.0}


def test_a_milestone_tie_picks_the_highest_touch_id_at_that_time() -> None:
    # Both touch 8 and touch 4 are at the lead time; lead creation is the later one (8).
    touches = touches_frame([(1, 1, 1), (1, 8, 5), (1, 4, 5), (1, 2, 9)])
    conversions = conversions_frame([(1, 5, 10, None)])
    credits = allocate(touches, conversions, model="u_shaped", kind="deal_create")
    assert_credits(credit_map(credits), {1: 0.4, 4: 0.1, 8: 0.4, 2: 0.1})


def test_touches_after_the_conversion_do_not_count() -> None:
    touches = touches_frame([(1, 1, 1), (1, 2, 5), (1, 3, 5.5), (1, 4, 20)])
    conversions = conversions_frame([(1, 5, None, None)])
    credits = allocate(touches, conversions, model="linear", kind="contact_create")
    assert_credits(credit_map(credits), {1: 0.5, 2: 0.5})


def test_a_conversion_whose_touches_all_come_later_is_unattributed() -> None:
    touches = touches_frame([(1, 1, 6), (2, 2, 1)])
    conversions = conversions_frame([(1, 5, None, None), (2, 5, None, None)])
    credits = allocate(touches, conversions, model="last_interaction", kind="contact_create")
    assert credit_map(credits, 1) == {-1: 1.0}
    assert credit_map(credits, 2) == {2: 1.0}


def test_the_deal_kind_counts_touches_up_to_deal_creation() -> None:
    touches = touches_frame([(1, 1, 1), (1, 2, 5), (1, 3, 8), (1, 4, 11)])
    conversions = conversions_frame([(1, 4, 8, 10)])
    assert credit_map(
        allocate(touches, conversions, model="last_interaction", kind="deal_create")
    ) == {3: 1.0}
    assert credit_map(allocate(touches, conversions, model="last_interaction", kind="revenue")) == {
        3: 1.0
    }
    assert credit_map(
        allocate(touches, conversions, model="last_interaction", kind="contact_create")
    ) == {1: 1.0}


def test_a_conversion_without_a_time_for_the_kind_is_unattributed() -> None:
    touches = touches_frame([(1, 1, 1)])
    conversions = conversions_frame([(1, 2, None, None)])
    credits = allocate(touches, conversions, model="linear", kind="revenue")
    assert credit_map(credits) == {-1: 1.0}


def test_the_lookback_keeps_touches_on_its_boundary_and_drops_older_ones() -> None:
    touches = touches_frame([(1, 1, 0), (1, 2, 2.999), (1, 3, 3), (1, 4, 9), (1, 5, 10)])
    conversions = conversions_frame([(1, 10, None, None)])
    credits = allocate(touches, conversions, model="linear", kind="contact_create", lookback_days=7)
    assert_credits(credit_map(credits), {3: 1 / 3, 4: 1 / 3, 5: 1 / 3})


def test_with_a_lookback_first_is_the_first_touch_inside_the_window() -> None:
    touches = touches_frame([(1, 1, 0), (1, 2, 5), (1, 3, 8)])
    conversions = conversions_frame([(1, 10, None, None)])
    credits = allocate(
        touches, conversions, model="first_interaction", kind="contact_create", lookback_days=6
    )
    assert credit_map(credits) == {2: 1.0}


def test_a_lookback_that_excludes_every_touch_leaves_the_conversion_unattributed() -> None:
    touches = touches_frame([(1, 1, 0), (1, 2, 1)])
    conversions = conversions_frame([(1, 30, None, None)])
    credits = allocate(
        touches, conversions, model="linear", kind="contact_create", lookback_days=10
    )
    assert credit_map(credits) == {-1: 1.0}


def test_lead_creation_before_the_lookback_window_loses_its_weight() -> None:
    # Lead at day 1 is before the 7-day window of the deal (day 10): the position is empty.
    touches = touches_frame([(1, 1, 0), (1, 2, 4), (1, 3, 6)])
    conversions = conversions_frame([(1, 1, 10, None)])
    credits = allocate(touches, conversions, model="u_shaped", kind="deal_create", lookback_days=7)
    # Eligible: touches 2 and 3. first = 2 (0.4), lead empty, rest (3) 0.2 -> 2/3 and 1/3.
    assert_credits(credit_map(credits), {2: 2 / 3, 3: 1 / 3})


def test_a_negative_lookback_is_rejected() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="lookback_days"):
        allocate(touches, conversions, model="linear", kind="revenue", lookback_days=-1)


def test_time_decay_follows_the_half_life_argument() -> None:
    # Ages 14 and 0 days with a 14-day half-life: weights 1/2 and 1 -> 1/3 and 2/3.
    touches = touches_frame([(1, 1, 6), (1, 2, 20)])
    conversions = conversions_frame([(1, 20, None, None)])
    credits = allocate(
        touches, conversions, model="time_decay", kind="contact_create", half_life_days=14
    )
    assert_credits(credit_map(credits), [1 / 3, 2 / 3])


def test_time_decay_is_measured_from_the_conversion_not_the_last_touch() -> None:
    # Ages 17 and 10 days: weights 2^-17/7 and 2^-10/7, ratio 2 -> 1/3 and 2/3.
    touches = touches_frame([(1, 1, 3), (1, 2, 10)])
    conversions = conversions_frame([(1, 20, None, None)])
    credits = allocate(touches, conversions, model="time_decay", kind="contact_create")
    assert_credits(credit_map(credits), [1 / 3, 2 / 3])


def test_time_decay_of_very_old_touches_does_not_underflow_to_nan() -> None:
    touches = touches_frame([(1, 1, -80_000), (1, 2, -70_000)])
    conversions = conversions_frame([(1, 0, None, None)])
    credits = allocate(touches, conversions, model="time_decay", kind="contact_create")
    assert credits["credit"].sum() == pytest.approx(1.0)
    assert credit_map(credits) == {2: 1.0}  # the older weight is 2^-1428 times smaller: 0


def test_a_non_positive_half_life_is_rejected() -> None:
    touches, conversions = _scenario("revenue", 3)
    with pytest.raises(ValueError, match="half_life_days"):
        allocate(touches, conversions, model="time_decay", kind="revenue", half_life_days=0)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_timestamps_of_any_resolution_and_timezone_give_the_same_credits(
    unit: str, tz: str
) -> None:
    touches, conversions = _scenario("revenue", 6)
    reference = allocate(touches, conversions, model="w_shaped", kind="revenue")
    touches["at"] = touches["at"].dt.tz_convert(tz).astype(f"datetime64[{unit}, {tz}]")
    for column in ("lead_created_at", "deal_created_at", "closed_at"):
        converted = conversions[column].dt.tz_convert("Europe/Paris")
        conversions[column] = converted.astype(f"datetime64[{unit}, Europe/Paris]")
    credits = allocate(touches, conversions, model="w_shaped", kind="revenue")
    pd.testing.assert_frame_equal(credits, reference)


def test_timestamps_given_as_strings_or_python_datetimes_are_read_as_such() -> None:
    touches, conversions = _scenario("contact_create", 3)
    reference = allocate(touches, conversions, model="time_decay", kind="contact_create")
    touches["at"] = touches["at"].dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    conversions["lead_created_at"] = conversions["lead_created_at"].astype(object)
    credits = allocate(touches, conversions, model="time_decay", kind="contact_create")
    pd.testing.assert_frame_equal(credits, reference)


def test_touches_of_conversions_not_in_the_conversions_frame_are_ignored() -> None:
    touches = touches_frame([(1, 1, 1), (99, 2, 1)])
    conversions = conversions_frame([(1, 5, None, None)])
    credits = allocate(touches, conversions, model="linear", kind="contact_create")
    assert credits["conversion_id"].tolist() == [1]


def test_a_touch_shared_by_two_conversions_is_credited_in_each() -> None:
    touches = touches_frame([(1, 5, 1), (2, 5, 1), (2, 6, 3)])
    conversions = conversions_frame([(1, 2, None, None), (2, 4, None, None)])
    credits = allocate(touches, conversions, model="linear", kind="contact_create")
    assert credit_map(credits, 1) == {5: 1.0}
    assert credit_map(credits, 2) == {5: 0.5, 6: 0.5}


def test_touches_without_a_time_never_count() -> None:
    touches = touches_frame([(1, 1, 1), (1, 2, 2)])
    touches.loc[1, "at"] = pd.NaT
    conversions = conversions_frame([(1, 5, None, None)])
    credits = allocate(touches, conversions, model="linear", kind="contact_create")
    assert credit_map(credits) == {1: 1.0}


def test_unsorted_touches_give_the_same_credits_as_sorted_ones() -> None:
    touches = touches_frame(
        [(c, t, (t * 7 + c) % 11, "x") for c in range(1, 6) for t in range(1, 8)]
    )
    conversions = conversions_frame([(c, 9, 10, 11) for c in range(1, 6)])
    reference = allocate(touches, conversions, model="full_path", kind="revenue")
    shuffled = touches.sample(frac=1.0, random_state=3)
    credits = allocate(shuffled, conversions.iloc[::-1], model="full_path", kind="revenue")
    pd.testing.assert_frame_equal(credits, reference)


def test_allocate_many_matches_allocate_model_by_model() -> None:
    touches, conversions = _scenario("revenue", 6)
    many = allocate_many(touches, conversions, models=RULE_BASED_MODELS, kind="revenue")
    for model in RULE_BASED_MODELS:
        single = allocate(touches, conversions, model=model, kind="revenue")
        pd.testing.assert_frame_equal(many[model], single)


def test_the_result_shares_no_memory_with_the_input() -> None:
    touches, conversions = _scenario("revenue", 3)
    credits = allocate(touches, conversions, model="linear", kind="revenue")
    credits["touch_id"].to_numpy()[:] = 0  # writes through to the frame's own memory
    assert touches["touch_id"].tolist() == [1, 2, 3]


def test_output_columns_and_types_are_fixed() -> None:
    touches, conversions = _scenario("revenue", 3)
    credits = allocate(touches, conversions, model="u_shaped", kind="revenue")
    assert list(credits.columns) == ["conversion_id", "touch_id", "credit"]
    assert [str(t) for t in credits.dtypes] == ["int64", "int64", "float64"]
    assert np.isclose(credits["credit"].sum(), 1.0)
