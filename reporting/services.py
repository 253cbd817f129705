"""Writes for the Performance tab: queue report computations and store their snapshots."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import AssetType
from assets.services import associate_asset, create_asset
from attribution.services import EVEN_SPLIT
from attribution.services import credits as stored_credits
from campaigns.models import Campaign, TrackingUrl
from reporting import rollups, selectors
from reporting.compute.assets import asset_reports, daily_by_type
from reporting.compute.overview import CampaignEvents, overview, series
from reporting.compute.periods import Period
from reporting.compute.revenue import RevenueResult, attributed
from reporting.compute.traffic import traffic
from reporting.models import ReportKind, ReportSnapshot, SnapshotStatus
from workspaces.models import Workspace
from workspaces.services import bump_data_version

# The filters each report depends on (others are left out of its key, so e.g. switching the
# model picker never recomputes the Overview).
REPORT_FILTERS: dict[str, tuple[str, ...]] = {
    ReportKind.OVERVIEW: ("start", "end", "touch"),
    ReportKind.CONTACTS_SESSIONS: ("start", "end", "touch"),
    ReportKind.REVENUE: ("start", "end"),
    ReportKind.REVENUE_ATTRIBUTION: ("start", "end", "model"),
    ReportKind.ASSETS: ("start", "end"),
    ReportKind.TRAFFIC: ("start", "end"),
}


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    touch: str = "first"
    model: str = "linear"

    def for_report(self, report: str) -> dict[str, Any]:
        values = {
            "start": self.period.start.isoformat() if self.period.start else None,
            "end": self.period.end.isoformat() if self.period.end else None,
            "touch": self.touch,
            "model": self.model,
        }
        return {name: values[name] for name in REPORT_FILTERS[report]}

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> ReportFilters:
        def day(value: str | None) -> date | None:
            return date.fromisoformat(value) if value else None

        return cls(
            period=Period(day(stored.get("start")), day(stored.get("end"))),
            touch=stored.get("touch", "first"),
            model=stored.get("model", "linear"),
        )


def filters_key(filters: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()


def current_version(workspace: Workspace) -> int:
    return int(Workspace.objects.filter(pk=workspace.pk).values_list("data_version", flat=True)[0])


def request_report(
    *,
    campaign: Campaign,
    report: str,
    filters: ReportFilters,
    batch: list[int] | None = None,
) -> ReportSnapshot:
    """The snapshot of `report` for the current data version: the stored one, or a new pending
    one queued for a worker (computed at once when tasks run in-process). With `batch`, a new
    snapshot's id is added to it instead, for the caller to queue the batch as one task."""
    from reporting.tasks import compute_report_snapshot

    wanted = filters.for_report(report)
    key = filters_key(wanted)
    version = current_version(campaign.workspace)
    snapshot = (
        ReportSnapshot.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, report=report, filters_key=key, data_version=version)
        .defer("drill")
        .first()
    )
    if snapshot is not None:
        return snapshot
    try:
        with transaction.atomic():
            snapshot = ReportSnapshot.objects.create(
                workspace_id=campaign.workspace_id,
                campaign=campaign,
                report=report,
                filters_key=key,
                filters=wanted,
                data_version=version,
            )
    except IntegrityError:  # another request queued it first
        return ReportSnapshot.objects.get(
            campaign=campaign, report=report, filters_key=key, data_version=version
        )
    if batch is not None:
        batch.append(snapshot.pk)
        return snapshot
    snapshot_id = snapshot.pk
    transaction.on_commit(lambda: compute_report_snapshot.delay(snapshot_id))
    return snapshot


def queue_batch(batch: list[int]) -> None:
    """One task computing several snapshots, sharing what they read (e.g. Overview and
    Contacts & sessions load the same campaign events)."""
    from reporting.tasks import compute_report_snapshots

    if batch:
        ids = list(batch)
        transaction.on_commit(lambda: compute_report_snapshots.delay(ids))


def compute_snapshots(*, snapshots: list[ReportSnapshot]) -> None:
    """Compute several snapshots in one go with shared inputs; failures are stored on theirs."""
    shared: dict[Any, Any] = {}
    for snapshot in snapshots:
        with contextlib.suppress(ReportFailed):
            compute_snapshot(snapshot=snapshot, shared=shared)


def compute_snapshot(
    *, snapshot: ReportSnapshot, shared: dict[Any, Any] | None = None
) -> ReportSnapshot:
    """Compute and store the snapshot's report (a failure is stored with its message)."""
    started = time.monotonic()
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(status=SnapshotStatus.RUNNING)
    campaign = Campaign.objects.select_related("workspace").get(pk=snapshot.campaign_id)
    filters = ReportFilters.from_stored(snapshot.filters)
    try:
        if snapshot.report in ROLLUP_REPORTS:
            # Brought up to date in their own transaction, before the report reads them.
            rollups.ensure_campaign_rollups(campaign=campaign)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Report queries are short and many: JIT compilation costs more than it saves.
                cursor.execute("SET LOCAL jit = off")
            payload, drill = compute_report(
                campaign=campaign, report=snapshot.report, filters=filters, shared=shared
            )
    except Exception as exc:
        snapshot.status, snapshot.error = SnapshotStatus.FAILED, str(exc)[:2000]
        snapshot.payload, snapshot.drill = {}, {}
    else:
        snapshot.status, snapshot.error = SnapshotStatus.READY, ""
        snapshot.payload, snapshot.drill = payload, drill
    snapshot.computed_at = timezone.now()
    snapshot.duration_ms = int(1000 * (time.monotonic() - started))
    snapshot.save(
        update_fields=["status", "error", "payload", "drill", "computed_at", "duration_ms"]
    )
    if snapshot.status == SnapshotStatus.FAILED:
        raise ReportFailed(snapshot.error)
    return snapshot


# The reports computed from the stored rollups (the revenue ones read attribution inputs).
ROLLUP_REPORTS = frozenset(
    {ReportKind.OVERVIEW, ReportKind.CONTACTS_SESSIONS, ReportKind.ASSETS, ReportKind.TRAFFIC}
)


class ReportFailed(RuntimeError):
    """A report computation failed; its snapshot holds the message."""


Computed = tuple[dict[str, Any], dict[str, Any]]


def compute_report(
    *,
    campaign: Campaign,
    report: str,
    filters: ReportFilters,
    shared: dict[Any, Any] | None = None,
) -> Computed:
    """(payload for the page, ids behind each number) of one report. `shared` carries inputs
    between reports computed together (same campaign and data). Every report but the revenue
    ones reads the campaign's stored rollups (`reporting.rollups`), rebuilt first if stale."""
    lower, upper = filters.period.bounds(campaign.workspace.tz)
    if report in ROLLUP_REPORTS:
        rollups.ensure_campaign_rollups(campaign=campaign)
        rollups.hold_rollups(campaign=campaign)
    if report in (ReportKind.OVERVIEW, ReportKind.CONTACTS_SESSIONS):
        key = ("events", campaign.pk, filters.touch, lower, upper)
        cache = shared if shared is not None else {}
        if key not in cache:
            cache[key] = selectors.campaign_events(
                campaign=campaign, touch=filters.touch, lower=lower, upper=upper
            )
        return _overview_report(campaign, report, cache[key], lower, upper)
    if report in (ReportKind.REVENUE, ReportKind.REVENUE_ATTRIBUTION):
        return _revenue_report(campaign, report, filters, lower, upper)
    if report == ReportKind.ASSETS:
        inputs = selectors.asset_report_inputs(campaign=campaign, lower=lower, upper=upper)
        sections = asset_reports(
            inputs["assets"],
            inputs["counts"],
            inputs["reach"],
            inputs["ads"],
            inputs["visits"],
            inputs["submissions"],
        )
        return {"sections": sections, "hidden": inputs["hidden"]}, {}
    if report == ReportKind.TRAFFIC:
        sessions, contacts = selectors.traffic_inputs(campaign=campaign, lower=lower, upper=upper)
        return traffic(sessions, contacts), {}
    raise ValueError(f"unknown report {report!r}")


def _overview_report(
    campaign: Campaign, report: str, events: CampaignEvents, lower: Any, upper: Any
) -> Computed:
    if report == ReportKind.CONTACTS_SESSIONS:
        tz = campaign.workspace.time_zone
        return {
            "daily": series(events, lower=lower, upper=upper, tz=tz, frequency="daily"),
            "monthly": series(events, lower=lower, upper=upper, tz=tz, frequency="monthly"),
        }, {}
    counted = overview(events, lower=lower, upper=upper)
    goals = {g.metric: str(g.target) for g in campaign.goals.all()}
    payload = {
        metric: {"value": c.value, "goal": goals.get(metric)} for metric, c in counted.items()
    }
    return payload, {metric: c.ids for metric, c in counted.items()}


def refresh_revenue_credits(*, workspace_id: int) -> list[str]:
    """After a data change the workers store the revenue inputs and the credits the
    Performance tab opens with (Professional: the even split; Enterprise: the default model),
    so a campaign's Revenue report reads stored credits instead of loading every deal's
    touches; returns the models now stored (computed only when missing)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    model = ReportFilters.model if workspace.is_enterprise else EVEN_SPLIT
    return list(stored_credits(workspace=workspace, kind="revenue", models=[model]))


def _revenue_report(
    campaign: Campaign, report: str, filters: ReportFilters, lower: Any, upper: Any
) -> Computed:
    """Revenue (even split) or Revenue attribution (the chosen model), read from the
    workspace's stored revenue credits of this data version (computed once, shared by every
    campaign) and limited to the deals this campaign's report includes."""
    workspace = campaign.workspace
    attribution = report == ReportKind.REVENUE_ATTRIBUTION
    inputs = selectors.revenue_inputs(
        campaign=campaign, lower=lower, upper=upper, attribution=attribution
    )
    result = RevenueResult()
    if not inputs.deals.empty:
        model = filters.model if attribution else EVEN_SPLIT
        stored = stored_credits(workspace=workspace, kind="revenue", models=[model])[model]
        credits = stored[stored["conversion_id"].isin(inputs.deals["deal_id"])]
        result = attributed(inputs.deals, inputs.touches, credits, campaign_id=campaign.pk)
    goals = {g.metric: str(g.target) for g in campaign.goals.all()}
    payload = {
        **result.summary(),
        "goals": {"revenue": goals.get("revenue"), "deals": goals.get("deals")},
        "problems": inputs.problems,
        "model": filters.model if attribution else None,
    }
    drill = {
        "credits": result.credits,
        "contacts": result.contacts,
        "deals": result.deals,
        "deal_rows": result.deal_rows,
    }
    return payload, drill


@transaction.atomic
def delete_stale_snapshots(*, workspace_id: int, older_than: timedelta = timedelta(days=1)) -> int:
    """Drop snapshots of old data versions that a newer computed snapshot of the same report and
    filters replaces (the newest computed one is kept: it is shown while a new one computes),
    and old failed or abandoned ones."""
    cutoff = timezone.now() - older_than
    snapshots = ReportSnapshot.objects.for_workspace(workspace_id)
    newer_ready = snapshots.filter(
        campaign_id=OuterRef("campaign_id"),
        report=OuterRef("report"),
        filters_key=OuterRef("filters_key"),
        status=SnapshotStatus.READY,
        data_version__gt=OuterRef("data_version"),
    )
    stale = snapshots.filter(requested_at__lt=cutoff).filter(
        Exists(newer_ready) | ~Q(status=SnapshotStatus.READY)
    )
    deleted, _counts = stale.delete()
    return int(deleted)


# --- The tab's sections ----------------------------------------------------------------------
@dataclass
class Section:
    """One report on the tab: its snapshot (maybe an older one while a new one computes), or
    why the workspace's tier does not include it."""

    report: str
    snapshot: ReportSnapshot | None = None
    gated: bool = False
    updating: bool = False

    @property
    def ready(self) -> bool:
        return self.snapshot is not None and self.snapshot.is_ready

    @property
    def failed(self) -> bool:
        return self.snapshot is not None and self.snapshot.status == SnapshotStatus.FAILED


def tier_reports(workspace: Workspace) -> dict[str, bool]:
    """Each report → whether the workspace's tier includes it (SPEC §9)."""
    return {
        ReportKind.OVERVIEW: True,
        ReportKind.REVENUE: not workspace.is_enterprise,
        ReportKind.REVENUE_ATTRIBUTION: workspace.is_enterprise,
        ReportKind.CONTACTS_SESSIONS: True,
        ReportKind.ASSETS: True,
        ReportKind.TRAFFIC: True,
    }


def report_section(
    *,
    campaign: Campaign,
    report: str,
    filters: ReportFilters,
    batch: list[int] | None = None,
) -> Section:
    if not tier_reports(campaign.workspace)[report]:
        return Section(report=report, gated=True)
    snapshot = request_report(campaign=campaign, report=report, filters=filters, batch=batch)
    if snapshot.status in (SnapshotStatus.PENDING, SnapshotStatus.RUNNING):
        from reporting.tasks import compute_report_snapshot

        snapshot.refresh_from_db(fields=["status", "payload", "error", "computed_at"])
        requeue_if_forgotten(snapshot, pending=SnapshotStatus.PENDING, task=compute_report_snapshot)
    if snapshot.is_ready or snapshot.status == SnapshotStatus.FAILED:
        return Section(report=report, snapshot=snapshot)
    older = selectors.latest_ready_before(snapshot=snapshot)
    return Section(report=report, snapshot=older or snapshot, updating=True)


REQUEUE_AFTER = timedelta(minutes=2)


def requeue_if_forgotten(snapshot: Any, *, pending: str, task: Any) -> bool:
    """Queue a pending snapshot (a Performance report's or an Attribution tab's) again with
    `task` when no worker took it for REQUEUE_AFTER (a lost message); of two page views at once
    one queues it. True when it was queued."""
    if snapshot.status != pending or snapshot.requested_at > timezone.now() - REQUEUE_AFTER:
        return False
    touched = (
        type(snapshot)
        .objects.filter(pk=snapshot.pk, status=pending, requested_at=snapshot.requested_at)
        .update(requested_at=timezone.now())
    )
    if touched:
        snapshot_id = snapshot.pk
        transaction.on_commit(lambda: task.delay(snapshot_id))
    return bool(touched)


def performance_sections(*, campaign: Campaign, filters: ReportFilters) -> dict[str, Section]:
    """Every report of the tab: the computed ones of the current data version in one query
    (the usual case), the others through `report_section` (queued, or an older one shown)."""
    included = [r for r, shown in tier_reports(campaign.workspace).items() if shown]
    wanted = Q()
    for report in included:
        wanted |= Q(report=report, filters_key=filters_key(filters.for_report(report)))
    stored = {
        snapshot.report: snapshot
        for snapshot in ReportSnapshot.objects.for_workspace(campaign.workspace_id)
        .filter(
            wanted,
            campaign=campaign,
            data_version=current_version(campaign.workspace),
            status=SnapshotStatus.READY,
        )
        .defer("drill")
    }
    batch: list[int] = []
    sections = {
        report: Section(report=report, snapshot=stored[report])
        if report in stored
        else report_section(campaign=campaign, report=report, filters=filters, batch=batch)
        for report in REPORT_FILTERS
    }
    if batch:
        queue_batch(batch)  # computed at once when tasks run in-process: read them again
        for report, section in sections.items():
            if section.snapshot is not None and section.snapshot.pk in batch:
                sections[report] = report_section(campaign=campaign, report=report, filters=filters)
    return sections


def computed_sections(*, campaign: Campaign, filters: ReportFilters) -> dict[str, Section]:
    """Every report for the current data version, computing in this process any a worker has
    not finished (for API clients, who get complete answers rather than a progress state)."""
    sections = {}
    for report in REPORT_FILTERS:
        section = report_section(campaign=campaign, report=report, filters=filters)
        if not section.gated and (section.updating or not section.ready) and not section.failed:
            snapshot = request_report(campaign=campaign, report=report, filters=filters)
            snapshot = ReportSnapshot.objects.get(pk=snapshot.pk)
            if not snapshot.is_ready:
                # A failure is stored on the snapshot: answered as "failed" with its message.
                with contextlib.suppress(ReportFailed):
                    compute_snapshot(snapshot=snapshot)
            section = Section(report=report, snapshot=snapshot)
        sections[report] = section
    return sections


# --- Tracking URLs -------------------------------------------------------------------------------
@transaction.atomic
def create_tracking_url(
    *,
    campaign: Campaign,
    by: Any,
    name: str,
    destination_url: str,
    utm_campaign: str,
    utm_source: str,
    utm_medium: str,
    utm_term: str = "",
    utm_content: str = "",
) -> TrackingUrl:
    """A tracking URL for the campaign, with its tracking-URL asset associated with the campaign
    (it shows in the campaign once it has had a visit). All or nothing."""
    if utm_campaign.lower() not in {u.value.lower() for u in campaign.utms.all()}:
        raise ValidationError(
            {
                "utm_campaign": _("“%(value)s” is not one of this campaign's utm_campaign values.")
                % {"value": utm_campaign}
            }
        )
    link = TrackingUrl(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        name=name,
        destination_url=destination_url,
        utm_campaign=utm_campaign,
        utm_source=utm_source,
        utm_medium=utm_medium,
        utm_term=utm_term,
        utm_content=utm_content,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    link.full_clean(exclude=["asset"])
    asset = create_asset(
        workspace=campaign.workspace, type=AssetType.TRACKING_URL, name=name, url=link.built_url
    )
    associate_asset(asset=asset, campaign=campaign, by=by)
    link.asset = asset
    link.save()
    bump_data_version(campaign.workspace_id)
    return link


# --- Asset detail --------------------------------------------------------------------------------
@dataclass
class AssetDetail:
    section: dict[str, Any]
    daily: list[dict[str, Any]]
    interactions: Any


def asset_detail(*, campaign: Campaign, asset: Any, period: Period) -> AssetDetail:
    """One asset's report (the same metrics as its row in the asset reports) with its daily
    interactions by type; computed on request (one asset is a few indexed queries)."""
    lower, upper = period.bounds(campaign.workspace.tz)
    described = [{"id": asset.pk, "name": asset.name, "type": asset.type}]
    data = selectors.assets_data(campaign=campaign, assets=described, lower=lower, upper=upper)
    (section,) = asset_reports(
        data["assets"],
        data["counts"],
        data["reach"],
        data["ads"],
        data["visits"],
        data["submissions"],
    )
    events = selectors.asset_daily_counts(asset=asset, lower=lower, upper=upper)
    return AssetDetail(
        section=section,
        daily=daily_by_type(events, tz=campaign.workspace.time_zone),
        interactions=selectors.asset_interactions(asset=asset, lower=lower, upper=upper),
    )
