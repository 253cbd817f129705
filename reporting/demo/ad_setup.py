"""Ad accounts (Facebook in DKK, Google and LinkedIn in EUR) and their campaigns, groups, ads
and keywords, written through `ads.services`; and how their clicks reach the site (entry points
with click ids and utm params, linked to the ads)."""

from __future__ import annotations

from urllib.parse import quote_plus

from django.utils.text import slugify

from ads import services as ad_services
from ads.models import AdStatus, Network
from assets.models import Asset, AssetType
from reporting.demo import catalog as C
from reporting.demo.campaign_setup import CampaignAssets
from reporting.demo.world import (
    DAY,
    AdInfo,
    CampaignInfo,
    EntryPoint,
    KeywordInfo,
    World,
    new_asset,
)

# --- Ads -----------------------------------------------------------------------------------------
AD_PLANS = {
    "launch": (("facebook", 0.7), ("google", 0.6)),
    "promo": (("google", 0.8), ("facebook", 0.5)),
    "ebook": (("linkedin", 0.6),),
    "webinar": (("linkedin", 0.5),),
    "brand": (("facebook", 0.6), ("linkedin", 0.3)),
}
CAMPAIGN_TYPES = {
    "facebook": ("Conversions", "Traffic", "Lead generation"),
    "linkedin": ("Website visits", "Lead generation"),
    "google": ("Search",),
}


def create_ad_accounts(world: World) -> None:
    ws = world.workspace
    specs = (
        (Network.FACEBOOK, "act_1029384756", "Nordlys Cloud - Meta Ads", C.OTHER_CURRENCY),
        (Network.GOOGLE, "123-456-7890", "Nordlys Cloud - Google Ads", C.COMPANY_CURRENCY),
        (Network.LINKEDIN, "507312345", "Nordlys Cloud - LinkedIn Ads", C.COMPANY_CURRENCY),
    )
    for network, ext, name, currency in specs:
        world.accounts[network] = ad_services.upsert_ad_account(
            workspace=ws,
            network=network,
            external_id=ext,
            name=name,
            currency=currency,
            time_zone=C.TIME_ZONE,
        )
    world.accounts[Network.LINKEDIN].allowed_teams.add(world.users["team_growth"])


def _ad_window(world: World, info: CampaignInfo | None) -> tuple[int, int, str]:
    """When an ad campaign ran, and its status now (ended ones are paused or deleted)."""
    rng = world.rng
    if info is None:
        return world.start_ts - 90 * DAY, world.end_ts, AdStatus.ACTIVE
    start, end = max(info.start_ts, world.start_ts - 30 * DAY), info.end_ts
    if start >= world.end_ts:
        return start, start, AdStatus.PAUSED
    if end < world.end_ts:
        return start, end, AdStatus.DELETED if rng.random() < 0.25 else AdStatus.PAUSED
    if rng.random() < 0.12:
        paused = start + int(rng.random() * (world.end_ts - start))
        return start, paused, AdStatus.PAUSED
    return start, end, AdStatus.ACTIVE


def _ad_campaign(
    world: World,
    builder: CampaignAssets | None,
    info: CampaignInfo | None,
    network: str,
    *,
    name: str,
    tracked: bool = True,
    keywords: tuple[str, ...] = C.KEYWORDS,
    window: tuple[int, int, str] | None = None,
    asset_type: str | None = None,
) -> None:
    rng = world.rng
    asset = None
    if info is not None and builder is not None:
        asset = new_asset(
            world,
            type=AssetType.PAID_SEARCH if network == Network.GOOGLE else AssetType.AD_CAMPAIGN,
            name=name,
            created_ts=info.created_ts,
            external_id=f"{network}-{world.next_id()}",
        )
        builder.hold(asset, late=rng.random() < 0.2)
    elif asset_type is not None:
        asset = new_asset(
            world,
            type=asset_type,
            name=name,
            created_ts=world.start_ts - 90 * DAY,
            external_id=f"{network}-{world.next_id()}",
        )
    from_ts, to_ts, status = window or _ad_window(world, info)
    ad_campaign = ad_services.upsert_ad_campaign(
        account=world.accounts[network],
        external_id=str(rng.randint(10**11, 10**12 - 1)),
        name=name,
        status=status,
        campaign_type=rng.choice(CAMPAIGN_TYPES[network]),
        tracked=tracked,
        asset=asset,
    )
    groups = rng.sample(C.AD_GROUP_NAMES[network], rng.randint(2, 3))
    for group_name in groups:
        group = ad_services.upsert_ad_group(
            ad_campaign=ad_campaign,
            external_id=str(rng.randint(10**11, 10**12 - 1)),
            name=group_name,
            status=status if status != AdStatus.ACTIVE or rng.random() < 0.9 else AdStatus.PAUSED,
        )
        ad_ids = []
        for ad_name in rng.sample(C.AD_NAMES, rng.randint(2, 3)):
            ad = ad_services.upsert_ad(
                ad_group=group,
                external_id=str(rng.randint(10**11, 10**12 - 1)),
                name=f"{ad_name} - {group_name}",
                status=group.status,
            )
            ad_ids.append(ad.pk)
            world.ads.append(
                AdInfo(
                    ad.pk,
                    network,
                    ad_campaign.pk,
                    group.pk,
                    from_ts,
                    to_ts,
                    tracked,
                    ad.external_id,
                )
            )
        if network == Network.GOOGLE:
            for text in rng.sample(keywords, min(len(keywords), rng.randint(3, 5))):
                keyword = ad_services.upsert_keyword(
                    ad_group=group,
                    external_id=str(rng.randint(10**9, 10**10 - 1)),
                    text=text,
                    match_type=rng.choice(("exact", "phrase", "broad")),
                )
                world.keywords.append(
                    KeywordInfo(keyword.pk, text, ad_campaign.pk, group.pk, ad_ids, from_ts, to_ts)
                )
    utm = info.utm if info else slugify(name)
    _ad_entries(world, info, network, ad_campaign.pk, asset, tracked, utm)


def _ad_entries(
    world: World,
    info: CampaignInfo | None,
    network: str,
    ad_campaign_id: int,
    asset: Asset | None,
    tracked: bool,
    utm: str,
) -> None:
    """How clicks on these ads arrive: landing URL parameters, referrer, click id."""
    pages = (info.landing_pages or info.blog_posts) if info else [0]
    if not pages:
        return
    weight = (info.weight if info else 0.5) * (1.4 if network == Network.GOOGLE else 1.0)
    touch = asset.pk if asset is not None else None
    if network == Network.GOOGLE:
        leaves = [k for k in world.keywords if k.ad_campaign_id == ad_campaign_id]
        for kw in leaves:
            params = (
                f"utm_source=google&utm_medium=cpc&utm_campaign={utm}&utm_term={quote_plus(kw.text)}"
                if tracked
                else ""
            )
            world.entries.append(
                EntryPoint(
                    category="paid_search",
                    campaign=info.index if info else None,
                    page=world.rng.choice(pages),
                    params=params,
                    referrer="https://www.google.com/",
                    from_ts=kw.from_ts,
                    to_ts=kw.to_ts,
                    weight=weight / max(1, len(leaves)),
                    network="google",
                    click_id="gclid",
                    ad_id=kw.ad_ids[0],
                    keyword_id=kw.keyword_id,
                    keyword_text=kw.text,
                    touch_asset_id=touch,
                    touch_type="ad_click",
                )
            )
        return
    ads = [a for a in world.ads if a.ad_campaign_id == ad_campaign_id]
    for ad in ads:
        if network == Network.FACEBOOK:
            source, referrer = (
                ("instagram", "https://l.instagram.com/")
                if world.rng.random() < 0.25
                else ("facebook", "https://l.facebook.com/")
            )
            medium, click_id = "paid", "fbclid"
        else:
            source, referrer, medium, click_id = (
                "linkedin",
                "https://www.linkedin.com/",
                "paidsocial",
                "li_fat_id",
            )
        params = (
            f"utm_source={source}&utm_medium={medium}&utm_campaign={utm}&utm_content={ad.external_id}"
            if tracked
            else ""
        )
        world.entries.append(
            EntryPoint(
                category="paid_social",
                campaign=info.index if info else None,
                page=world.rng.choice(pages),
                params=params,
                referrer=referrer,
                from_ts=ad.from_ts,
                to_ts=ad.to_ts,
                weight=weight / max(1, len(ads)),
                network=source,
                click_id=click_id,
                ad_id=ad.ad_id if tracked else None,
                touch_asset_id=touch if tracked else None,
                touch_type="ad_click" if tracked else "",
            )
        )


def create_house_ads(world: World) -> None:
    """Ad campaigns no marketing campaign holds: always-on brand search and retargeting, an
    untracked employer-branding campaign paused along the way, and a deleted test."""
    start, end = world.start_ts, world.end_ts
    span = end - start
    _ad_campaign(
        world,
        None,
        None,
        Network.GOOGLE,
        name="Brand search - always on",
        keywords=C.BRAND_KEYWORDS,
        window=(start - 90 * DAY, end, AdStatus.ACTIVE),
        asset_type=AssetType.PAID_SEARCH,
    )
    _ad_campaign(
        world,
        None,
        None,
        Network.FACEBOOK,
        name="Retargeting - always on",
        window=(start - 90 * DAY, end, AdStatus.ACTIVE),
        asset_type=AssetType.AD_CAMPAIGN,
    )
    _ad_campaign(
        world,
        None,
        None,
        Network.LINKEDIN,
        name="Employer branding",
        tracked=False,
        window=(start, start + int(span * 0.6), AdStatus.PAUSED),
    )
    _ad_campaign(
        world,
        None,
        None,
        Network.FACEBOOK,
        name="Video creative test",
        window=(start + 10 * DAY, start + 40 * DAY, AdStatus.DELETED),
    )


def ads_for_campaign(world: World, info: CampaignInfo, builder: CampaignAssets) -> None:
    for network, chance in AD_PLANS.get(info.kind, ()):
        if world.rng.random() < chance:
            label = dict(Network.choices)[network]
            _ad_campaign(
                world,
                builder,
                info,
                network,
                name=f"{info.name.split(' · ')[0]} - {label}",
                tracked=world.rng.random() < 0.92,
            )
