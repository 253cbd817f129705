"""Writes for ad accounts, the network objects under them and their daily metrics.

Every write is an idempotent upsert keyed by the network's external ids (a sync or a report
import that runs twice stores each object and each day once, with the newest values). The
connectors (ads/sync) and the demo generator both write through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ads.models import (
    Ad,
    AdAccount,
    AdCampaign,
    AdGroup,
    AdMetricDaily,
    AdStatus,
    Keyword,
    Network,
)
from assets.models import Asset
from workspaces.models import Workspace, validate_currency, validate_time_zone
from workspaces.services import bump_data_version

BATCH_SIZE = 5000


def _clean_external_id(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("%(what)s needs the network's id.") % {"what": what})
    if len(value) > 100:
        raise ValidationError(_("%(what)s: the network id is too long.") % {"what": what})
    return value


def _clean_status(status: str) -> str:
    if status not in AdStatus.values:
        raise ValidationError(
            _("%(status)s is not an ad status (use active, paused or deleted).")
            % {"status": status}
        )
    return status


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("%(what)s needs a name.") % {"what": what})
    return name[:300]


def _upsert(model: type[Any], keys: dict[str, Any], values: dict[str, Any]) -> Any:
    obj, created = model.objects.get_or_create(**keys, defaults=values)
    if not created and any(getattr(obj, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(obj, key, value)
        obj.save(update_fields=list(values))
    return obj


@transaction.atomic
def upsert_ad_account(
    *,
    workspace: Workspace,
    network: str,
    external_id: str,
    name: str,
    currency: str,
    time_zone: str = "UTC",
) -> AdAccount:
    if network not in Network.values:
        raise ValidationError(
            _("%(network)s is not a supported ad network (Facebook, Google Ads, LinkedIn).")
            % {"network": network}
        )
    currency = (currency or "").strip().upper()
    validate_currency(currency)
    validate_time_zone(time_zone)
    account = _upsert(
        AdAccount,
        {
            "workspace": workspace,
            "network": network,
            "external_id": _clean_external_id(external_id, _("An ad account")),
        },
        {
            "name": _clean_name(name, _("An ad account"))[:200],
            "currency": currency,
            "time_zone": time_zone,
        },
    )
    bump_data_version(workspace.pk)
    return account


@transaction.atomic
def upsert_ad_campaign(
    *,
    account: AdAccount,
    external_id: str,
    name: str,
    status: str = AdStatus.ACTIVE,
    campaign_type: str = "",
    tracked: bool = True,
    asset: Asset | None = None,
) -> AdCampaign:
    """Create or update an ad campaign; `asset` links it to a campaign asset (same workspace)."""
    if asset is not None and asset.workspace_id != account.workspace_id:
        raise ValidationError(_("The asset belongs to another workspace."))
    campaign = _upsert(
        AdCampaign,
        {
            "workspace_id": account.workspace_id,
            "account": account,
            "external_id": _clean_external_id(external_id, _("An ad campaign")),
        },
        {
            "name": _clean_name(name, _("An ad campaign")),
            "status": _clean_status(status),
            "campaign_type": (campaign_type or "")[:100],
            "tracked": tracked,
            "asset": asset,
        },
    )
    bump_data_version(account.workspace_id)
    return campaign


@transaction.atomic
def upsert_ad_group(
    *, ad_campaign: AdCampaign, external_id: str, name: str, status: str = AdStatus.ACTIVE
) -> AdGroup:
    group = _upsert(
        AdGroup,
        {
            "workspace_id": ad_campaign.workspace_id,
            "ad_campaign": ad_campaign,
            "external_id": _clean_external_id(external_id, _("An ad group")),
        },
        {"name": _clean_name(name, _("An ad group")), "status": _clean_status(status)},
    )
    bump_data_version(ad_campaign.workspace_id)
    return group


@transaction.atomic
def upsert_ad(
    *, ad_group: AdGroup, external_id: str, name: str, status: str = AdStatus.ACTIVE
) -> Ad:
    ad = _upsert(
        Ad,
        {
            "workspace_id": ad_group.workspace_id,
            "ad_group": ad_group,
            "external_id": _clean_external_id(external_id, _("An ad")),
        },
        {"name": _clean_name(name, _("An ad")), "status": _clean_status(status)},
    )
    bump_data_version(ad_group.workspace_id)
    return ad


@transaction.atomic
def upsert_keyword(
    *, ad_group: AdGroup, external_id: str, text: str, match_type: str = ""
) -> Keyword:
    keyword = _upsert(
        Keyword,
        {
            "workspace_id": ad_group.workspace_id,
            "ad_group": ad_group,
            "external_id": _clean_external_id(external_id, _("A keyword")),
        },
        {"text": _clean_name(text, _("A keyword")), "match_type": (match_type or "")[:20]},
    )
    bump_data_version(ad_group.workspace_id)
    return keyword


# --- Daily metrics -------------------------------------------------------------------------------
METRIC_COUNTS = ("impressions", "clicks", "engagements", "likes", "network_conversions")
METRIC_DECIMALS = ("first_page_cpc", "average_position", "conversion_rate", "max_cpc", "top_cpc")


@dataclass(frozen=True)
class DailyMetric:
    """Network numbers for one object on one day; the most specific of ad/keyword/group set
    says what the row is about (campaign-level rows leave all three None)."""

    date: dt.date
    ad_campaign_id: int
    ad_group_id: int | None = None
    ad_id: int | None = None
    keyword_id: int | None = None
    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal("0")
    engagements: int = 0
    likes: int = 0
    network_conversions: int = 0
    first_page_cpc: Decimal | None = None
    average_position: Decimal | None = None
    conversion_rate: Decimal | None = None
    max_cpc: Decimal | None = None
    top_cpc: Decimal | None = None

    @property
    def key(self) -> tuple[dt.date, int, int | None, int | None, int | None]:
        return (self.date, self.ad_campaign_id, self.ad_group_id, self.ad_id, self.keyword_id)


def _decimal(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("%(field)s is not a number.") % {"field": label}) from exc
    if not number.is_finite() or number < 0:
        raise ValidationError(_("%(field)s cannot be negative.") % {"field": label})
    return number


def _clean_metric(row: DailyMetric) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in METRIC_COUNTS:
        count = getattr(row, name)
        if not isinstance(count, int) or count < 0:
            raise ValidationError(
                _("%(field)s must be a whole number, not negative.") % {"field": name}
            )
        values[name] = count
    values["spend"] = _decimal(row.spend, "spend").quantize(Decimal("0.01"))
    for name in METRIC_DECIMALS:
        value = getattr(row, name)
        values[name] = None if value is None else _decimal(value, name)
    return values


@dataclass
class _Hierarchy:
    """Which group/ad/keyword sits under which campaign, loaded once per upsert call."""

    groups: dict[int, int]
    ads: dict[int, int]
    keywords: dict[int, int]
    campaigns: set[int]

    @classmethod
    def load(cls, workspace: Workspace, campaign_ids: set[int]) -> _Hierarchy:
        campaigns = set(
            AdCampaign.objects.for_workspace(workspace)
            .filter(pk__in=campaign_ids)
            .values_list("pk", flat=True)
        )
        groups = dict(
            AdGroup.objects.for_workspace(workspace)
            .filter(ad_campaign_id__in=campaigns)
            .values_list("pk", "ad_campaign_id")
        )
        ads = dict(
            Ad.objects.for_workspace(workspace)
            .filter(ad_group_id__in=groups)
            .values_list("pk", "ad_group_id")
        )
        keywords = dict(
            Keyword.objects.for_workspace(workspace)
            .filter(ad_group_id__in=groups)
            .values_list("pk", "ad_group_id")
        )
        return cls(groups=groups, ads=ads, keywords=keywords, campaigns=campaigns)

    def check(self, row: DailyMetric) -> None:
        if row.ad_campaign_id not in self.campaigns:
            raise ValidationError(_("The ad campaign does not exist in this workspace."))
        if row.ad_group_id is not None and self.groups.get(row.ad_group_id) != row.ad_campaign_id:
            raise ValidationError(_("The ad group is not part of that ad campaign."))
        for child, parents, what in (
            (row.ad_id, self.ads, _("ad")),
            (row.keyword_id, self.keywords, _("keyword")),
        ):
            if child is not None and (
                row.ad_group_id is None or parents.get(child) != row.ad_group_id
            ):
                raise ValidationError(
                    _("The %(what)s is not part of that ad group.") % {"what": what}
                )
        if row.ad_id is not None and row.keyword_id is not None:
            raise ValidationError(_("A metrics row is about an ad or a keyword, not both."))


@transaction.atomic
def upsert_daily_metrics(*, workspace: Workspace, rows: Sequence[DailyMetric]) -> tuple[int, int]:
    """Store daily metrics; a row for an object and day already stored is replaced.

    Returns (created, updated). A bad row raises ValidationError naming it; nothing is stored.
    """
    hierarchy = _Hierarchy.load(workspace, {r.ad_campaign_id for r in rows})
    cleaned: dict[tuple[Any, ...], dict[str, Any]] = {}
    for index, row in enumerate(rows):
        try:
            hierarchy.check(row)
            cleaned[row.key] = _clean_metric(row)
        except ValidationError as exc:
            raise ValidationError(
                _("Row %(row)s: %(problem)s")
                % {"row": index + 1, "problem": "; ".join(exc.messages)}
            ) from exc
    existing = _existing_metrics(workspace, cleaned)
    new_rows = [
        AdMetricDaily(
            workspace=workspace,
            date=key[0],
            ad_campaign_id=key[1],
            ad_group_id=key[2],
            ad_id=key[3],
            keyword_id=key[4],
            **values,
        )
        for key, values in cleaned.items()
        if key not in existing
    ]
    changed = []
    for key, metric in existing.items():
        for name, value in cleaned[key].items():
            setattr(metric, name, value)
        changed.append(metric)
    AdMetricDaily.objects.bulk_create(new_rows, batch_size=BATCH_SIZE)
    fields = [*METRIC_COUNTS, "spend", *METRIC_DECIMALS]
    AdMetricDaily.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
    if cleaned:
        bump_data_version(workspace.pk)
    return len(new_rows), len(changed)


def _existing_metrics(
    workspace: Workspace, keys: Iterable[tuple[Any, ...]]
) -> dict[tuple[Any, ...], AdMetricDaily]:
    keys = list(keys)
    if not keys:
        return {}
    dates = [k[0] for k in keys]
    wanted = set(keys)
    stored = AdMetricDaily.objects.for_workspace(workspace).filter(
        ad_campaign_id__in={k[1] for k in keys}, date__gte=min(dates), date__lte=max(dates)
    )
    found: dict[tuple[Any, ...], AdMetricDaily] = {}
    for metric in stored.iterator(chunk_size=BATCH_SIZE):
        key = (
            metric.date,
            metric.ad_campaign_id,
            metric.ad_group_id,
            metric.ad_id,
            metric.keyword_id,
        )
        if key in wanted:
            found[key] = metric
    return found
