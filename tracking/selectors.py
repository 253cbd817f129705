"""Reads over visitors, sessions, page views and interactions (always scoped to one workspace)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet

from ads.models import Ad, AdCampaign
from assets.models import WEBSITE_ASSET_TYPES, Asset
from campaigns.models import CampaignUtm
from tracking.models import CollectedEvent, Interaction, PageView, Session, Visitor
from workspaces.models import Workspace


def campaign_utm_lookup(*, workspace: Workspace | int) -> dict[str, int]:
    """utm_campaign value (lower-cased) → campaign id, for matching landing URLs in bulk."""
    rows = CampaignUtm.objects.for_workspace(workspace).values_list("value", "campaign_id")
    return {value.strip().lower(): campaign_id for value, campaign_id in rows}


def campaign_for_utm(*, workspace: Workspace | int, utm_campaign: str) -> int | None:
    """The campaign whose utm_campaign value equals `utm_campaign`, case-insensitively."""
    value = (utm_campaign or "").strip()
    if not value:
        return None
    row = (
        CampaignUtm.objects.for_workspace(workspace)
        .filter(value__iexact=value)
        .values_list("campaign_id", flat=True)
        .first()
    )
    return row


def page_asset_lookup(*, workspace: Workspace | int) -> dict[str, int]:
    """normalized URL → id of the website asset (page, blog post, landing page) at that URL."""
    rows = (
        Asset.objects.for_workspace(workspace)
        .filter(type__in=WEBSITE_ASSET_TYPES)
        .exclude(normalized_url="")
        .order_by("id")
        .values_list("normalized_url", "id")
    )
    lookup: dict[str, int] = {}
    for url, asset_id in rows:
        lookup.setdefault(url, asset_id)
    return lookup


def page_asset_for_url(*, workspace: Workspace | int, normalized_url: str) -> Asset | None:
    if not normalized_url:
        return None
    return (
        Asset.objects.for_workspace(workspace)
        .filter(type__in=WEBSITE_ASSET_TYPES, normalized_url=normalized_url)
        .order_by("id")
        .first()
    )


def visitor_by_cookie(*, workspace: Workspace | int, cookie_id: str) -> Visitor | None:
    return Visitor.objects.for_workspace(workspace).filter(cookie_id=cookie_id).first()


def sessions_for_visitor(*, workspace: Workspace | int, visitor_id: int) -> QuerySet[Session]:
    return (
        Session.objects.for_workspace(workspace)
        .filter(visitor_id=visitor_id)
        .order_by("started_at", "id")
    )


def last_session_before(
    *, workspace: Workspace | int, visitor_id: int, at: datetime
) -> Session | None:
    """The visitor's latest session started at or before `at`."""
    return (
        sessions_for_visitor(workspace=workspace, visitor_id=visitor_id)
        .filter(started_at__lte=at)
        .order_by("-started_at", "-id")
        .first()
    )


def page_views_for_visitor(*, workspace: Workspace | int, visitor_id: int) -> QuerySet[PageView]:
    return (
        PageView.objects.for_workspace(workspace)
        .filter(visitor_id=visitor_id)
        .order_by("occurred_at", "id")
    )


def interactions_for_contact(
    *, workspace: Workspace | int, contact_id: int
) -> QuerySet[Interaction]:
    return (
        Interaction.objects.for_workspace(workspace)
        .filter(contact_id=contact_id)
        .order_by("occurred_at", "id")
    )


def interactions_for_session(
    *, workspace: Workspace | int, session_id: int
) -> QuerySet[Interaction]:
    return (
        Interaction.objects.for_workspace(workspace)
        .filter(session_id=session_id)
        .order_by("occurred_at", "id")
    )


# --- Ad clicks: which ad a session's landing URL came from ----------------------------------------
# Network named by a click id, and by the `hsa_net` value of auto-tagged ad URLs.
CLICK_ID_NETWORKS = {
    "gclid": "google",
    "gbraid": "google",
    "wbraid": "google",
    "fbclid": "facebook",
    "li_fat_id": "linkedin",
}
HSA_NETWORKS = {
    "adwords": "google",
    "google": "google",
    "facebook": "facebook",
    "fb": "facebook",
    "instagram": "facebook",
    "linkedin": "linkedin",
}


def _ad_networks(params: Mapping[str, str]) -> set[str]:
    networks = {network for name, network in CLICK_ID_NETWORKS.items() if params.get(name)}
    hsa = HSA_NETWORKS.get(params.get("hsa_net", "").lower())
    return networks | ({hsa} if hsa else set())


def ad_for_landing(*, workspace: Workspace | int, params: Mapping[str, str]) -> Ad | None:
    """The ad a session arrived from, when its landing URL's query identifies exactly one.

    `params` is the parsed query (tracking.sources.parse_query). Auto-tagged URLs name the ad
    (hsa_ad, with hsa_acc / hsa_cam / hsa_net); otherwise utm_campaign names the ad campaign
    (its id or name) and utm_content the ad (its id or name), or the campaign has a single ad.
    A click id (gclid, fbclid, li_fat_id) narrows the search to its network.
    """
    networks = _ad_networks(params)
    ads = Ad.objects.for_workspace(workspace)
    if networks:
        ads = ads.filter(ad_group__ad_campaign__account__network__in=networks)
    if params.get("hsa_ad"):
        named = ads.filter(external_id=params["hsa_ad"])
        if params.get("hsa_acc"):
            named = named.filter(ad_group__ad_campaign__account__external_id=params["hsa_acc"])
        if params.get("hsa_cam"):
            named = named.filter(ad_group__ad_campaign__external_id=params["hsa_cam"])
        found = list(named[:2])
        if len(found) == 1:
            return found[0]
    campaign_ref = params.get("hsa_cam") or params.get("utm_campaign", "")
    if not campaign_ref:
        return None
    campaigns = AdCampaign.objects.for_workspace(workspace).filter(
        Q(external_id=campaign_ref) | Q(name__iexact=campaign_ref)
    )
    if networks:
        campaigns = campaigns.filter(account__network__in=networks)
    campaign_ids = list(campaigns.values_list("pk", flat=True)[:2])
    if len(campaign_ids) != 1:
        return None
    in_campaign = ads.filter(ad_group__ad_campaign_id=campaign_ids[0])
    content = params.get("utm_content", "")
    if content:
        found = list(in_campaign.filter(Q(external_id=content) | Q(name__iexact=content))[:2])
        if len(found) == 1:
            return found[0]
    only = list(in_campaign[:2])
    return only[0] if len(only) == 1 else None


# --- The tracking settings page ------------------------------------------------------------------
@dataclass(frozen=True)
class CollectorStatus:
    """How the workspace's tracking is doing, for its settings page."""

    received_24h: int
    pending: int
    failed_24h: int
    last_received_at: datetime | None


def collector_status(*, workspace: Workspace, now: datetime) -> CollectorStatus:
    events = CollectedEvent.objects.for_workspace(workspace)
    since = now - timedelta(hours=24)
    recent = events.filter(received_at__gte=since).aggregate(
        received=Count("id"),
        failed=Count("id", filter=~Q(error="")),
        last=Max("received_at"),
    )
    last = recent["last"] or events.aggregate(last=Max("received_at"))["last"]
    return CollectorStatus(
        received_24h=recent["received"],
        pending=events.filter(processed_at__isnull=True).count(),
        failed_24h=recent["failed"],
        last_received_at=last,
    )
