"""Reads over assets and associations, including the one campaign-resolution rule.

`campaign_for_interaction(asset_id, at)` answers "which campaign did this asset count for at
time t": the campaign whose association interval [associated_at, dissociated_at) holds t. Every
writer of interactions uses it (or the bulk `CampaignResolver`, which applies the same rule).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from assets.models import Asset, AssetAssociation, AssetType
from workspaces.models import Workspace


def associations_for_asset(*, workspace: Workspace | int, asset_id: int) -> QuerySet:
    return (
        AssetAssociation.objects.for_workspace(workspace)
        .filter(asset_id=asset_id)
        .select_related("campaign")
        .order_by("associated_at", "id")
    )


def campaigns_for_asset_at(*, workspace: Workspace | int, asset_id: int, at: datetime) -> list[int]:
    """All campaigns holding the asset at `at` (several only for workflows), newest first."""
    rows = (
        AssetAssociation.objects.for_workspace(workspace)
        .filter(asset_id=asset_id, associated_at__lte=at)
        .filter(Q(dissociated_at__isnull=True) | Q(dissociated_at__gt=at))
        .order_by("-associated_at", "-id")
        .values_list("campaign_id", flat=True)
    )
    return list(rows)


def campaign_for_interaction(
    *, workspace: Workspace | int, asset_id: int | None, at: datetime
) -> int | None:
    """The campaign an interaction with `asset_id` at `at` counts for, or None."""
    if asset_id is None:
        return None
    held = campaigns_for_asset_at(workspace=workspace, asset_id=asset_id, at=at)
    return held[0] if held else None


@dataclass
class CampaignResolver:
    """Bulk form of `campaign_for_interaction` for imports and generators: one query, then
    in-memory lookups with the same interval rule (newest association holding `at` wins)."""

    workspace_id: int
    _intervals: dict[int, list[tuple[datetime, datetime | None, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _starts: dict[int, list[datetime]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._intervals = defaultdict(list)
        rows = (
            AssetAssociation.objects.for_workspace(self.workspace_id)
            .order_by("associated_at", "id")
            .values_list("asset_id", "associated_at", "dissociated_at", "campaign_id")
        )
        for asset_id, start, end, campaign_id in rows:
            self._intervals[asset_id].append((start, end, campaign_id))
        self._starts = {a: [s for s, _, _ in iv] for a, iv in self._intervals.items()}

    def campaign_for(self, asset_id: int | None, at: datetime) -> int | None:
        if asset_id is None or asset_id not in self._intervals:
            return None
        intervals = self._intervals[asset_id]
        upto = bisect.bisect_right(self._starts[asset_id], at)
        for start, end, campaign_id in reversed(intervals[:upto]):
            if start <= at and (end is None or at < end):
                return campaign_id
        return None


def assets_for_workspace(*, workspace: Workspace, type: str | None = None) -> QuerySet:
    qs = Asset.objects.for_workspace(workspace)
    if type:
        qs = qs.filter(type=type)
    return qs


def assets_for_campaign(*, workspace: Workspace, campaign_id: int) -> QuerySet:
    """Assets currently held by the campaign."""
    return (
        Asset.objects.for_workspace(workspace)
        .filter(associations__campaign_id=campaign_id, associations__dissociated_at__isnull=True)
        .distinct()
    )


# --- Pages: the asset list, the campaign's asset picker, URL matching ---------------------------

# Sort key (as in the URL) → the field it orders by.
ASSET_SORTS: dict[str, str] = {
    "name": "name",
    "type": "type",
    "published": "published_at",
    "created": "created_at",
}
DEFAULT_ASSET_SORT = "name"


def open_associations_prefetch() -> Prefetch:
    """Prefetch of each asset's open associations (with their campaign) into `current`."""
    return Prefetch(
        "associations",
        queryset=AssetAssociation.objects.filter(dissociated_at__isnull=True)
        .select_related("campaign")
        .order_by("associated_at", "id"),
        to_attr="current",
    )


def assets_for_list(
    *,
    workspace: Workspace,
    search: str = "",
    type: str = "",
    sort: str = DEFAULT_ASSET_SORT,
) -> QuerySet[Asset]:
    """The workspace's assets, searched by name, URL or external id, filtered by type and sorted;
    each with `current` (its open associations)."""
    qs = assets_for_workspace(workspace=workspace, type=type or None)
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(url__icontains=search) | Q(external_id__icontains=search)
        )
    if sort.lstrip("-") not in ASSET_SORTS:
        sort = DEFAULT_ASSET_SORT
    column = ASSET_SORTS[sort.lstrip("-")]
    expression = Lower(column) if column == "name" else F(column)
    ordered = (
        expression.desc(nulls_last=True)
        if sort.startswith("-")
        else expression.asc(nulls_last=True)
    )
    return qs.prefetch_related(open_associations_prefetch()).order_by(ordered, "id")


def landing_url_regex(normalized_url: str) -> str:
    """A case-insensitive regex (Python and PostgreSQL syntax alike) matching every URL whose
    `normalize_url` is `normalized_url`: any scheme, optional `www.` and port, trailing slashes,
    query string and fragment."""
    host, slash, path = normalized_url.partition("/")
    return (
        r"^([a-z][a-z0-9+.-]*:)?(//)?(www\.)?"
        + re.escape(host)
        + r"(:[0-9]+)?"
        + (re.escape(slash + path) if path else "")
        + r"/*([?#].*)?$"
    )


__all__ = [
    "AssetType",
    "CampaignResolver",
    "assets_for_campaign",
    "assets_for_list",
    "campaign_for_interaction",
    "campaigns_for_asset_at",
    "landing_url_regex",
]
