"""reporting.compute without a database: periods, buckets, even split, traffic drill-downs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from reporting.compute.frames import buckets
from reporting.compute.periods import Period, resolve_preset
from reporting.compute.revenue import even_split
from reporting.compute.traffic import traffic

TODAY = date(2024, 5, 15)  # a Wednesday in Q2


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("today", date(2024, 5, 15), date(2024, 5, 15)),
        ("yesterday", date(2024, 5, 14), date(2024, 5, 14)),
        ("this_week", date(2024, 5, 13), date(2024, 5, 19)),
        ("last_week", date(2024, 5, 6), date(2024, 5, 12)),
        ("this_month", date(2024, 5, 1), date(2024, 5, 31)),
        ("last_month", date(2024, 4, 1), date(2024, 4, 30)),
        ("this_quarter", date(2024, 4, 1), date(2024, 6, 30)),
        ("last_quarter", date(2024, 1, 1), date(2024, 3, 31)),
        ("this_year", date(2024, 1, 1), date(2024, 12, 31)),
        ("last_year", date(2023, 1, 1), date(2023, 12, 31)),
        ("last_7_days", date(2024, 5, 9), date(2024, 5, 15)),
        ("last_365_days", date(2023, 5, 17), date(2024, 5, 15)),
        ("all", None, None),
    ],
)
def test_each_date_range_preset_covers_the_expected_days(
    preset: str, start: date | None, end: date | None
) -> None:
    assert resolve_preset(preset, today=TODAY) == Period(start, end)


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    assert resolve_preset("last_month", today=date(2024, 1, 10)) == Period(
        date(2023, 12, 1), date(2023, 12, 31)
    )


def test_buckets_use_local_days_across_a_daylight_saving_change() -> None:
    instants = pd.Series(pd.to_datetime(["2024-03-30T23:30:00Z", "2024-03-31T22:30:00Z"], utc=True))
    assert list(buckets(instants, tz="Europe/Copenhagen", frequency="daily")) == [
        "2024-03-31",
        "2024-04-01",
    ]


def test_even_split_gives_each_interaction_an_equal_share_of_its_deal() -> None:
    deals = pd.DataFrame({"deal_id": [1, 2], "value": [300.0, 100.0]})
    at = pd.Timestamp("2024-01-01", tz="UTC")
    touches = pd.DataFrame(
        {
            "deal_id": [1, 1, 1, 2],
            "touch_id": [10, 11, 12, 20],
            "at": [at] * 4,
            "campaign_id": pd.array([7, 8, 7, 8], dtype="Int64"),
            "contact_id": [1, 1, 1, 2],
        }
    )
    result = even_split(deals, touches, campaign_id=7)
    assert result.summary() == {
        "revenue": "200.00",
        "deals": 1,
        "associated_value": "300.00",
        "contacts": 1,
    }


def test_traffic_drills_other_campaigns_by_source_and_medium() -> None:
    sessions = pd.DataFrame(
        {
            "source": ["other_campaigns", "other_campaigns", "direct_traffic"],
            "detail_1": ["partner", "partner", ""],
            "detail_2": ["banner", "text", ""],
            "views": [3, 1, 2],
            "new_visitor_sessions": [1, 0, 1],
        }
    )
    contacts = pd.DataFrame(
        {
            "source": ["other_campaigns"],
            "detail_1": ["partner"],
            "detail_2": ["banner"],
            "contacts": [1],
        }
    )
    result = traffic(sessions, contacts)
    assert result["totals"] == {"views": 6, "new_visitor_sessions": 2, "contacts": 1}
    assert result["drills"]["other_campaigns"][0] == {
        "key": ["partner", "banner"],
        "views": 3,
        "new_visitor_sessions": 1,
        "contacts": 1,
    }
