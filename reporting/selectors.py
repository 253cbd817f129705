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
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from ads.models import AdMetricDaily
from assets.models import Asset, AssetType
from assets.selectors import landing_url_regex
from assets.services import normalize_url
from campaigns.models import Campaign, TrackingUrl
from campaigns.selectors import campaign_assets
from crm.models import Contact, Deal, DealContact, DealStage
from reporting.compute.frames import utc
from reporting.compute.overview import CampaignEvents
from reporting.compute.periods import Period
from reporting.models import ReportSnapshot, SnapshotStatus
from tracking.models import NEVER_ATTRIBUTED_TYPES, Interaction, InteractionType, Session
from workspaces.models import Workspace
from workspaces.selectors import (
    MissingExchangeRate,
    attribution_interaction_types,
    company_currency_converter,
)

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


# --- Overview, Contacts & sessions -----------------------------------------------------------
def campaign_sessions(*, campaign: Campaign) -> pd.DataFrame:
    """Sessions with a page view of a website asset while the campaign held it."""
    rows = (
        Interaction.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, type=InteractionType.PAGE_VIEW, session__isnull=False)
        .values("session_id", "session__source")
        .annotate(at=Min("occurred_at"))
        .values_list("session_id", "at", "session__source")
    )
    return _frame(rows, ["session_id", "at", "source"], "at")


def campaign_new_contacts(*, campaign: Campaign, touch: str) -> pd.DataFrame:
    field = "first_touch_campaign" if touch == "first" else "last_touch_campaign"
    rows = (
        Contact.objects.for_workspace(campaign.workspace_id)
        .filter(**{field: campaign})
        .values_list("id", "created_at", "original_source")
    )
    return _frame(rows, ["contact_id", "at", "source"], "at")


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


def campaign_influences(*, campaign: Campaign) -> pd.DataFrame:
    """Each influenced contact's first influence (interaction with a campaign asset while held,
    a page view carrying the campaign's utm_campaign, or a session landing on such a URL)."""
    by_interaction, by_session = _influence_sources(campaign)
    columns = ("contact_id", "contact__original_source")
    interactions = (
        by_interaction.values(*columns)
        .annotate(at=Min("occurred_at"))
        .values_list("contact_id", "at", "contact__original_source")
    )
    sessions = (
        by_session.values(*columns)
        .annotate(at=Min("started_at"))
        .values_list("contact_id", "at", "contact__original_source")
    )
    frame = _frame([*interactions, *sessions], ["contact_id", "at", "source"], "at")
    return frame.sort_values("at", kind="stable").drop_duplicates("contact_id")


def campaign_events(*, campaign: Campaign, touch: str) -> CampaignEvents:
    return CampaignEvents(
        sessions=campaign_sessions(campaign=campaign),
        new_contacts=campaign_new_contacts(campaign=campaign, touch=touch),
        influences=campaign_influences(campaign=campaign),
    )


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
    with their pooled touches. `attribution`: only the types that count for attribution models
    and no losing A/B variants (Revenue attribution); else every interaction (Revenue)."""
    workspace = campaign.workspace
    window_start = (now or timezone.now()) - timedelta(days=workspace.revenue_window_days)
    lower = max(lower, window_start) if lower else window_start
    deals = _included_deals(campaign, lower, upper)
    links = list(
        DealContact.objects.for_workspace(workspace)
        .filter(deal__in=[d.pk for d in deals])
        .values_list("deal_id", "contact_id", "associated_at", "contact__created_at")
    )
    closes = {d.pk: d.closed_at for d in deals if d.closed_at is not None}
    links = [link for link in links if link[2] < closes[link[0]]]
    frame, problems = _deal_frame(workspace, deals, links)
    touches = _deal_touches(workspace, links, closes, attribution=attribution)
    # A deal whose amount could not be converted is left out (and named in `problems`).
    touches = touches[touches["deal_id"].isin(frame["deal_id"])]
    return RevenueInputs(deals=frame, touches=touches, problems=problems)


def _included_deals(campaign: Campaign, lower: datetime, upper: datetime | None) -> list[Deal]:
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
    return list(deals.order_by("pk"))


def _deal_frame(
    workspace: Workspace, deals: list[Deal], links: list[tuple[Any, ...]]
) -> tuple[pd.DataFrame, list[str]]:
    converter = company_currency_converter(
        workspace=workspace, currencies={d.currency for d in deals}
    )
    oldest: dict[int, datetime] = {}
    for deal_id, _contact, _at, created in links:
        oldest[deal_id] = min(created, oldest.get(deal_id, created))
    rows, problems = [], []
    tz = workspace.tz
    for deal in deals:
        try:
            value = converter.convert(
                amount=deal.amount, currency=deal.currency, on=_local_day(deal.closed_at, tz)
            )
        except MissingExchangeRate as exc:
            problems.append(f"{deal.name}: {exc}")
            continue
        rows.append((deal.pk, float(value), oldest.get(deal.pk), deal.created_at, deal.closed_at))
    columns = ["deal_id", "value", "lead_created_at", "deal_created_at", "closed_at"]
    return _frame(rows, columns, *columns[2:]), problems


def _deal_touches(
    workspace: Workspace,
    links: list[tuple[Any, ...]],
    closes: dict[int, datetime],
    *,
    attribution: bool,
) -> pd.DataFrame:
    contacts = {c for _d, c, _a, _c in links}
    rows = Interaction.objects.for_workspace(workspace).filter(contact_id__in=contacts)
    if attribution:
        types = set(workspace_attribution_types(workspace)) - set(NEVER_ATTRIBUTED_TYPES)
        rows = rows.filter(type__in=types).exclude(asset__ab_is_winner=False)
    interactions = _frame(
        rows.values_list("id", "contact_id", "occurred_at", "campaign_id"),
        ["touch_id", "contact_id", "at", "campaign_id"],
        "at",
    )
    deal_links = pd.DataFrame(
        [(d, c, closes[d]) for d, c, _a, _c in links],
        columns=["deal_id", "contact_id", "closed_at"],
    )
    deal_links = utc(deal_links, "closed_at")
    touches = deal_links.merge(interactions, on="contact_id")
    touches = touches[touches["at"] <= touches["closed_at"]]
    touches = touches.drop_duplicates(["deal_id", "touch_id"])
    touches["campaign_id"] = touches["campaign_id"].astype("Int64")
    return touches[["deal_id", "touch_id", "at", "campaign_id", "contact_id"]].sort_values(
        ["deal_id", "at", "touch_id"]
    )


def workspace_attribution_types(workspace: Workspace) -> list[str]:
    return attribution_interaction_types(workspace=workspace)


def _local_day(at: datetime | None, tz: Any) -> Any:
    if at is None:  # closed-won deals always have a close date (a database constraint)
        raise ValueError("a closed deal without a close date")
    return at.astimezone(tz).date()


# --- Asset reports -----------------------------------------------------------------------------
def asset_report_inputs(
    *, campaign: Campaign, lower: datetime | None, upper: datetime | None
) -> dict[str, Any]:
    """The campaign's shown assets and their data in the period, whenever it was earned."""
    held = campaign_assets(campaign=campaign)
    assets: list[dict[str, Any]] = [
        {"id": item.asset.pk, "name": item.asset.name, "type": item.asset.type}
        for group in held.groups
        for item in group.items
    ]
    return {
        **assets_data(campaign=campaign, assets=assets, lower=lower, upper=upper),
        "hidden": len(held.hidden),
    }


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
    reach = interactions.values("asset_id").annotate(
        sessions=Count("session", distinct=True), contacts=Count("contact", distinct=True)
    )
    pages = [int(a["id"]) for a in assets if a["type"] in WEBSITE_TYPES]
    # A page's submissions: form submissions in the sessions that viewed it.
    submissions = (
        Interaction.objects.for_workspace(ws)
        .filter(
            asset_id__in=pages,
            type=InteractionType.PAGE_VIEW,
            session__interactions__type=InteractionType.FORM_SUBMISSION,
        )
        .filter(_period(lower, upper, "session__interactions__occurred_at"))
        .values("asset_id")
        .annotate(submissions=Count("session__interactions", distinct=True))
    )
    return {
        "assets": assets,
        "submissions": pd.DataFrame(list(submissions), columns=["asset_id", "submissions"]),
        "counts": pd.DataFrame(list(counts), columns=["asset_id", "type", "n"]),
        "reach": pd.DataFrame(list(reach), columns=["asset_id", "sessions", "contacts"]),
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
    ws = campaign.workspace_id
    sessions = Session.objects.for_workspace(ws).filter(utm_campaign_ref=campaign)
    contacts = Contact.objects.for_workspace(ws).filter(first_touch_campaign=campaign)
    if lower:
        sessions = sessions.filter(started_at__gte=lower)
        contacts = contacts.filter(created_at__gte=lower)
    if upper:
        sessions = sessions.filter(started_at__lt=upper)
        contacts = contacts.filter(created_at__lt=upper)
    session_frame = pd.DataFrame(
        list(
            sessions.values_list(
                "id",
                "source",
                "source_detail_1",
                "source_detail_2",
                "page_view_count",
                "is_new_visitor",
            )
        ),
        columns=["session_id", "source", "detail_1", "detail_2", "views", "is_new_visitor"],
    )
    session_frame["is_new_visitor"] = session_frame["is_new_visitor"].astype(int)
    contact_frame = pd.DataFrame(
        list(
            contacts.values_list(
                "id", "original_source", "original_source_detail_1", "original_source_detail_2"
            )
        ),
        columns=["contact_id", "source", "detail_1", "detail_2"],
    )
    return session_frame, contact_frame


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
