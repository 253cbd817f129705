"""Assets: keyed by type + external id, or by type + name when the row has no external id.

Blog posts, website pages and landing pages need their URL (page views are matched on it). An
existing asset gets the row's non-empty cells. With a campaign cell (a campaign's name or one
of its utm_campaign values) the asset is associated with that campaign from the row's
association date (the import time when empty), by the association rules of assets.services:
an asset held by another campaign moves (workflows may belong to several), and a campaign holds
at most 10,000 social posts. An asset already held by that campaign is left as it is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from assets.models import (
    MAX_SOCIAL_POSTS_PER_CAMPAIGN,
    MULTI_CAMPAIGN_TYPES,
    Asset,
    AssetAssociation,
    AssetType,
)
from assets.services import URL_REQUIRED_TYPES, associate_asset, normalize_url
from campaigns.models import Campaign, CampaignUtm
from crm.imports.rows import BatchResult, ImportContext, RowReader, SourceRow
from crm.imports.values import parse_asset_type, parse_url

UPDATABLE = ("name", "url", "normalized_url", "published_at")


@dataclass
class AssetRow:
    reader: RowReader
    type: str | None
    name: str | None
    url: str | None
    published_at: datetime | None
    external_id: str | None
    campaign: str | None
    associated_at: datetime | None
    campaign_id: int | None = None
    stored: Asset | None = None

    @property
    def key(self) -> tuple[str, str | None, str]:
        if self.external_id:
            return ("id", self.type, self.external_id)
        return ("name", self.type, (self.name or "").lower())


def read_asset(row: SourceRow, context: ImportContext) -> AssetRow:
    reader = RowReader(row, context)
    return AssetRow(
        reader=reader,
        type=reader.read("type", parse_asset_type, required=True),
        name=reader.text("name", max_length=300, required=True),
        url=reader.read("url", parse_url),
        published_at=reader.datetime("published_at"),
        external_id=reader.text("external_id", max_length=200),
        campaign=reader.text("campaign", max_length=200),
        associated_at=reader.datetime("associated_at"),
    )


@dataclass
class Stored:
    """What the batch needs to know of the workspace, read with a few queries."""

    by_id: dict[tuple[str, str], Asset]
    by_name: dict[tuple[str, str], list[Asset]]
    campaigns_by_name: dict[str, list[int]]
    campaigns_by_utm: dict[str, int]
    # Asset id → its open associations: (campaign id, associated at).
    held: dict[int, list[tuple[int, datetime]]]
    social_posts: Counter[int]


def _stored(context: ImportContext, rows: list[AssetRow]) -> Stored:
    ws = context.workspace
    assets = Asset.objects.for_workspace(ws)
    ids = sorted({r.external_id for r in rows if r.external_id})
    by_id = {(a.type, a.external_id): a for a in assets.filter(external_id__in=ids)}
    names = sorted({r.name.lower() for r in rows if r.name and not r.external_id})
    by_name: dict[tuple[str, str], list[Asset]] = defaultdict(list)
    for asset in assets.annotate(name_lower=Lower("name")).filter(name_lower__in=names):
        by_name[(asset.type, asset.name.lower())].append(asset)
    wanted = sorted({r.campaign.lower() for r in rows if r.campaign})
    campaigns_by_name: dict[str, list[int]] = defaultdict(list)
    for pk, name in (
        Campaign.objects.for_workspace(ws)
        .annotate(name_lower=Lower("name"))
        .filter(name_lower__in=wanted)
        .values_list("pk", "name_lower")
    ):
        campaigns_by_name[name].append(pk)
    campaigns_by_utm = dict(
        CampaignUtm.objects.for_workspace(ws)
        .annotate(value_lower=Lower("value"))
        .filter(value_lower__in=wanted)
        .values_list("value_lower", "campaign_id")
    )
    stored_ids = [a.pk for a in by_id.values()] + [a.pk for g in by_name.values() for a in g]
    held: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for asset_id, campaign_id, at in (
        AssetAssociation.objects.for_workspace(ws)
        .filter(asset_id__in=stored_ids, dissociated_at__isnull=True)
        .values_list("asset_id", "campaign_id", "associated_at")
    ):
        held[asset_id].append((campaign_id, at))
    campaign_ids = {pk for group in campaigns_by_name.values() for pk in group}
    social = Counter(
        dict(
            AssetAssociation.objects.for_workspace(ws)
            .filter(
                campaign_id__in=campaign_ids | set(campaigns_by_utm.values()),
                asset_type=AssetType.SOCIAL_POST,
                dissociated_at__isnull=True,
            )
            .values("campaign_id")
            .annotate(n=Count("id"))
            .values_list("campaign_id", "n")
        )
    )
    return Stored(by_id, by_name, campaigns_by_name, campaigns_by_utm, held, social)


def _find_stored(row: AssetRow, stored: Stored) -> None:
    if row.type is None or row.name is None:
        return
    if row.external_id:
        row.stored = stored.by_id.get((row.type, row.external_id))
        return
    matches = stored.by_name.get((row.type, row.name.lower()), [])
    if len(matches) > 1:
        row.reader.problem(
            "name",
            _(
                "Several %(type)s assets are named “%(name)s”; add an external id column to "
                "say which one."
            )
            % {"type": AssetType(row.type).label.lower(), "name": row.name},
        )
    row.stored = matches[0] if len(matches) == 1 else None


def _find_campaign(row: AssetRow, stored: Stored) -> None:
    if not row.campaign:
        return
    by_name = stored.campaigns_by_name.get(row.campaign.lower(), [])
    if len(by_name) > 1:
        row.reader.problem(
            "campaign",
            _("Several campaigns are named “%(name)s”; use its utm_campaign value instead.")
            % {"name": row.campaign},
        )
        return
    row.campaign_id = by_name[0] if by_name else stored.campaigns_by_utm.get(row.campaign.lower())
    if row.campaign_id is None:
        row.reader.problem(
            "campaign",
            _("There is no campaign named “%(name)s” or with that utm_campaign value.")
            % {"name": row.campaign},
        )


class AssetImporter:
    def __init__(self, context: ImportContext) -> None:
        self.context = context

    def _check(self, row: AssetRow, stored: Stored) -> bool:
        """The rules a row must meet before anything of it is written; True when it needs a
        new association."""
        has_url = row.reader.row.raw("url") or (row.stored and row.stored.url)
        if row.type in URL_REQUIRED_TYPES and not has_url:
            row.reader.problem(
                "url",
                _("A %(type)s needs its URL: page views are matched on it.")
                % {"type": AssetType(row.type).label.lower()},
                "",
            )
        if row.campaign_id is None:
            return False
        held = stored.held.get(row.stored.pk, []) if row.stored else []
        if any(campaign_id == row.campaign_id for campaign_id, _at in held):
            return False
        at = row.associated_at or self.context.now
        if row.type not in MULTI_CAMPAIGN_TYPES and any(since > at for _c, since in held):
            row.reader.problem(
                "associated_at",
                _(
                    "The asset has been in its current campaign since after %(at)s; the new "
                    "association must start later."
                )
                % {"at": at.isoformat(sep=" ", timespec="minutes")},
            )
        if row.type == AssetType.SOCIAL_POST and row.reader.ok:
            if stored.social_posts[row.campaign_id] + 1 > MAX_SOCIAL_POSTS_PER_CAMPAIGN:
                row.reader.problem(
                    "campaign",
                    _("A campaign can hold at most %(max)s social posts; %(name)s is full.")
                    % {"max": f"{MAX_SOCIAL_POSTS_PER_CAMPAIGN:,}", "name": row.campaign},
                )
            else:
                stored.social_posts[row.campaign_id] += 1
        return True

    def import_batch(self, rows: list[SourceRow]) -> BatchResult:
        result = BatchResult()
        parsed = [read_asset(r, self.context) for r in rows]
        stored = _stored(self.context, parsed)
        new: list[Asset] = []
        changed: list[Asset] = []
        links: list[tuple[Asset, int, datetime]] = []
        for row in parsed:
            _find_stored(row, stored)
            _find_campaign(row, stored)
            associate = self._check(row, stored)
            reader = row.reader
            what = row.external_id or row.name or ""
            field = "external_id" if row.external_id else "name"
            if not reader.ok or not reader.claim(row.key, field, what):
                result.reject(reader)
                continue
            asset = row.stored or self._new_asset(row)
            if row.stored is None:
                new.append(asset)
            elif self._apply(asset, row):
                changed.append(asset)
            elif not associate:
                result.skipped += 1
                continue
            elif asset not in changed:
                changed.append(asset)
            if associate and row.campaign_id is not None:
                links.append((asset, row.campaign_id, row.associated_at or self.context.now))
        Asset.objects.bulk_create(new, batch_size=1000)
        Asset.objects.bulk_update(changed, fields=list(UPDATABLE), batch_size=1000)
        self._associate(links)
        result.created += len(new)
        result.updated += len(changed)
        return result

    def _associate(self, links: list[tuple[Asset, int, datetime]]) -> None:
        """Each association through the service that holds the rules (one asset at a time:
        associations lock the asset row)."""
        ids = {campaign_id for _a, campaign_id, _at in links}
        campaigns = Campaign.objects.for_workspace(self.context.workspace).in_bulk(ids)
        for asset, campaign_id, at in links:
            associate_asset(
                asset=asset, campaign=campaigns[campaign_id], at=at, by=self.context.user
            )

    def _new_asset(self, row: AssetRow) -> Asset:
        assert row.type and row.name
        return Asset(
            workspace=self.context.workspace,
            type=row.type,
            name=row.name,
            url=row.url or "",
            normalized_url=normalize_url(row.url or ""),
            published_at=row.published_at,
            external_id=row.external_id or "",
        )

    @staticmethod
    def _apply(asset: Asset, row: AssetRow) -> bool:
        changed = False
        for name, value in (
            ("name", row.name),
            ("url", row.url),
            ("published_at", row.published_at),
        ):
            if value is not None and getattr(asset, name) != value:
                setattr(asset, name, value)
                changed = True
        asset.normalized_url = normalize_url(asset.url)
        return changed
