"""Phase E of the demo: the networks' daily numbers, consistent with the traffic.

A network counts more clicks than the site sees sessions (some clicks never load the page), so
each ad's (Google: each keyword's) daily clicks are the ad-click sessions generated for it plus
a few more; impressions, spend, engagements, likes and conversions follow from the clicks at
rates typical of the network. Nothing is reported outside an ad's active window (paused and
deleted campaigns stop). Written through `ads.services.upsert_daily_metrics`.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import numpy as np

from ads.models import Network
from ads.services import DailyMetric, upsert_daily_metrics
from reporting.demo.world import DAY, World

BATCH = 20_000
# network → (CTR low, CTR high, CPC low, CPC high) — CPC in the account's currency.
RATES = {
    Network.FACEBOOK: (0.006, 0.014, 4.0, 11.0),  # DKK
    Network.LINKEDIN: (0.004, 0.009, 3.0, 8.0),  # EUR
    Network.GOOGLE: (0.03, 0.08, 0.8, 3.5),  # EUR
}


def _days(world: World, from_ts: int, to_ts: int) -> range:
    first = max(0, (from_ts - world.start_ts) // DAY)
    last = min(world.scale.days, -(-(to_ts - world.start_ts) // DAY))
    return range(first, max(first, last))


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def ad_metric_rows(
    world: World,
    *,
    ad_clicks: Counter[tuple[int, int]],
    keyword_clicks: Counter[tuple[int, int]],
    rng: np.random.Generator,
) -> list[DailyMetric]:
    dates = [world.day_of(world.start_ts + d * DAY + DAY // 2) for d in range(world.scale.days)]
    rows: list[DailyMetric] = []
    for ad in world.ads:
        if ad.network == Network.GOOGLE:
            continue  # Google reports per keyword
        ctr_lo, ctr_hi, cpc_lo, cpc_hi = RATES[Network(ad.network)]
        ctr, cpc = rng.uniform(ctr_lo, ctr_hi), rng.uniform(cpc_lo, cpc_hi)
        for d in _days(world, ad.from_ts, ad.to_ts):
            sessions = ad_clicks.get((ad.ad_id, d), 0)
            clicks = sessions + int(rng.poisson(0.25 * sessions + 0.8))
            impressions = int(clicks / ctr) + int(rng.poisson(40))
            rows.append(
                DailyMetric(
                    date=dates[d],
                    ad_campaign_id=ad.ad_campaign_id,
                    ad_group_id=ad.ad_group_id,
                    ad_id=ad.ad_id,
                    impressions=impressions,
                    clicks=clicks,
                    spend=_money(clicks * cpc * rng.uniform(0.85, 1.15)),
                    engagements=clicks + int(rng.poisson(0.6 * clicks + 1)),
                    likes=int(rng.poisson(impressions * 0.002)),
                    network_conversions=int(rng.binomial(clicks, 0.04)),
                )
            )
    for kw in world.keywords:
        ctr_lo, ctr_hi, cpc_lo, cpc_hi = RATES[Network.GOOGLE]
        ctr, cpc = rng.uniform(ctr_lo, ctr_hi), rng.uniform(cpc_lo, cpc_hi)
        position = rng.uniform(1.0, 3.5)
        for d in _days(world, kw.from_ts, kw.to_ts):
            sessions = keyword_clicks.get((kw.keyword_id, d), 0)
            clicks = sessions + int(rng.poisson(0.2 * sessions + 0.3))
            impressions = int(clicks / ctr) + int(rng.poisson(15))
            conversions = int(rng.binomial(clicks, 0.06))
            day_cpc = cpc * rng.uniform(0.85, 1.15)
            rows.append(
                DailyMetric(
                    date=dates[d],
                    ad_campaign_id=kw.ad_campaign_id,
                    ad_group_id=kw.ad_group_id,
                    keyword_id=kw.keyword_id,
                    impressions=impressions,
                    clicks=clicks,
                    spend=_money(clicks * day_cpc),
                    network_conversions=conversions,
                    first_page_cpc=_money(cpc * 0.7),
                    average_position=_money(max(1.0, position + rng.normal(0, 0.3))),
                    conversion_rate=Decimal(str(round(conversions / clicks, 4)))
                    if clicks
                    else None,
                    max_cpc=_money(cpc * 1.6),
                    top_cpc=_money(cpc * 1.3),
                )
            )
    return rows


def write_ad_metrics(world: World, rows: list[DailyMetric]) -> None:
    for start in range(0, len(rows), BATCH):
        upsert_daily_metrics(workspace=world.workspace, rows=rows[start : start + BATCH])
