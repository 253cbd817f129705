"""Writes for campaigns: the campaign with its utm_campaign values, goals and spend items, and the
campaign-side entry points for associating assets.

Every write runs in one transaction: a bad spend row, a clashing utm value or a foreign owner
stores nothing. Rule violations raise `ValidationError` keyed by the input field they concern
(`name`, `utm_values`, `start_date`, `end_date`, `owner`, `spend_items`), so a form can show them
next to the right input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assets.models import Asset, AssetAssociation
from assets.services import associate_assets, dissociate_asset
from campaigns.models import Campaign, CampaignGoal, CampaignStatus, CampaignUtm, SpendItem
from campaigns.selectors import utm_clashes
from workspaces.models import Membership, Workspace
from workspaces.services import bump_data_version


@dataclass(frozen=True)
class SpendItemInput:
    name: str
    amount: Decimal
    currency: str
    spent_on: date
    description: str = ""
    # The id of an existing spend item of the campaign being edited; None for a new row.
    id: int | None = None


@dataclass(frozen=True)
class CampaignInput:
    name: str
    utm_values: Sequence[str] = ()
    start_date: date | None = None
    end_date: date | None = None
    owner: AbstractBaseUser | None = None
    status: str = CampaignStatus.PLANNED
    notes: str = ""
    # metric (GoalMetric value) → target; None or a missing metric means "no goal".
    goals: dict[str, Decimal | None] = field(default_factory=dict)
    spend_items: Sequence[SpendItemInput] = ()


def clean_utm_values(values: Sequence[str]) -> list[str]:
    """Stripped, blank-free, de-duplicated case-insensitively (the first spelling wins)."""
    seen: set[str] = set()
    cleaned: list[str] = []
    for raw in values:
        value = raw.strip()
        if value and value.lower() not in seen:
            seen.add(value.lower())
            cleaned.append(value)
    return cleaned


def _validate(*, workspace: Workspace, data: CampaignInput, campaign_id: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors.setdefault("name", []).append(_("Give the campaign a name."))
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors.setdefault("end_date", []).append(
            _("The end date (%(end)s) is before the start date (%(start)s).")
            % {"end": data.end_date.isoformat(), "start": data.start_date.isoformat()}
        )
    values = clean_utm_values(data.utm_values)
    for value in values:
        if len(value) > 200:
            errors.setdefault("utm_values", []).append(
                _("The utm_campaign value “%(value)s…” is longer than 200 characters.")
                % {"value": value[:40]}
            )
    for value, clash in utm_clashes(
        workspace=workspace, values=values, exclude_campaign_id=campaign_id
    ).items():
        errors.setdefault("utm_values", []).append(
            _("The utm_campaign value “%(value)s” is already used by the campaign “%(campaign)s”.")
            % {"value": value, "campaign": clash.campaign.name}
        )
    if data.owner is not None and not (
        Membership.objects.for_workspace(workspace).filter(user_id=data.owner.pk).exists()
    ):
        errors.setdefault("owner", []).append(_("The owner must be a member of this workspace."))
    if errors:
        raise ValidationError(errors)


def _apply_fields(campaign: Campaign, data: CampaignInput) -> None:
    campaign.name = data.name.strip()
    campaign.start_date = data.start_date
    campaign.end_date = data.end_date
    campaign.owner = data.owner  # type: ignore[assignment]
    campaign.status = data.status
    campaign.notes = data.notes
    campaign.full_clean(exclude=["workspace", "owner"])
    campaign.save()


def _save_utms(campaign: Campaign, values: Sequence[str]) -> None:
    wanted = {v.lower(): v for v in clean_utm_values(values)}
    existing = {u.value.lower(): u for u in CampaignUtm.objects.filter(campaign=campaign)}
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
        elif row.value != wanted[key]:
            row.value = wanted[key]
            row.save(update_fields=["value"])
    CampaignUtm.objects.bulk_create(
        CampaignUtm(workspace_id=campaign.workspace_id, campaign=campaign, value=value)
        for key, value in wanted.items()
        if key not in existing
    )


def _save_goals(campaign: Campaign, goals: dict[str, Decimal | None]) -> None:
    for metric, target in goals.items():
        if target is None:
            CampaignGoal.objects.filter(campaign=campaign, metric=metric).delete()
            continue
        goal = CampaignGoal.objects.filter(campaign=campaign, metric=metric).first() or (
            CampaignGoal(workspace_id=campaign.workspace_id, campaign=campaign, metric=metric)
        )
        goal.target = target
        goal.full_clean(exclude=["workspace", "campaign"])
        goal.save()


def _field_label(name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    return f"{getattr(SpendItem._meta.get_field(name), 'verbose_name', name)}: "


def _save_spend_items(campaign: Campaign, items: Sequence[SpendItemInput]) -> None:
    existing = {s.pk: s for s in SpendItem.objects.filter(campaign=campaign)}
    unknown = [i.id for i in items if i.id is not None and i.id not in existing]
    if unknown:
        # Forms check ids first (a foreign id answers 404 there); this guards direct callers.
        raise ValidationError({"spend_items": _("A spend item does not belong to this campaign.")})
    kept = {i.id for i in items if i.id is not None}
    SpendItem.objects.filter(campaign=campaign).exclude(pk__in=kept).delete()
    for index, item in enumerate(items, start=1):
        row = existing[item.id] if item.id is not None else SpendItem(campaign=campaign)
        row.workspace_id = campaign.workspace_id
        row.name = item.name.strip()
        row.amount = item.amount
        row.currency = item.currency.strip().upper()
        row.spent_on = item.spent_on
        row.description = item.description
        try:
            row.full_clean(exclude=["workspace", "campaign"])
        except ValidationError as exc:
            problems = "; ".join(
                f"{_field_label(name)}{' '.join(messages)}"
                for name, messages in exc.message_dict.items()
            )
            raise ValidationError(
                {
                    "spend_items": _("Spend item %(row)s: %(problems)s")
                    % {"row": index, "problems": problems}
                }
            ) from exc
        row.save()


def _save(*, campaign: Campaign, data: CampaignInput) -> Campaign:
    try:
        # A savepoint, so a lost race on the utm constraint leaves the outer transaction usable.
        with transaction.atomic():
            _apply_fields(campaign, data)
            _save_utms(campaign, data.utm_values)
            _save_goals(campaign, data.goals)
            _save_spend_items(campaign, data.spend_items)
    except IntegrityError as exc:
        # Another request took one of the utm values between our check and our insert.
        raise ValidationError(
            {
                "utm_values": _(
                    "One of these utm_campaign values was just taken by another campaign."
                )
            }
        ) from exc
    bump_data_version(campaign.workspace_id)
    return campaign


@transaction.atomic
def create_campaign(*, workspace: Workspace, by: Any, data: CampaignInput) -> Campaign:
    """Create a campaign with its utm values, goals and spend items (all or nothing)."""
    _validate(workspace=workspace, data=data, campaign_id=None)
    campaign = Campaign(workspace=workspace)
    return _save(campaign=campaign, data=data)


@transaction.atomic
def update_campaign(*, campaign: Campaign, by: Any, data: CampaignInput) -> Campaign:
    """Replace the campaign's fields, utm values, goals and spend items (all or nothing).

    Spend items with an id are updated, new ones created and the ones left out deleted.
    """
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    _validate(workspace=campaign.workspace, data=data, campaign_id=campaign.pk)
    return _save(campaign=campaign, data=data)


@transaction.atomic
def delete_campaign(*, campaign: Campaign, by: Any) -> None:
    """Delete the campaign with its goals, spend, utm values and association history.

    The assets stay; interactions keep existing but no longer count for any campaign.
    """
    workspace_id = campaign.workspace_id
    campaign.delete()
    bump_data_version(workspace_id)


@transaction.atomic
def add_assets_to_campaign(
    *, campaign: Campaign, assets: Sequence[Asset], by: Any, at: datetime | None = None
) -> list[AssetAssociation]:
    """Associate the assets at `at`, now by default (all or nothing); moving an asset ends its
    old association."""
    rows = associate_assets(assets=list(assets), campaign=campaign, at=at, by=by)
    bump_data_version(campaign.workspace_id)
    return rows


@transaction.atomic
def remove_asset_from_campaign(
    *, campaign: Campaign, asset: Asset, by: Any, at: datetime | None = None
) -> None:
    """End the asset's association with the campaign at `at`, now by default; its history
    stays."""
    dissociate_asset(asset=asset, campaign=campaign, at=at)
    bump_data_version(campaign.workspace_id)
