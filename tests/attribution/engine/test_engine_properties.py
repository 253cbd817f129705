"""Properties every model keeps on arbitrary data (hypothesis).

For any touches and conversions: each conversion's credits sum to 1 (within 1e-9), no credit
is negative, every conversion has at least one row, rows only name eligible touches, and the
result does not depend on the order of the input rows nor on the conversion values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution.engine import MODELS, allocate
from attribution.engine.rules import POSITION_MODELS

from ._support import canonical, conversions_frame, day, touches_frame

KINDS = ("contact_create", "deal_create", "revenue")
CHANNELS = ("ads", "mail", "seo", "social")


@st.composite
def datasets(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A few conversions with 0-7 touches each on whole or half days (plenty of ties)."""
    n_conversions = draw(st.integers(1, 6))
    rows = []
    conversions = []
    for conversion in range(1, n_conversions + 1):
        n_touches = draw(st.integers(0, 7))
        touch_ids = draw(
            st.lists(st.integers(1, 40), min_size=n_touches, max_size=n_touches, unique=True)
        )
        for touch in touch_ids:
            at = draw(st.integers(0, 40)) / 2
            rows.append((conversion, touch, at, draw(st.sampled_from(CHANNELS))))
        lead = draw(st.one_of(st.none(), st.integers(0, 25)))
        deal = draw(st.one_of(st.none(), st.integers(0, 25)))
        closed = draw(st.one_of(st.none(), st.integers(0, 25)))
        value = draw(st.floats(0.5, 1000.0))
        conversions.append((conversion, lead, deal, closed, value))
    touches = touches_frame(rows) if rows else _empty_touches()
    return touches, conversions_frame(conversions)


def _empty_touches() -> pd.DataFrame:
    frame = touches_frame([(0, 0, 0, "ads")]).iloc[:0]
    return frame.reset_index(drop=True)


def _valid(model: str, kind: str) -> bool:
    spec = POSITION_MODELS.get(model)
    return spec is None or kind in spec.kinds


COMBINATIONS = [(model, kind) for model in MODELS for kind in KINDS if _valid(model, kind)]
combination = st.sampled_from(COMBINATIONS)
lookback = st.one_of(st.none(), st.sampled_from([0.0, 3.0, 10.0]))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _eligible(touches: pd.DataFrame, conversions: pd.DataFrame, kind: str, back: float | None):
    column = {"contact_create": "lead_created_at", "deal_create": "deal_created_at"}.get(
        kind, "closed_at"
    )
    merged = touches.merge(conversions[["conversion_id", column]], on="conversion_id")
    keep = merged["at"] <= merged[column]
    if back is not None:
        keep &= merged["at"] >= merged[column] - pd.Timedelta(days=back)
    return set(zip(merged["conversion_id"][keep], merged["touch_id"][keep], strict=True))


@SETTINGS
@given(data=datasets(), case=combination, back=lookback)
def test_credits_of_every_conversion_sum_to_one_and_are_never_negative(
    data: tuple[pd.DataFrame, pd.DataFrame], case: tuple[str, str], back: float | None
) -> None:
    touches, conversions = data
    model, kind = case
    credits = allocate(touches, conversions, model=model, kind=kind, lookback_days=back)
    assert (credits["credit"] >= 0).all()
    sums = credits.groupby("conversion_id")["credit"].sum()
    assert sorted(sums.index) == sorted(conversions["conversion_id"])
    assert np.allclose(sums.to_numpy(), 1.0, rtol=0, atol=1e-9)


@SETTINGS
@given(data=datasets(), case=combination, back=lookback)
def test_rows_name_only_eligible_touches_or_the_unattributed_marker(
    data: tuple[pd.DataFrame, pd.DataFrame], case: tuple[str, str], back: float | None
) -> None:
    touches, conversions = data
    model, kind = case
    credits = allocate(touches, conversions, model=model, kind=kind, lookback_days=back)
    eligible = _eligible(touches, conversions, kind, back)
    named = set(zip(credits["conversion_id"], credits["touch_id"], strict=True))
    attributed = {pair for pair in named if pair[1] != -1}
    assert attributed <= eligible
    unattributed = {conversion for conversion, touch in named if touch == -1}
    assert unattributed == set(conversions["conversion_id"]) - {c for c, _ in eligible}


@SETTINGS
@given(data=datasets(), case=combination, seed=st.integers(0, 2**31 - 1))
def test_the_order_of_input_rows_does_not_matter(
    data: tuple[pd.DataFrame, pd.DataFrame], case: tuple[str, str], seed: int
) -> None:
    touches, conversions = data
    model, kind = case
    reference = canonical(allocate(touches, conversions, model=model, kind=kind))
    shuffled = allocate(
        touches.sample(frac=1.0, random_state=seed),
        conversions.sample(frac=1.0, random_state=seed + 1),
        model=model,
        kind=kind,
    )
    pd.testing.assert_frame_equal(canonical(shuffled), reference, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(data=datasets(), case=combination, factor=st.floats(0.001, 1e6))
def test_credits_are_fractions_that_do_not_change_with_the_conversion_values(
    data: tuple[pd.DataFrame, pd.DataFrame], case: tuple[str, str], factor: float
) -> None:
    touches, conversions = data
    model, kind = case
    reference = allocate(touches, conversions, model=model, kind=kind)
    scaled = conversions.assign(value=conversions["value"] * factor)
    credits = allocate(touches, scaled, model=model, kind=kind)
    pd.testing.assert_frame_equal(credits, reference)
    # Revenue attributed per conversion (credit x value) therefore scales with the value.
    merged = credits.merge(scaled, on="conversion_id")
    revenue = (merged["credit"] * merged["value"]).sum()
    assert np.isclose(revenue, scaled["value"].sum(), rtol=1e-9)


def test_day_helper_is_relative_to_a_fixed_base() -> None:
    assert day(1.5) - day(0) == pd.Timedelta(hours=36)
    assert day(None) is pd.NaT
