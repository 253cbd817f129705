"""Celery tasks of the Performance tab (thin: load the row, call the service)."""

from __future__ import annotations

from celery import shared_task

from reporting import rollups, services
from reporting.models import ReportSnapshot, SnapshotStatus
from workspaces.models import Workspace


@shared_task(acks_late=True)
def compute_report_snapshot(snapshot_id: int) -> str:
    snapshot = ReportSnapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.status == SnapshotStatus.READY:
        return "skipped"
    try:
        services.compute_snapshot(snapshot=snapshot)
    except services.ReportFailed:
        return "failed"
    return "ready"


@shared_task(acks_late=True)
def compute_report_snapshots(snapshot_ids: list[int]) -> int:
    """Several snapshots of one page in one task, sharing what they read; returns how many were
    computed (those already computed are skipped)."""
    snapshots = list(
        ReportSnapshot.objects.filter(pk__in=snapshot_ids)
        .exclude(status=SnapshotStatus.READY)
        .order_by("pk")
    )
    services.compute_snapshots(snapshots=snapshots)
    return len(snapshots)


@shared_task
def delete_stale_report_snapshots() -> int:
    return sum(
        services.delete_stale_snapshots(workspace_id=pk)
        for pk in Workspace.objects.values_list("pk", flat=True)
    )


@shared_task(acks_late=True)
def rebuild_workspace_rollups(workspace_id: int) -> int:
    """Every campaign's Performance rollups of the workspace, rebuilt in bulk."""
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return 0
    rebuilt = rollups.rebuild_workspace_rollups(workspace_id=workspace_id)
    services.refresh_revenue_credits(workspace_id=workspace_id)
    return rebuilt


@shared_task(acks_late=True)
def refresh_rollups(workspace_id: int, campaign_ids: list[int] | None = None) -> int:
    """Stale rollups brought up to date after a data change (of the given campaigns, or of the
    campaigns viewed recently); safe to run twice: current ones are skipped."""
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return 0
    rebuilt = rollups.refresh_rollups(workspace_id=workspace_id, campaign_ids=campaign_ids)
    if rebuilt:
        # A campaign that is being looked at changed: its Revenue report will want the credits
        # of the new data version. Nobody viewing, nothing changed: no worker time spent.
        services.refresh_revenue_credits(workspace_id=workspace_id)
    return rebuilt


# The Attribution tab's tasks live beside it; imported here so workers register them.
from reporting.attribution_tasks import (  # noqa: E402, F401
    compute_attribution_snapshot,
    delete_stale_attribution_snapshots,
)
