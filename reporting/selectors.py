"""Reads for the Performance tab: the rows each report is computed from, and stored snapshots.

Everything is scoped by the campaign's workspace. Each loader is one or two aggregate queries
returning a DataFrame for `reporting.compute`; no per-row queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from ads.models import AdMetricDaily
from assets.models import Asset, AssetType
from assets.selectors import landing_url_regex
from assets.services import normalize_url
from attribution.services import conversion_inputs
from campaigns.models import Campaign, TrackingUrl
from campaigns.selectors import campaign_assets
from crm.models import Contact, Deal, DealContact, DealStage
from reporting.compute.frames import utc
from reporting.compute.overview import CampaignEvents
from reporting.compute.periods import Period
from reporting.models import (
    AssetDaily,
    CampaignInfluenceFact,
    CampaignSessionFact,
    ReportSnapshot,
    SnapshotStatus,
    TrafficDaily,
)
from tracking.models import Interaction, InteractionType, Session
from workspaces.models import Workspace

# SPEC §4.1: the engagements that make a contact "influenced" by the campaign.
INFLUENCE_TYPES = (
    InteractionType.AD_CLICK,
    InteractionType.SOCIAL_CLICK,
    InteractionType.FORM_SUBMISSION,
    InteractionType.EMAIL_OPEN,
    InteractionType.EMAIL_CLICK,
    InteractionType.WORKFLOW_ENROLLMENT,
    InteractionType.LIST_MEMBERSHIP,
    InteractionType.EVENT_ATTENDED,
    InteractionType.PAGE_VIEW,
    InteractionType.CTA_VIEW,
    InteractionType.CTA_CLICK,
)
WEBSITE_TYPES = (AssetType.BLOG_POST, AssetType.WEBSITE_PAGE, AssetType.LANDING_PAGE)


def _frame(rows: Any, columns: list[str], *times: str) -> pd.DataFrame:
    return utc(pd.DataFrame(list(rows), columns=columns), *times)


# --- Overview, Contacts & sessions (from the stored rollups, see reporting.rollups) -----------
def _at(lower: datetime | None, upper: datetime | None, field: str = "at") -> Q:
    return _period(lower, upper, field)


def campaign_sessions(
    *, campaign: Campaign, lower: datetime | None = None, upper: datetime | None = None
) -> pd.DataFrame:
    """Sessions with a page view of a website asset while the campaign held it, in the period
    (by the session's first such page view)."""
    rows = (
        CampaignSessionFact.objects.for_workspace(campaign.workspace_id)
        .filter(_at(lower, upper), campaign=campaign)
        .values_list("session_id", "at", "source")
    )
    return _frame(rows, ["session_id", "at", "source"], "at")


def campaign_new_contacts(
    *,
    campaign: Campaign,
    touch: str,
    lower: datetime | None = None,
    upper: datetime | None = None,
) -> pd.DataFrame:
    field = "first_touch_campaign" if touch == "first" else "last_touch_campaign"
    rows = (
        Contact.objects.for_workspace(campaign.workspace_id)
        .filter(_at(lower, upper, "created_at"), **{field: campaign})
        .values_list("id", "created_at", "original_source")
    )
    return _frame(rows, ["contact_id", "at", "source"], "at")


def campaign_influences(
    *, campaign: Campaign, lower: datetime | None = None, upper: datetime | None = None
) -> pd.DataFrame:
    """Each contact first influenced by the campaign in the period, at that first influence (an
    interaction with a campaign asset while held, a page view carrying the campaign's
    utm_campaign, or a session landing on such a URL)."""
    rows = (
        CampaignInfluenceFact.objects.for_workspace(campaign.workspace_id)
        .filter(_at(lower, upper), campaign=campaign)
        .values_list("contact_id", "at", "source")
    )
    return _frame(rows, ["contact_id", "at", "source"], "at")


def campaign_events(
    *,
    campaign: Campaign,
    touch: str,
    lower: datetime | None = None,
    upper: datetime | None = None,
) -> CampaignEvents:
    """The Overview's events in the period; read the rollups only when they are current
    (`reporting.rollups.ensure_campaign_rollups`)."""
    return CampaignEvents(
        sessions=campaign_sessions(campaign=campaign, lower=lower, upper=upper),
        new_contacts=campaign_new_contacts(
            campaign=campaign, touch=touch, lower=lower, upper=upper
        ),
        influences=campaign_influences(campaign=campaign, lower=lower, upper=upper),
    )


def _influence_sources(campaign: Campaign) -> tuple[QuerySet[Any], QuerySet[Any]]:
    """Subqueries of the contact ids the campaign influenced (interactions, utm sessions)."""
    ws = campaign.workspace_id
    interactions = (
        Interaction.objects.for_workspace(ws)
        .filter(contact__isnull=False)
        .filter(
            Q(campaign=campaign, type__in=INFLUENCE_TYPES)
            | Q(utm_campaign=campaign, type=InteractionType.PAGE_VIEW)
        )
        .values("contact_id")
    )
    sessions = (
        Session.objects.for_workspace(ws)
        .filter(utm_campaign_ref=campaign, contact__isnull=False)
        .values("contact_id")
    )
    return interactions, sessions


# --- Revenue ---------------------------------------------------------------------------------
@dataclass
class RevenueInputs:
    deals: pd.DataFrame  # deal_id, value, lead_created_at, deal_created_at, closed_at
    touches: pd.DataFrame  # deal_id, touch_id, at, campaign_id, contact_id
    problems: list[str]


def revenue_inputs(
    *,
    campaign: Campaign,
    lower: datetime | None,
    upper: datetime | None,
    attribution: bool,
    now: datetime | None = None,
) -> RevenueInputs:
    """Closed-won deals in the period (and the revenue window) that pass the deal-inclusion rule,
    with their pooled touches, taken from the workspace's stored revenue inputs. `attribution`:
    only the touches attribution models count (no static lists, workflows, email opens or
    losing A/B variants: Revenue attribution); else every interaction (Revenue)."""
    workspace = campaign.workspace
    window_start = (now or timezone.now()) - timedelta(days=workspace.revenue_window_days)
    lower = max(lower, window_start) if lower else window_start
    included = _included_deals(campaign, lower, upper)
    stored = conversion_inputs(workspace=workspace, kind="revenue")
    deals = stored.conversions[stored.conversions["conversion_id"].isin(included)]
    touches = stored.touches[stored.touches["conversion_id"].isin(deals["conversion_id"])]
    if attribution:
        touches = touches[touches["counts"]]
    touches = touches.rename(columns={"conversion_id": "deal_id"})
    touches = touches.assign(campaign_id=touches["campaign_id"].where(touches["campaign_id"] > 0))
    touches["campaign_id"] = touches["campaign_id"].astype("Int64")
    # A deal whose amount could not be converted is left out (and named in `problems`).
    return RevenueInputs(
        deals=deals.rename(columns={"conversion_id": "deal_id"})[
            ["deal_id", "value", "lead_created_at", "deal_created_at", "closed_at"]
        ].reset_index(drop=True),
        touches=touches[["deal_id", "touch_id", "at", "campaign_id", "contact_id"]],
        problems=[stored.problems[pk] for pk in included if pk in stored.problems],
    )


def _included_deals(campaign: Campaign, lower: datetime, upper: datetime | None) -> list[int]:
    """SPEC §4 deal inclusion: associated with an influenced contact before the close."""
    by_interaction, by_session = _influence_sources(campaign)
    links = DealContact.objects.for_workspace(campaign.workspace_id).filter(
        Q(contact_id__in=by_interaction) | Q(contact_id__in=by_session),
        deal_id=OuterRef("pk"),
        associated_at__lt=OuterRef("closed_at"),
    )
    deals = (
        Deal.objects.for_workspace(campaign.workspace_id)
        .filter(stage=DealStage.CLOSED_WON, closed_at__gte=lower)
        .filter(Exists(links))
    )
    if upper is not None:
        deals = deals.filter(closed_at__lt=upper)
    return list(deals.order_by("pk").values_list("pk", flat=True))


# --- Asset reports -----------------------------------------------------------------------------
def asset_report_inputs(
    *, campaign: Campaign, lower: datetime | None, upper: datetime | None
) -> dict[str, Any]:
    """The campaign's shown assets and their data in the period, whenever it was earned:
    interaction and submission counts from the stored rollups (`AssetDaily`, current as
    `reporting.rollups.ensure_campaign_rollups` leaves them), distinct reach from the
    interactions (an indexed aggregate), network metrics and tracking URL visits."""
    held = campaign_assets(campaign=campaign)
    assets: list[dict[str, Any]] = [
        {"id": item.asset.pk, "name": item.asset.name, "type": item.asset.type}
        for group in held.groups
        for item in group.items
    ]
    ids = [int(a["id"]) for a in assets]
    tz = campaign.workspace.tz
    daily = AssetDaily.objects.for_workspace(campaign.workspace_id).filter(
        _days(lower, upper, tz), campaign=campaign, asset_id__in=ids
    )
    totals = list(daily.values("asset_id", "kind").annotate(total=Sum("n")).order_by())
    counts = [(r["asset_id"], r["kind"], r["total"]) for r in totals]
    submitted = [(a, n) for a, kind, n in counts if kind == AssetDaily.PAGE_SUBMISSIONS]
    return {
        "assets": assets,
        "counts": pd.DataFrame(
            [row for row in counts if row[1] != AssetDaily.PAGE_SUBMISSIONS],
            columns=["asset_id", "type", "n"],
        ),
        "submissions": pd.DataFrame(submitted, columns=["asset_id", "submissions"]),
        "reach": _asset_reach(campaign.workspace_id, ids, lower, upper),
        "ads": _ad_metrics(campaign.workspace_id, ids, lower, upper, tz),
        "visits": _tracking_visits(campaign, assets, lower, upper),
        "hidden": len(held.hidden),
    }


def _days(lower: datetime | None, upper: datetime | None, tz: Any, field: str = "day") -> Q:
    """The local days of [lower, upper) (local midnights in the workspace zone `tz`)."""
    days = Q()
    if lower:
        days &= Q(**{f"{field}__gte": lower.astimezone(tz).date()})
    if upper:
        days &= Q(**{f"{field}__lt": upper.astimezone(tz).date()})
    return days


def _asset_reach(
    ws: int, ids: list[int], lower: datetime | None, upper: datetime | None
) -> pd.DataFrame:
    """Distinct sessions and contacts per asset in the period."""
    reach = (
        Interaction.objects.for_workspace(ws)
        .filter(_period(lower, upper), asset_id__in=ids)
        .values("asset_id")
        .annotate(
            sessions=Count("session", distinct=True), contacts=Count("contact", distinct=True)
        )
        .order_by()
    )
    return pd.DataFrame(list(reach), columns=["asset_id", "sessions", "contacts"])


def _period(lower: datetime | None, upper: datetime | None, field: str = "occurred_at") -> Q:
    period = Q()
    if lower:
        period &= Q(**{f"{field}__gte": lower})
    if upper:
        period &= Q(**{f"{field}__lt": upper})
    return period


def assets_data(
    *,
    campaign: Campaign,
    assets: list[dict[str, Any]],
    lower: datetime | None,
    upper: datetime | None,
) -> dict[str, Any]:
    """The frames `reporting.compute.assets.asset_reports` reads, for `assets`."""
    ids = [int(a["id"]) for a in assets]
    ws = campaign.workspace_id
    interactions = Interaction.objects.for_workspace(ws).filter(
        _period(lower, upper), asset_id__in=ids
    )
    counts = interactions.values("asset_id", "type").annotate(n=Count("id"))
    pages = [int(a["id"]) for a in assets if a["type"] in WEBSITE_TYPES]
    # A page's submissions: form submissions in the sessions that viewed it, in the period.
    submissions = (
        Interaction.objects.for_workspace(ws)
        .filter(
            _period(lower, upper, "session__interactions__occurred_at"),
            asset_id__in=pages,
            type=InteractionType.PAGE_VIEW,
            session__interactions__type=InteractionType.FORM_SUBMISSION,
        )
        .values("asset_id")
        .annotate(submissions=Count("session__interactions", distinct=True))
    )
    return {
        "assets": assets,
        "submissions": pd.DataFrame(list(submissions), columns=["asset_id", "submissions"]),
        "counts": pd.DataFrame(list(counts), columns=["asset_id", "type", "n"]),
        "reach": _asset_reach(ws, ids, lower, upper),
        "ads": _ad_metrics(ws, ids, lower, upper, campaign.workspace.tz),
        "visits": _tracking_visits(campaign, assets, lower, upper),
    }


def campaign_held_asset(*, campaign: Campaign, asset_id: int) -> Asset | None:
    """The workspace's asset `asset_id` if the campaign holds or once held it."""
    return (
        Asset.objects.for_workspace(campaign.workspace_id)
        .filter(pk=asset_id, associations__campaign=campaign)
        .distinct()
        .first()
    )


def asset_interactions(
    *, asset: Asset, lower: datetime | None, upper: datetime | None
) -> QuerySet[Interaction]:
    """The asset's interactions in the period, newest first (with whom and which campaign)."""
    return (
        Interaction.objects.for_workspace(asset.workspace_id)
        .filter(_period(lower, upper), asset=asset)
        .select_related("contact", "campaign")
        .order_by("-occurred_at", "-id")
    )


def asset_daily_counts(
    *, asset: Asset, lower: datetime | None, upper: datetime | None
) -> pd.DataFrame:
    """``at, type`` of the asset's interactions in the period (for the daily chart)."""
    rows = asset_interactions(asset=asset, lower=lower, upper=upper).values_list(
        "occurred_at", "type"
    )
    return _frame(rows, ["at", "type"], "at")


def _ad_metrics(
    ws: int, ids: list[int], lower: datetime | None, upper: datetime | None, tz: Any
) -> pd.DataFrame:
    rows = AdMetricDaily.objects.for_workspace(ws).filter(ad_campaign__asset_id__in=ids)
    if lower:
        rows = rows.filter(date__gte=lower.astimezone(tz).date())
    if upper:
        rows = rows.filter(date__lt=upper.astimezone(tz).date())
    totals = rows.values("ad_campaign__asset_id").annotate(
        impressions=Sum("impressions"), clicks=Sum("clicks"), spend=Sum("spend")
    )
    return pd.DataFrame(
        [
            (r["ad_campaign__asset_id"], r["impressions"] or 0, r["clicks"] or 0, r["spend"] or 0)
            for r in totals
        ],
        columns=["asset_id", "impressions", "clicks", "spend"],
    )


def _tracking_url_match(link: TrackingUrl, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}landing_url__iregex": landing_url_regex(normalize_url(link.destination_url)),
            f"{prefix}utm_campaign__iexact": link.utm_campaign,
            f"{prefix}utm_source__iexact": link.utm_source,
            f"{prefix}utm_medium__iexact": link.utm_medium,
            f"{prefix}utm_term__iexact": link.utm_term,
            f"{prefix}utm_content__iexact": link.utm_content,
        }
    )


def tracking_url_sessions(*, campaign: Campaign, tracking_url: TrackingUrl) -> QuerySet[Session]:
    """Sessions that landed on the tracking URL: its destination page with its utm values."""
    return Session.objects.for_workspace(campaign.workspace_id).filter(
        _tracking_url_match(tracking_url)
    )


def tracking_urls_with_visits(*, campaign: Campaign) -> list[tuple[TrackingUrl, int]]:
    """The campaign's tracking URLs, newest first, each with its visit count (one query for
    the links, one for the counts)."""
    links = list(
        TrackingUrl.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
    if not links:
        return []
    sessions = Session.objects.for_workspace(campaign.workspace_id)
    counts = sessions.aggregate(
        **{f"l{link.pk}": Count("id", filter=_tracking_url_match(link)) for link in links}
    )
    return [(link, int(counts[f"l{link.pk}"] or 0)) for link in links]


def _tracking_visits(
    campaign: Campaign, assets: list[dict[str, Any]], lower: datetime | None, upper: datetime | None
) -> pd.DataFrame:
    """Visits (sessions) and distinct contacts per tracking-URL asset, in one query: sessions on
    its tracking URL's destination with its utm values, else on the asset's own URL."""
    ids = [a["id"] for a in assets if a["type"] == AssetType.TRACKING_URL]
    if not ids:
        return pd.DataFrame([], columns=["asset_id", "visits", "contacts"])
    links = {
        link.asset_id: _tracking_url_match(link)
        for link in TrackingUrl.objects.for_workspace(campaign.workspace_id).filter(
            asset_id__in=ids
        )
    }
    urls = dict(
        Asset.objects.for_workspace(campaign.workspace_id)
        .filter(pk__in=ids)
        .values_list("pk", "normalized_url")
    )
    matches = {
        pk: links.get(pk) or Q(landing_url__iregex=landing_url_regex(urls[pk]))
        for pk in ids
        if pk in links or urls.get(pk)
    }
    # A tracking URL carries the campaign's utm_campaign: only those sessions can match (an
    # indexed filter, so the URL patterns are checked on a few rows, not on every session).
    sessions = Session.objects.for_workspace(campaign.workspace_id).filter(
        utm_campaign_ref=campaign
    )
    if lower:
        sessions = sessions.filter(started_at__gte=lower)
    if upper:
        sessions = sessions.filter(started_at__lt=upper)
    aggregates: dict[str, Any] = {}
    for pk, match in matches.items():
        aggregates[f"v{pk}"] = Count("id", filter=match)
        aggregates[f"c{pk}"] = Count("contact", filter=match, distinct=True)
    totals = sessions.aggregate(**aggregates) if aggregates else {}
    rows = [(pk, totals.get(f"v{pk}") or 0, totals.get(f"c{pk}") or 0) for pk in ids]
    return pd.DataFrame(rows, columns=["asset_id", "visits", "contacts"])


# --- Traffic -----------------------------------------------------------------------------------
def traffic_inputs(
    *, campaign: Campaign, lower: datetime | None, upper: datetime | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions on URLs with the campaign's utm_campaign by source and details (from the
    `TrafficDaily` rollup), and the contacts whose first touch was the campaign, likewise."""
    ws, keys = campaign.workspace_id, ["source", "detail_1", "detail_2"]
    sessions = (
        TrafficDaily.objects.for_workspace(ws)
        .filter(_days(lower, upper, campaign.workspace.tz), campaign=campaign)
        .values(*keys)
        .annotate(
            sessions=Sum("sessions"),
            views=Sum("views"),
            new_visitor_sessions=Sum("new_visitor_sessions"),
        )
        .order_by()
    )
    contacts = (
        Contact.objects.for_workspace(ws)
        .filter(_period(lower, upper, "created_at"), first_touch_campaign=campaign)
        .values(
            source=F("original_source"),
            detail_1=F("original_source_detail_1"),
            detail_2=F("original_source_detail_2"),
        )
        .annotate(contacts=Count("id"))
        .order_by()
    )
    columns = [*keys, "sessions", "views", "new_visitor_sessions"]
    return (
        pd.DataFrame(list(sessions), columns=columns),
        pd.DataFrame(list(contacts), columns=[*keys, "contacts"]),
    )


# --- Snapshots -------------------------------------------------------------------------------
def latest_snapshot(*, campaign: Campaign, report: str, filters_key: str) -> ReportSnapshot | None:
    """The newest snapshot for the key (any data version), without its drill-down ids."""
    return (
        ReportSnapshot.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, report=report, filters_key=filters_key)
        .defer("drill")
        .order_by("-data_version", "-id")
        .first()
    )


def ready_snapshot(*, campaign: Campaign, report: str, filters_key: str) -> ReportSnapshot | None:
    """The newest computed snapshot for the key, with its drill-down ids."""
    return (
        ReportSnapshot.objects.for_workspace(campaign.workspace_id)
        .filter(
            campaign=campaign,
            report=report,
            filters_key=filters_key,
            status=SnapshotStatus.READY,
        )
        .order_by("-data_version", "-id")
        .first()
    )


def revenue_deal_rows(*, workspace_id: int, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a revenue snapshot's `deal_rows` (deal id, value, amount credited) with their
    `Deal`, in the stored order; a deal deleted since the snapshot is left out."""
    deals = Deal.objects.for_workspace(workspace_id).in_bulk([item["deal"] for item in items])
    return [{**item, "deal": deals[item["deal"]]} for item in items if item["deal"] in deals]


def period_bounds(*, workspace: Workspace, period: Period) -> tuple[Any, Any]:
    return period.bounds(workspace.tz)


def decimal(value: str | None) -> Decimal:
    return Decimal(value or "0")


def latest_ready_before(*, snapshot: ReportSnapshot) -> ReportSnapshot | None:
    """A computed snapshot of the same report and filters for an older data version (shown,
    marked as updating, while the current one computes)."""
    return (
        ReportSnapshot.objects.for_workspace(snapshot.workspace_id)
        .filter(
            campaign_id=snapshot.campaign_id,
            report=snapshot.report,
            filters_key=snapshot.filters_key,
            status=SnapshotStatus.READY,
            data_version__lt=snapshot.data_version,
        )
        .defer("drill")
        .order_by("-data_version")
        .first()
    )


# --- Drill-down rows: the sessions, contacts or interactions behind a Traffic or asset number ---
# metric → the kind of row listed. Traffic: by source (and drill details) in the period; asset
# reports: one asset's column (all of its data in the period, whenever earned).
TRAFFIC_DRILLS: dict[str, str] = {
    "traffic_views": "sessions",
    "traffic_new_visitor_sessions": "sessions",
    "traffic_contacts": "contacts",
}
ASSET_INTERACTION_TYPES: dict[str, tuple[str, ...]] = {
    "views": ("page_view", "cta_view", "form_view"),
    "sent": ("email_sent",),
    "delivered": ("email_delivered",),
    "opens": ("email_open",),
    "clicks": ("email_click", "cta_click", "social_click", "ad_click"),
}
ASSET_DRILLS: dict[str, str] = {
    **{f"asset_{name}": "interactions" for name in ASSET_INTERACTION_TYPES},
    "asset_interactions": "interactions",
    "asset_submissions": "interactions",
    "asset_sessions": "sessions",
    "asset_visits": "sessions",
    "asset_contacts": "contacts",
}
DRILL_KINDS: dict[str, str] = {**TRAFFIC_DRILLS, **ASSET_DRILLS}


@dataclass(frozen=True)
class DrillScope:
    """What a drill-down list is limited to besides the campaign and period."""

    asset: Asset | None = None
    source: str | None = None
    detail_1: str | None = None
    detail_2: str | None = None


def drill_rows(
    *,
    campaign: Campaign,
    metric: str,
    lower: datetime | None,
    upper: datetime | None,
    scope: DrillScope,
) -> QuerySet[Any]:
    """The rows behind a Traffic or asset-report number, newest first (one indexed query; the
    page and an export read the same rows). `metric` is a key of `DRILL_KINDS`."""
    if metric in TRAFFIC_DRILLS:
        return _traffic_rows(campaign, metric, lower, upper, scope)
    if metric in ASSET_DRILLS and scope.asset is not None:
        return _asset_rows(campaign, metric, lower, upper, scope.asset)
    raise ValueError(f"no drill-down list for {metric!r}")


def _traffic_rows(
    campaign: Campaign,
    metric: str,
    lower: datetime | None,
    upper: datetime | None,
    scope: DrillScope,
) -> QuerySet[Any]:
    ws = campaign.workspace_id
    if metric == "traffic_contacts":
        fields = ("original_source", "original_source_detail_1", "original_source_detail_2")
        return _by_source(
            Contact.objects.for_workspace(ws).filter(
                _period(lower, upper, "created_at"), first_touch_campaign=campaign
            ),
            fields,
            scope,
        ).order_by("-created_at", "-id")
    sessions = Session.objects.for_workspace(ws).filter(
        _period(lower, upper, "started_at"), utm_campaign_ref=campaign
    )
    if metric == "traffic_new_visitor_sessions":
        sessions = sessions.filter(is_new_visitor=True)
    fields = ("source", "source_detail_1", "source_detail_2")
    return (
        _by_source(sessions, fields, scope).select_related("contact").order_by("-started_at", "-id")
    )


def _by_source(rows: QuerySet[Any], fields: tuple[str, str, str], scope: DrillScope) -> Any:
    for field, value in zip(fields, (scope.source, scope.detail_1, scope.detail_2), strict=True):
        if value is not None:
            rows = rows.filter(**{field: value})
    return rows


def _asset_rows(
    campaign: Campaign, metric: str, lower: datetime | None, upper: datetime | None, asset: Asset
) -> QuerySet[Any]:
    ws, name = campaign.workspace_id, metric.removeprefix("asset_")
    interactions = Interaction.objects.for_workspace(ws).filter(_period(lower, upper), asset=asset)
    if name == "visits" or (name == "contacts" and asset.type == AssetType.TRACKING_URL):
        visits = _tracking_url_rows(campaign, asset, lower, upper)
        if name == "visits":
            return visits.select_related("contact").order_by("-started_at", "-id")
        return Contact.objects.for_workspace(ws).filter(pk__in=visits.values("contact_id"))
    if name == "sessions":
        return (
            Session.objects.for_workspace(ws)
            .filter(pk__in=interactions.values("session_id"))
            .select_related("contact")
            .order_by("-started_at", "-id")
        )
    if name == "contacts":
        return (
            Contact.objects.for_workspace(ws)
            .filter(pk__in=interactions.values("contact_id"))
            .order_by("-created_at", "-id")
        )
    if name == "submissions" and asset.type in WEBSITE_TYPES:
        viewed = Interaction.objects.for_workspace(ws).filter(
            asset=asset, type=InteractionType.PAGE_VIEW, session__isnull=False
        )
        interactions = Interaction.objects.for_workspace(ws).filter(
            _period(lower, upper),
            type=InteractionType.FORM_SUBMISSION,
            session_id__in=viewed.values("session_id"),
        )
    elif name == "submissions":
        interactions = interactions.filter(type=InteractionType.FORM_SUBMISSION)
    elif name in ASSET_INTERACTION_TYPES:
        interactions = interactions.filter(type__in=ASSET_INTERACTION_TYPES[name])
    return interactions.select_related("contact", "asset", "campaign").order_by(
        "-occurred_at", "-id"
    )


def _tracking_url_rows(
    campaign: Campaign, asset: Asset, lower: datetime | None, upper: datetime | None
) -> QuerySet[Session]:
    """Sessions on the tracking URL asset's link (as its visits count them)."""
    link = TrackingUrl.objects.for_workspace(campaign.workspace_id).filter(asset=asset).first()
    if link is not None:
        match = _tracking_url_match(link)
    elif asset.normalized_url:
        match = Q(landing_url__iregex=landing_url_regex(asset.normalized_url))
    else:
        return Session.objects.none()
    return Session.objects.for_workspace(campaign.workspace_id).filter(
        match, _period(lower, upper, "started_at"), utm_campaign_ref=campaign
    )
