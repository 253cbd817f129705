"""Writes for assets and their campaign associations.

Rules (SPEC §2):
- an asset belongs to at most one campaign at a time; associating it with another campaign ends
  the old association (history kept, nothing earned moves);
- workflows may belong to several campaigns at once;
- a campaign holds at most 10,000 social posts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import (
    MAX_SOCIAL_POSTS_PER_CAMPAIGN,
    MULTI_CAMPAIGN_TYPES,
    Asset,
    AssetAssociation,
    AssetType,
)
from campaigns.models import Campaign
from workspaces.models import Workspace
from workspaces.services import bump_data_version


class AssociationError(Exception):
    """A rule stopped an association change; the message is shown to the user as is."""


def normalize_url(url: str) -> str:
    """Host + path, lower-cased, no scheme, no `www.`, no trailing slash, no query/fragment."""
    if not url:
        return ""
    parts = urlsplit(url.strip() if "//" in url else "//" + url.strip())
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}".lower()


def create_asset(*, workspace: Workspace, type: str, name: str, **fields: Any) -> Asset:
    asset = Asset(workspace=workspace, type=type, name=name, **fields)
    asset.normalized_url = normalize_url(asset.url)
    asset.full_clean()
    asset.save()
    return asset


def _open_associations(asset: Asset) -> QuerySet[AssetAssociation]:
    return AssetAssociation.objects.for_workspace(asset.workspace_id).filter(
        asset=asset, dissociated_at__isnull=True
    )


def _check_social_cap(campaign: Campaign, adding: int = 1) -> None:
    held = (
        AssetAssociation.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, asset_type=AssetType.SOCIAL_POST, dissociated_at__isnull=True)
        .count()
    )
    if held + adding > MAX_SOCIAL_POSTS_PER_CAMPAIGN:
        raise AssociationError(
            _(
                "A campaign can hold at most %(max)s social posts; %(campaign)s already holds "
                "%(held)s."
            )
            % {"max": f"{MAX_SOCIAL_POSTS_PER_CAMPAIGN:,}", "campaign": campaign.name, "held": held}
        )


@transaction.atomic
def associate_asset(
    *,
    asset: Asset,
    campaign: Campaign,
    at: datetime | None = None,
    by: Any = None,
) -> AssetAssociation:
    """Associate `asset` with `campaign` from `at` (now by default).

    An exclusive asset held by another campaign is moved: the old association ends at `at`.
    """
    if asset.workspace_id != campaign.workspace_id:
        raise AssociationError(_("The asset and the campaign belong to different workspaces."))
    at = at or timezone.now()
    # Lock the asset row so two concurrent moves cannot both leave an open association.
    Asset.objects.select_for_update().filter(pk=asset.pk).first()
    open_rows = list(_open_associations(asset))
    if any(row.campaign_id == campaign.pk for row in open_rows):
        raise AssociationError(
            _("%(asset)s is already associated with %(campaign)s.")
            % {"asset": asset.name, "campaign": campaign.name}
        )
    if asset.type == AssetType.SOCIAL_POST:
        _check_social_cap(campaign)
    exclusive = asset.type not in MULTI_CAMPAIGN_TYPES
    if exclusive:
        for row in open_rows:
            if row.associated_at > at:
                raise AssociationError(
                    _("%(asset)s was associated with its current campaign after %(at)s.")
                    % {"asset": asset.name, "at": at.isoformat()}
                )
            row.dissociated_at = at
            row.save(update_fields=["dissociated_at"])
    return AssetAssociation.objects.create(
        workspace_id=asset.workspace_id,
        asset=asset,
        campaign=campaign,
        exclusive=exclusive,
        asset_type=asset.type,
        associated_at=at,
        associated_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def dissociate_asset(*, asset: Asset, campaign: Campaign, at: datetime | None = None) -> None:
    at = at or timezone.now()
    row = _open_associations(asset).filter(campaign=campaign).select_for_update().first()
    if row is None:
        raise AssociationError(
            _("%(asset)s is not associated with %(campaign)s.")
            % {"asset": asset.name, "campaign": campaign.name}
        )
    row.dissociated_at = max(at, row.associated_at)
    row.save(update_fields=["dissociated_at"])


@transaction.atomic
def associate_assets(
    *, assets: list[Asset], campaign: Campaign, at: datetime | None = None, by: Any = None
) -> list[AssetAssociation]:
    """Associate several assets at once; all or nothing (the social-post cap is checked first)."""
    socials = sum(1 for a in assets if a.type == AssetType.SOCIAL_POST)
    if socials:
        _check_social_cap(campaign, adding=socials)
    return [associate_asset(asset=a, campaign=campaign, at=at, by=by) for a in assets]


# --- Asset pages: create and edit with clear messages -------------------------------------------

# Types that are web pages: they need a URL (page views and sessions are matched on it).
URL_REQUIRED_TYPES = frozenset(
    {AssetType.BLOG_POST, AssetType.WEBSITE_PAGE, AssetType.LANDING_PAGE}
)


def validate_asset_input(
    *,
    workspace: Workspace,
    type: str,
    url: str,
    external_id: str,
    exclude_asset_id: int | None = None,
) -> None:
    """The asset rules a form should explain: URL for pages, external id unique per type."""
    errors: dict[str, str] = {}
    if type in URL_REQUIRED_TYPES and not url.strip():
        errors["url"] = _("A %(type)s needs its URL: page views are matched on it.") % {
            "type": AssetType(type).label.lower()
        }
    if external_id:
        clash = (
            Asset.objects.for_workspace(workspace)
            .filter(type=type, external_id=external_id)
            .exclude(pk=exclude_asset_id)
            .first()
        )
        if clash is not None:
            errors["external_id"] = _(
                "The external id %(id)s is already used by the %(type)s “%(name)s”."
            ) % {"id": external_id, "type": clash.get_type_display().lower(), "name": clash.name}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_asset(
    *,
    workspace: Workspace,
    by: Any,
    type: str,
    name: str,
    url: str = "",
    published_at: datetime | None = None,
    external_id: str = "",
) -> Asset:
    """Create an asset entered by a user (validated with user-facing messages)."""
    validate_asset_input(workspace=workspace, type=type, url=url, external_id=external_id)
    return create_asset(
        workspace=workspace,
        type=type,
        name=name.strip(),
        url=url.strip(),
        published_at=published_at,
        external_id=external_id.strip(),
    )


@transaction.atomic
def update_asset(
    *,
    asset: Asset,
    by: Any,
    name: str,
    url: str = "",
    published_at: datetime | None = None,
    external_id: str = "",
) -> Asset:
    """Change an asset's properties (its type is fixed: associations are kept per type)."""
    validate_asset_input(
        workspace=asset.workspace,
        type=asset.type,
        url=url,
        external_id=external_id.strip(),
        exclude_asset_id=asset.pk,
    )
    url_changed = asset.url != url.strip()
    asset.name = name.strip()
    asset.url = url.strip()
    asset.normalized_url = normalize_url(asset.url)
    asset.published_at = published_at
    asset.external_id = external_id.strip()
    asset.full_clean()
    asset.save()
    if url_changed:
        # Page views are matched to assets by URL: reports computed before the change are stale.
        bump_data_version(asset.workspace_id)
    return asset


@transaction.atomic
def delete_asset(*, asset: Asset, by: Any) -> None:
    """Delete the asset with its association history. Interactions with it stay (without the
    asset) and keep the campaign they were credited to."""
    workspace_id = asset.workspace_id
    asset.delete()
    bump_data_version(workspace_id)
