"""Comparing two attributions: how much credit moves between channels (or any key).

Both inputs are ``allocate`` outputs. Credit is summed per key on each side and the shift is
``credit_b - credit_a``. When both sides attribute the same conversions (each conversion sums to
1 on both sides) the shifts add up to zero: credit only moves between keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._frames import CREDIT_COLUMNS, require_columns


def compare(
    credits_a: pd.DataFrame,
    credits_b: pd.DataFrame,
    *,
    by: str | Sequence[str] = "channel",
    touches: pd.DataFrame | None = None,
    conversions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Credit per key under A and B and the shift from A to B.

    ``by`` names key column(s). Keys missing from a credits frame are looked up in ``touches``
    by ``(conversion_id, touch_id)``; unattributed rows (``touch_id = -1``) get a missing key
    and form a group of their own. With ``conversions`` (columns ``conversion_id, value``) the
    credit is weighted by value (revenue); otherwise it counts conversions.

    Returns the key column(s), ``credit_a``, ``credit_b`` and ``shift``, one row per key seen
    on either side, sorted by key.
    """
    keys = [by] if isinstance(by, str) else list(by)
    if not keys:
        raise ValueError("compare needs at least one key column in 'by'")
    totals = [
        _totals(frame, keys, touches, conversions, name)
        for frame, name in ((credits_a, "credits_a"), (credits_b, "credits_b"))
    ]
    merged = pd.merge(
        totals[0].rename("credit_a"),
        totals[1].rename("credit_b"),
        how="outer",
        left_index=True,
        right_index=True,
    ).fillna(0.0)
    merged["shift"] = merged["credit_b"] - merged["credit_a"]
    return merged.sort_index(na_position="last").reset_index()


def _totals(
    credits: pd.DataFrame,
    keys: list[str],
    touches: pd.DataFrame | None,
    conversions: pd.DataFrame | None,
    name: str,
) -> pd.Series:
    require_columns(credits, CREDIT_COLUMNS, name)
    frame = credits
    missing = [key for key in keys if key not in frame.columns]
    if missing:
        if touches is None:
            raise ValueError(f"{name} has no column(s) {', '.join(missing)}; pass touches")
        require_columns(touches, ["conversion_id", "touch_id", *missing], "touches")
        lookup = touches[["conversion_id", "touch_id", *missing]].drop_duplicates(
            ["conversion_id", "touch_id"]
        )
        frame = frame.merge(lookup, on=["conversion_id", "touch_id"], how="left")
    amount = frame["credit"]
    if conversions is not None:
        require_columns(conversions, ["conversion_id", "value"], "conversions")
        value = frame["conversion_id"].map(conversions.set_index("conversion_id")["value"])
        amount = amount * value.fillna(0.0)
    grouped = amount.groupby([frame[key] for key in keys], dropna=False, sort=False).sum()
    return grouped
