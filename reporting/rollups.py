"""Stored rollups of the Performance tab: per-campaign facts the reports read instead of raw
touches (SPEC §4; issue 5 "computed in bulk by workers and stored").

A campaign's rollups are rebuilt as a whole, in one transaction, by bulk ``INSERT … SELECT``
statements (the database does the grouping; no rows pass through Python):

* `CampaignSessionFact`: each session with a page view of a campaign website asset while the
  campaign held it, at its first such page view (Overview sessions, Contacts & sessions);
* `CampaignInfluenceFact`: each influenced contact at its first influence (net-new counts);
* `TrafficDaily`: sessions on URLs with the campaign's utm_campaign per local day and source;
* `AssetDaily`: per asset the campaign holds or held, interactions per local day and type, and
  page submissions (asset reports: all of each asset's data, regardless of association).

`RollupState.built_version` is the workspace data version the rollups were built from. Every
write to a workspace's data bumps that version (association changes, identification, imports,
deletes included), so rollups older than the current version are rebuilt before a report reads
them: they can lag, but a report never reads stale or half-built ones. Workers keep them current
in the background (`refresh_rollups` after a data change, `rebuild_workspace_rollups` in bulk).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum, Value
from django.db.models.fields import IntegerField
from django.db.models.functions import TruncDate
from django.utils import timezone

from assets.models import Asset, AssetAssociation
from campaigns.models import Campaign
from reporting.models import (
    AssetDaily,
    CampaignInfluenceFact,
    CampaignSessionFact,
    ReportSnapshot,
    RollupState,
    TrafficDaily,
)
from reporting.selectors import INFLUENCE_TYPES, WEBSITE_TYPES
from tracking.models import Interaction, InteractionType, Session
from workspaces.models import Workspace

# A background refresh keeps the rollups of campaigns someone looked at this recently current.
RECENTLY_VIEWED = timedelta(days=7)


def data_version(workspace_id: int) -> int:
    return int(Workspace.objects.filter(pk=workspace_id).values_list("data_version", flat=True)[0])


# --- Freshness ---------------------------------------------------------------------------------
def ensure_campaign_rollups(*, campaign: Campaign) -> RollupState:
    """The campaign's rollup state, rebuilt first when older than the workspace's data."""
    version = data_version(campaign.workspace_id)
    state = _state(campaign)
    if state.built_version >= version:
        return state
    return rebuild_campaign_rollups(campaign=campaign, version=version)


def hold_rollups(*, campaign: Campaign) -> None:
    """Keep the campaign's rollups from being replaced until the current transaction ends, so
    the several queries of one report read one build (PostgreSQL; SQLite serializes writers)."""
    if connection.vendor == "postgresql" and transaction.get_connection().in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {RollupState._meta.db_table} WHERE campaign_id = %s FOR SHARE",
                [campaign.pk],
            )


def _state(campaign: Campaign) -> RollupState:
    state, _created = RollupState.objects.get_or_create(
        campaign=campaign, defaults={"workspace_id": campaign.workspace_id}
    )
    return state


# --- Rebuilds ----------------------------------------------------------------------------------
def rebuild_campaign_rollups(*, campaign: Campaign, version: int | None = None) -> RollupState:
    """Replace the campaign's rollups with ones built from the current data (one transaction;
    concurrent rebuilds of the campaign wait for each other and skip work already done)."""
    version = data_version(campaign.workspace_id) if version is None else version
    _state(campaign)
    started = time.monotonic()
    with transaction.atomic():
        state = RollupState.objects.select_for_update().get(campaign=campaign)
        if state.built_version >= version:
            return state
        _delete_rollups(campaign)
        _build_rollups(campaign)
        state.built_version = version
        state.built_at = timezone.now()
        state.duration_ms = int(1000 * (time.monotonic() - started))
        state.save(update_fields=["built_version", "built_at", "duration_ms"])
    return state


def rebuild_workspace_rollups(*, workspace_id: int, only_stale: bool = False) -> int:
    """Rebuild the rollups of every campaign of the workspace (each campaign in its own
    transaction, so reports of the others keep reading theirs); returns how many."""
    version = data_version(workspace_id)
    campaigns = Campaign.objects.for_workspace(workspace_id).select_related("workspace")
    if only_stale:
        campaigns = campaigns.exclude(rollup_state__built_version__gte=version)
    rebuilt = 0
    for campaign in campaigns.order_by("pk"):
        rebuild_campaign_rollups(campaign=campaign, version=version)
        rebuilt += 1
    return rebuilt


def refresh_rollups(*, workspace_id: int, campaign_ids: Iterable[int] | None = None) -> int:
    """Bring stale rollups up to date: of `campaign_ids`, or else of the campaigns whose
    Performance tab was opened recently; returns how many campaigns were rebuilt."""
    version = data_version(workspace_id)
    campaigns = Campaign.objects.for_workspace(workspace_id).select_related("workspace")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=list(campaign_ids))
    else:
        viewed = ReportSnapshot.objects.for_workspace(workspace_id).filter(
            requested_at__gte=timezone.now() - RECENTLY_VIEWED
        )
        campaigns = campaigns.filter(pk__in=viewed.values("campaign_id"))
    stale = campaigns.exclude(rollup_state__built_version__gte=version).order_by("pk")
    rebuilt = 0
    for campaign in stale:
        rebuild_campaign_rollups(campaign=campaign, version=version)
        rebuilt += 1
    return rebuilt


def _delete_rollups(campaign: Campaign) -> None:
    for model in (CampaignSessionFact, CampaignInfluenceFact, TrafficDaily, AssetDaily):
        model.objects.filter(campaign=campaign).delete()


def _build_rollups(campaign: Campaign) -> None:
    ws, pk, tz = campaign.workspace_id, campaign.pk, campaign.workspace.tz
    _insert_select(CampaignSessionFact, _session_facts(ws, pk))
    _insert_influences(ws, pk)
    _insert_select(TrafficDaily, _traffic_daily(ws, pk, tz))
    assets = held_asset_ids(campaign=campaign)
    if assets:
        _insert_select(AssetDaily, _asset_daily(ws, pk, assets, tz))
        pages = _pages(ws, assets)
        if pages:
            _insert_select(AssetDaily, _page_submissions_daily(ws, pk, pages, tz))


def held_asset_ids(*, campaign: Campaign) -> list[int]:
    """Every asset the campaign holds or once held."""
    return sorted(
        set(
            AssetAssociation.objects.for_workspace(campaign.workspace_id)
            .filter(campaign=campaign)
            .values_list("asset_id", flat=True)
        )
    )


def _pages(ws: int, assets: Sequence[int]) -> list[int]:
    return list(
        Asset.objects.for_workspace(ws)
        .filter(pk__in=assets, type__in=WEBSITE_TYPES)
        .values_list("pk", flat=True)
    )


# --- The SELECTs each rollup is built from -------------------------------------------------------
def _constant(value: int) -> Value:
    return Value(value, output_field=IntegerField())


def _session_facts(ws: int, campaign_id: int) -> QuerySet[Any]:
    return (
        Interaction.objects.for_workspace(ws)
        .filter(campaign_id=campaign_id, type=InteractionType.PAGE_VIEW, session__isnull=False)
        .values(
            r_workspace_id=F("workspace_id"),
            r_campaign_id=F("campaign_id"),
            r_session_id=F("session_id"),
            r_source=F("session__source"),
        )
        .annotate(r_at=Min("occurred_at"))
        .order_by()
    )


def _influence_sources(ws: int, campaign_id: int) -> list[QuerySet[Any]]:
    """Each way a contact is influenced, as (who, at) of its first time per way."""
    interactions = Interaction.objects.for_workspace(ws).filter(contact__isnull=False)
    by_asset = interactions.filter(campaign_id=campaign_id, type__in=INFLUENCE_TYPES)
    by_utm = interactions.filter(utm_campaign_id=campaign_id, type=InteractionType.PAGE_VIEW)
    sessions = Session.objects.for_workspace(ws).filter(
        utm_campaign_ref_id=campaign_id, contact__isnull=False
    )
    return [
        by_asset.values(who=F("contact_id")).annotate(first=Min("occurred_at")).order_by(),
        by_utm.values(who=F("contact_id")).annotate(first=Min("occurred_at")).order_by(),
        sessions.values(who=F("contact_id")).annotate(first=Min("started_at")).order_by(),
    ]


def _insert_influences(ws: int, campaign_id: int) -> None:
    parts: list[str] = []
    params: list[Any] = []
    for queryset in _influence_sources(ws, campaign_id):
        sql, part_params = queryset.query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    fact, contact = CampaignInfluenceFact._meta.db_table, "crm_contact"
    union = " UNION ALL ".join(parts)
    statement = (
        f'INSERT INTO {fact} ("workspace_id", "campaign_id", "contact_id", "at", "source") '
        f"SELECT %s, %s, u.who, MIN(u.first), c.original_source "
        f"FROM ({union}) u JOIN {contact} c ON c.id = u.who "
        f"GROUP BY u.who, c.original_source"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [ws, campaign_id, *params])


def _traffic_daily(ws: int, campaign_id: int, tz: Any) -> QuerySet[Any]:
    return (
        Session.objects.for_workspace(ws)
        .filter(utm_campaign_ref_id=campaign_id)
        .values(
            r_workspace_id=F("workspace_id"),
            r_campaign_id=F("utm_campaign_ref_id"),
            r_day=TruncDate("started_at", tzinfo=tz),
            r_source=F("source"),
            r_detail_1=F("source_detail_1"),
            r_detail_2=F("source_detail_2"),
        )
        .annotate(
            r_sessions=Count("id"),
            r_views=Sum("page_view_count"),
            r_new_visitor_sessions=Count("id", filter=Q(is_new_visitor=True)),
        )
        .order_by()
    )


def _asset_daily(ws: int, campaign_id: int, assets: Sequence[int], tz: Any) -> QuerySet[Any]:
    return (
        Interaction.objects.for_workspace(ws)
        .filter(asset_id__in=assets)
        .values(
            r_workspace_id=F("workspace_id"),
            r_campaign_id=_constant(campaign_id),
            r_asset_id=F("asset_id"),
            r_day=TruncDate("occurred_at", tzinfo=tz),
            r_kind=F("type"),
        )
        .annotate(r_n=Count("id"))
        .order_by()
    )


def _page_submissions_daily(
    ws: int, campaign_id: int, pages: Sequence[int], tz: Any
) -> QuerySet[Any]:
    """A page's submissions: the form submissions in the sessions that viewed it, on the day
    of the submission (each counted once per page)."""
    return (
        Interaction.objects.for_workspace(ws)
        .filter(
            asset_id__in=pages,
            type=InteractionType.PAGE_VIEW,
            session__interactions__type=InteractionType.FORM_SUBMISSION,
        )
        .values(
            r_workspace_id=F("workspace_id"),
            r_campaign_id=_constant(campaign_id),
            r_asset_id=F("asset_id"),
            r_day=TruncDate("session__interactions__occurred_at", tzinfo=tz),
            r_kind=Value(AssetDaily.PAGE_SUBMISSIONS),
        )
        .annotate(r_n=Count("session__interactions", distinct=True))
        .order_by()
    )


def _insert_select(model: Any, queryset: QuerySet[Any]) -> int:
    """``INSERT INTO model (…) SELECT …`` of a values() queryset whose names are the model's
    field names prefixed with "r_" (a values() name may not be a field of the queried model);
    returns the rows written."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    names = [alias.removeprefix("r_") for _expression, _sql, alias in compiler.select]
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return int(cursor.rowcount)
