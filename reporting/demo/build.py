"""Phase A of the demo: the workspace and everything a marketer sets up by hand.

Users and memberships, teams, exchange rates, the site, campaigns with their assets and
associations, ad accounts with campaigns, groups, ads and keywords, tracking URLs. The result is
a `World`: the ids and times the traffic and engagement phases draw from.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from reporting.demo.ad_setup import ads_for_campaign, create_ad_accounts, create_house_ads
from reporting.demo.campaign_setup import (
    CampaignAssets,
    Held,
    associate_all,
    backdate,
    campaign_extras,
    create_campaign,
)
from reporting.demo.config import Scale
from reporting.demo.world import (
    DAY,
    World,
    create_exchange_rates,
    create_site,
    create_teams,
    ts,
)
from workspaces.models import Workspace


# --- Entry ---------------------------------------------------------------------------------------
def build_world(
    *, workspace: Workspace, scale: Scale, seed: int, end: date, users: dict[str, Any]
) -> World:
    tz = ZoneInfo(workspace.time_zone)
    end_ts = ts(datetime.combine(end, time(), tzinfo=tz))
    world = World(
        workspace=workspace,
        scale=scale,
        rng=random.Random(seed),
        start_ts=end_ts - scale.days * DAY,
        end_ts=end_ts,
        tz=tz,
        users=dict(users),
    )
    create_teams(world)
    create_exchange_rates(world)
    create_site(world)
    create_ad_accounts(world)
    held: list[Held] = []
    taken: set[str] = set()
    for index in range(scale.campaigns):
        info = create_campaign(world, index, taken)
        world.campaigns.append(info)
        builder = CampaignAssets(world, info, held)
        builder.build()
        campaign_extras(world, info, builder)
        ads_for_campaign(world, info, builder)
    create_house_ads(world)
    associate_all(world, held)
    backdate(world)
    return world
