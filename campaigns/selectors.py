"""Reads for the campaign pages: the list, the detail header (goals, spend) and its assets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone

from assets.models import (
    SHOWN_AFTER_VISIT_TYPES,
    Asset,
    AssetAssociation,
    AssetType,
)
from assets.selectors import landing_url_regex
from campaigns.models import (
    Campaign,
    CampaignGoal,
    CampaignStatus,
    CampaignUtm,
    GoalMetric,
    SpendItem,
)
from tracking.models import Interaction, Session
from workspaces.models import Workspace
from workspaces.selectors import MissingExchangeRate, company_currency_converter

# --- The campaign list ---------------------------------------------------------------------------

STATUS_ORDER = Case(
    *(When(status=value, then=Value(rank)) for rank, value in enumerate(CampaignStatus.values)),
    output_field=IntegerField(),
)

# Sort key (as in the URL) → the expression it orders by.
CAMPAIGN_SORTS: dict[str, Any] = {
    "name": Lower("name"),
    "start_date": F("start_date"),
    "end_date": F("end_date"),
    "status": STATUS_ORDER,
    "created": F("created_at"),
    "owner": Lower("owner_label"),
}
DEFAULT_CAMPAIGN_SORT = "-created"


def _order(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    expression = CAMPAIGN_SORTS[sort.lstrip("-")]
    # Campaigns without the value (no end date, no owner) go last in both directions.
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return [ordered, "-id"]


def open_association_count() -> Coalesce:
    """For an annotation on campaigns: how many assets the campaign holds now."""
    rows = (
        AssetAssociation.objects.filter(campaign_id=OuterRef("pk"), dissociated_at__isnull=True)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def campaigns_for_list(
    *,
    workspace: Workspace,
    search: str = "",
    status: str = "",
    sort: str = DEFAULT_CAMPAIGN_SORT,
) -> QuerySet:
    """The workspace's campaigns, searched by name or utm_campaign value, filtered and sorted."""
    qs = (
        Campaign.objects.for_workspace(workspace)
        .select_related("owner")
        .prefetch_related("utms")
        .annotate(
            asset_count=open_association_count(),
            owner_label=Coalesce(
                NullIf(
                    Trim(Concat("owner__first_name", Value(" "), "owner__last_name")), Value("")
                ),
                "owner__email",
                output_field=CharField(),
            ),
        )
    )
    if search:
        utm_match = CampaignUtm.objects.filter(campaign=OuterRef("pk"), value__icontains=search)
        qs = qs.filter(Q(name__icontains=search) | Exists(utm_match))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(
        *_order(sort if sort.lstrip("-") in CAMPAIGN_SORTS else DEFAULT_CAMPAIGN_SORT)
    )


def owner_choices(*, workspace: Workspace) -> QuerySet[Any]:
    """The users who may own a campaign of the workspace: its members."""
    return (
        get_user_model()
        .objects.filter(memberships__workspace=workspace)
        .order_by("first_name", "last_name", "email")
    )


def utm_clashes(
    *, workspace: Workspace, values: Iterable[str], exclude_campaign_id: int | None
) -> dict[str, CampaignUtm]:
    """value → the other campaign's CampaignUtm row for every value already taken (any case)."""
    lowered = {v.lower(): v for v in values}
    if not lowered:
        return {}
    rows = (
        CampaignUtm.objects.for_workspace(workspace)
        .annotate(lowered=Lower("value"))
        .filter(lowered__in=list(lowered))
        .select_related("campaign")
    )
    if exclude_campaign_id is not None:
        rows = rows.exclude(campaign_id=exclude_campaign_id)
    return {lowered[row.lowered]: row for row in rows}


def campaign_for_detail(*, workspace: Workspace, campaign_id: int) -> QuerySet[Campaign]:
    """A queryset for get_object_or_404 with what the header needs loaded."""
    return (
        Campaign.objects.for_workspace(workspace)
        .filter(pk=campaign_id)
        .select_related("owner", "workspace")
        .prefetch_related("utms")
    )


# --- Goals and spend -----------------------------------------------------------------------------


def campaign_goals(*, campaign: Campaign) -> list[CampaignGoal]:
    """The campaign's goals in the order of the metric choices."""
    order = {metric: i for i, metric in enumerate(GoalMetric.values)}
    goals = list(CampaignGoal.objects.filter(campaign=campaign))
    return sorted(goals, key=lambda g: order.get(g.metric, len(order)))


@dataclass(frozen=True)
class SpendLine:
    item: SpendItem
    # The amount in the company currency; None when no exchange rate was effective that day.
    converted: Decimal | None
    problem: str = ""


@dataclass(frozen=True)
class SpendSummary:
    currency: str
    lines: list[SpendLine]
    total: Decimal

    @property
    def unconverted(self) -> list[SpendLine]:
        return [line for line in self.lines if line.converted is None]


def campaign_spend(*, campaign: Campaign) -> SpendSummary:
    """Spend items with their company-currency amounts (rate effective on the spend date)."""
    workspace = campaign.workspace
    items = list(SpendItem.objects.filter(campaign=campaign).order_by("spent_on", "id"))
    converter = company_currency_converter(
        workspace=workspace, currencies={i.currency for i in items}
    )
    lines: list[SpendLine] = []
    for item in items:
        try:
            converted = converter.convert(
                amount=item.amount, currency=item.currency, on=item.spent_on
            )
            lines.append(SpendLine(item=item, converted=converted))
        except MissingExchangeRate as exc:
            lines.append(SpendLine(item=item, converted=None, problem=str(exc)))
    total = sum((line.converted for line in lines if line.converted is not None), Decimal(0))
    return SpendSummary(
        currency=workspace.currency, lines=lines, total=total.quantize(Decimal("0.01"))
    )


# --- The campaign's assets -----------------------------------------------------------------------


class HiddenReason:
    NOT_PUBLISHED = "not_published"
    NO_VISIT = "no_visit"


@dataclass(frozen=True)
class CampaignAsset:
    association: AssetAssociation
    published_outside_dates: bool = False
    hidden_reason: str = ""

    @property
    def asset(self) -> Asset:
        return self.association.asset


@dataclass
class AssetGroup:
    type: str
    label: str
    items: list[CampaignAsset] = field(default_factory=list)


@dataclass
class CampaignAssets:
    groups: list[AssetGroup]
    hidden: list[CampaignAsset]

    @property
    def shown_count(self) -> int:
        return sum(len(g.items) for g in self.groups)

    @property
    def hidden_unpublished(self) -> list[CampaignAsset]:
        return [i for i in self.hidden if i.hidden_reason == HiddenReason.NOT_PUBLISHED]

    @property
    def hidden_unvisited(self) -> list[CampaignAsset]:
        return [i for i in self.hidden if i.hidden_reason == HiddenReason.NO_VISIT]


def published_outside_dates(*, asset: Asset, campaign: Campaign) -> bool:
    """Was the asset published (in the workspace's time zone) before the start or after the end?"""
    if asset.published_at is None:
        return False
    day = asset.published_at.astimezone(campaign.workspace.tz).date()
    return bool(
        (campaign.start_date and day < campaign.start_date)
        or (campaign.end_date and day > campaign.end_date)
    )


def visited_since(*, workspace: Workspace, assets: Sequence[Asset], since: datetime) -> set[int]:
    """Ids of the assets with a visit at or after `since`: a session that landed on the asset's
    URL, or an interaction on the asset. One query, each check stopping at its first match."""
    if not assets:
        return set()
    interactions = Interaction.objects.for_workspace(workspace).filter(
        asset_id=OuterRef("pk"), occurred_at__gte=since
    )
    sessions = Session.objects.for_workspace(workspace).filter(started_at__gte=since)
    landed = [
        When(
            pk=a.pk,
            then=Exists(sessions.filter(landing_url__iregex=landing_url_regex(a.normalized_url))),
        )
        for a in assets
        if a.normalized_url
    ]
    qs = Asset.objects.for_workspace(workspace).filter(pk__in=[a.pk for a in assets])
    qs = qs.annotate(by_interaction=Exists(interactions))
    if landed:
        qs = qs.annotate(by_session=Case(*landed, default=Value(False)))
        qs = qs.filter(Q(by_interaction=True) | Q(by_session=True))
    else:
        qs = qs.filter(by_interaction=True)
    return set(qs.values_list("pk", flat=True))


def _hidden_reason(asset: Asset, *, now: datetime, unvisited: set[int]) -> str:
    if asset.type == AssetType.SOCIAL_POST and (
        asset.published_at is None or asset.published_at > now
    ):
        return HiddenReason.NOT_PUBLISHED
    if asset.type in SHOWN_AFTER_VISIT_TYPES and asset.pk in unvisited:
        return HiddenReason.NO_VISIT
    return ""


def campaign_assets(*, campaign: Campaign, now: datetime | None = None) -> CampaignAssets:
    """The assets the campaign holds now, grouped by type, with the SPEC §2 visibility rules:
    unpublished social posts and never-visited paid search campaigns / tracking URLs are hidden
    (returned separately, so the page can say how many and why)."""
    now = now or timezone.now()
    rows = list(
        AssetAssociation.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, dissociated_at__isnull=True)
        .select_related("asset", "associated_by")
        .order_by(Lower("asset__name"), "asset_id")
    )
    needs_visit = [r.asset for r in rows if r.asset.type in SHOWN_AFTER_VISIT_TYPES]
    visited = visited_since(
        workspace=campaign.workspace, assets=needs_visit, since=campaign.created_at
    )
    unvisited = {a.pk for a in needs_visit} - visited
    groups = {value: AssetGroup(type=value, label=str(label)) for value, label in AssetType.choices}
    hidden: list[CampaignAsset] = []
    for row in rows:
        item = CampaignAsset(
            association=row,
            published_outside_dates=published_outside_dates(asset=row.asset, campaign=campaign),
            hidden_reason=_hidden_reason(row.asset, now=now, unvisited=unvisited),
        )
        (hidden if item.hidden_reason else groups[row.asset.type].items).append(item)
    return CampaignAssets(groups=[g for g in groups.values() if g.items], hidden=hidden)


def association_history(*, campaign: Campaign) -> QuerySet[AssetAssociation]:
    """Every association the campaign has had, ended ones included, newest first."""
    return (
        AssetAssociation.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign)
        .select_related("asset", "associated_by")
        .order_by("-associated_at", "-id")
    )


def holds_asset(*, campaign: Campaign, asset: Asset) -> bool:
    """Does the campaign hold the asset now?"""
    return (
        AssetAssociation.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, asset=asset, dissociated_at__isnull=True)
        .exists()
    )


def campaign_asset_count(*, campaign: Campaign) -> int:
    """How many assets the campaign holds now."""
    return (
        AssetAssociation.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, dissociated_at__isnull=True)
        .count()
    )


@dataclass(frozen=True)
class PickerRow:
    """One asset in the "Add assets" picker of a campaign."""

    asset: Asset
    in_campaign: bool
    # The other campaigns holding the asset now.
    others: list[Campaign]

    @property
    def moves(self) -> bool:
        """Would adding it end its association with another campaign?"""
        return bool(self.others) and not self.asset.allows_several_campaigns


def picker_rows(*, assets: Iterable[Asset], campaign: Campaign) -> list[PickerRow]:
    """Rows for assets loaded with `assets.selectors.assets_for_list` (their `current`)."""
    rows = []
    for asset in assets:
        held_by = [row.campaign for row in getattr(asset, "current", [])]
        rows.append(
            PickerRow(
                asset=asset,
                in_campaign=any(c.pk == campaign.pk for c in held_by),
                others=[c for c in held_by if c.pk != campaign.pk],
            )
        )
    return rows
