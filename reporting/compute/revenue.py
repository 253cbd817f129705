"""Revenue (Professional, even split) and Revenue attribution (Enterprise, any engine model).

SPEC §4.2 and §4.3. Inputs, already limited by the deal-inclusion rule upstream:

* ``deals``: ``deal_id, value`` (amount in the company currency at the close day's rate);
* ``touches``: ``deal_id, touch_id, at, campaign_id, contact_id`` — the interactions of the
  deal's contacts (associated before the close) at or before the close, pooled and
  de-duplicated per deal; ``campaign_id`` is the campaign the interaction counted for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

CENT = Decimal("0.01")


def money(value: float) -> str:
    """A float amount as a string with two decimals (rounded once, at the end)."""
    return str(Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class RevenueResult:
    revenue: float = 0.0
    deals: list[int] = field(default_factory=list)
    associated_value: float = 0.0
    contacts: list[int] = field(default_factory=list)
    # One row per credited interaction of the campaign: interaction, deal, amount credited.
    credits: list[dict[str, Any]] = field(default_factory=list)
    # One row per deal credited to the campaign: deal, its value, the amount credited.
    deal_rows: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "revenue": money(self.revenue),
            "deals": len(self.deals),
            "associated_value": money(self.associated_value),
            "contacts": len(self.contacts),
        }


def _campaign_result(
    deals: pd.DataFrame, credited: pd.DataFrame, campaign_id: int
) -> RevenueResult:
    """`credited`: touches with a ``share`` column (fraction of their deal's value)."""
    mine = credited[(credited["campaign_id"] == campaign_id) & (credited["share"] > 0)]
    if mine.empty:
        return RevenueResult()
    values = deals.set_index("deal_id")["value"]
    mine = mine.assign(amount=mine["share"] * mine["deal_id"].map(values))
    deal_ids = sorted(int(d) for d in mine["deal_id"].unique())
    per_deal = mine.groupby("deal_id")["amount"].sum()
    return RevenueResult(
        revenue=float(mine["amount"].sum()),
        deals=deal_ids,
        associated_value=float(values.loc[deal_ids].sum()),
        contacts=sorted(int(c) for c in mine["contact_id"].dropna().unique()),
        credits=[
            {"interaction": int(t), "deal": int(d), "amount": money(float(a))}
            for t, d, a in mine.sort_values(["deal_id", "at", "touch_id"])[
                ["touch_id", "deal_id", "amount"]
            ].itertuples(index=False)
        ],
        deal_rows=[
            {"deal": d, "value": money(float(values.loc[d])), "amount": money(float(per_deal[d]))}
            for d in deal_ids
        ],
    )


def even_split(deals: pd.DataFrame, touches: pd.DataFrame, *, campaign_id: int) -> RevenueResult:
    """Each deal's value split evenly over all its touches; the campaign earns its touches'."""
    if touches.empty:
        return RevenueResult()
    per_deal = touches.groupby("deal_id")["touch_id"].transform("size")
    return _campaign_result(deals, touches.assign(share=1.0 / per_deal), campaign_id)


def attributed(
    deals: pd.DataFrame, touches: pd.DataFrame, credits: pd.DataFrame, *, campaign_id: int
) -> RevenueResult:
    """The campaign's share under an engine model (`credits`: conversion_id, touch_id, credit)."""
    if touches.empty or credits.empty:
        return RevenueResult()
    shares = credits.rename(columns={"conversion_id": "deal_id", "credit": "share"})
    merged = touches.merge(shares, on=["deal_id", "touch_id"], how="inner")
    return _campaign_result(deals, merged, campaign_id)
