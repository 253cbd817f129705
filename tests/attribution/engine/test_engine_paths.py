"""Path analytics (top paths, path lengths, time to convert) and comparing attributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from attribution.engine import (
    allocate,
    compare,
    path_length_distribution,
    time_to_convert_distribution,
    top_paths,
)

from ._support import conversions_frame, touches_frame


def _journeys() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Conversions 1-3 are ads > mail, 4 is mail > mail > ads, 5 is seo, 6 has no touch."""
    touches = touches_frame(
        [
            (1, 1, 1, "ads"),
            (1, 2, 2, "mail"),
            (2, 3, 1, "ads"),
            (2, 4, 3, "mail"),
            (3, 6, 4, "mail"),
            (3, 5, 0.5, "ads"),
            (4, 7, 1, "mail"),
            (4, 8, 2, "mail"),
            (4, 9, 3, "ads"),
            (5, 10, 6, "seo"),
            (5, 11, 30, "ads"),  # after the conversion
        ]
    )
    conversions = conversions_frame(
        [
            (1, 10, None, None, 10.0),
            (2, 10, None, None, 20.0),
            (3, 10, None, None, 30.0),
            (4, 10, None, None, 40.0),
            (5, 10, None, None, 50.0),
            (6, 10, None, None, 60.0),
        ]
    )
    return touches, conversions


def test_top_paths_counts_conversions_per_channel_sequence() -> None:
    touches, conversions = _journeys()
    paths = top_paths(touches, conversions, kind="contact_create")
    assert paths.to_dict("records") == [
        {"path": "ads > mail", "touches": 2, "conversions": 3, "share": 0.6, "value": 60.0},
        {"path": "seo", "touches": 1, "conversions": 1, "share": 0.2, "value": 50.0},
        {
            "path": "mail > mail > ads",
            "touches": 3,
            "conversions": 1,
            "share": 0.2,
            "value": 40.0,
        },
    ]


def test_top_paths_can_collapse_repeated_channels_and_limit_the_rows() -> None:
    touches, conversions = _journeys()
    paths = top_paths(touches, conversions, kind="contact_create", collapse_repeats=True, limit=2)
    assert paths[["path", "touches", "conversions"]].to_dict("records") == [
        {"path": "ads > mail", "touches": 2, "conversions": 3},
        {"path": "seo", "touches": 1, "conversions": 1},
    ]


def test_top_paths_of_nothing_is_an_empty_frame() -> None:
    touches, conversions = _journeys()
    paths = top_paths(touches.iloc[:0], conversions, kind="contact_create")
    assert paths.empty
    assert list(paths.columns) == ["path", "touches", "conversions", "share", "value"]


def test_path_lengths_count_every_conversion_including_unattributed_ones() -> None:
    touches, conversions = _journeys()
    lengths = path_length_distribution(touches, conversions, kind="contact_create")
    assert lengths.to_dict("list") == {
        "touches": [0, 1, 2, 3],
        "conversions": [1, 1, 3, 1],
        "share": [1 / 6, 1 / 6, 3 / 6, 1 / 6],
    }


def test_time_to_convert_is_measured_from_the_first_eligible_touch() -> None:
    touches, conversions = _journeys()
    result = time_to_convert_distribution(
        touches, conversions, kind="contact_create", bins_days=(0, 5, 9, 9.5)
    )
    # Days: 9, 9, 9.5, 9 and 4 (seo at day 6).
    assert result.to_dict("list") == {
        "from_days": [0.0, 5.0, 9.0, 9.5],
        "to_days": [5.0, 9.0, 9.5, np.inf],
        "conversions": [1, 0, 3, 1],
        "share": [0.2, 0.0, 0.6, 0.2],
    }


def test_time_to_convert_bins_must_start_at_zero_and_increase() -> None:
    touches, conversions = _journeys()
    with pytest.raises(ValueError, match="bins_days"):
        time_to_convert_distribution(touches, conversions, kind="revenue", bins_days=(1, 2))


def test_compare_moves_credit_between_channels_and_sums_to_zero() -> None:
    touches, conversions = _journeys()
    first = allocate(touches, conversions, model="first_interaction", kind="contact_create")
    last = allocate(touches, conversions, model="last_interaction", kind="contact_create")
    shift = compare(first, last, touches=touches)
    # First: ads 3, mail 1, seo 1; last: mail 3, ads 1, seo 1; one unattributed on both sides.
    assert pd.isna(shift["channel"].iloc[-1])  # the unattributed conversion
    assert shift.fillna({"channel": "(unattributed)"}).to_dict("list") == {
        "channel": ["ads", "mail", "seo", "(unattributed)"],
        "credit_a": [3.0, 1.0, 1.0, 1.0],
        "credit_b": [1.0, 3.0, 1.0, 1.0],
        "shift": [-2.0, 2.0, 0.0, 0.0],
    }
    assert shift["shift"].sum() == pytest.approx(0.0)


def test_compare_weights_by_value_when_conversions_are_given() -> None:
    touches, conversions = _journeys()
    first = allocate(touches, conversions, model="first_interaction", kind="contact_create")
    linear = allocate(touches, conversions, model="linear", kind="contact_create")
    shift = compare(first, linear, touches=touches, conversions=conversions)
    by_channel = dict(zip(shift["channel"].fillna("?"), shift["shift"], strict=True))
    # ads: first 10+20+30 -> linear half of those (30) plus a third of 40: -30 + 40/3.
    assert by_channel["ads"] == pytest.approx(-30 + 40 / 3)
    assert by_channel["mail"] == pytest.approx(30 - 40 / 3)
    assert shift["shift"].sum() == pytest.approx(0.0)


def test_compare_works_on_any_key_column_already_in_the_credits() -> None:
    touches, conversions = _journeys()
    first = allocate(touches, conversions, model="first_interaction", kind="contact_create")
    last = allocate(touches, conversions, model="last_interaction", kind="contact_create")
    shift = compare(first, last, by="touch_id")
    assert shift.set_index("touch_id").loc[1, "shift"] == -1.0
    assert shift.set_index("touch_id").loc[2, "shift"] == 1.0


def test_compare_without_the_key_and_without_touches_is_an_error() -> None:
    touches, conversions = _journeys()
    first = allocate(touches, conversions, model="first_interaction", kind="contact_create")
    with pytest.raises(ValueError, match="channel"):
        compare(first, first)
