"""Celery tasks of the Attribution tab (thin: load the row, call the service). Registered by
`reporting.tasks`, which imports this module."""

from __future__ import annotations

from celery import shared_task

from attribution.models import AttributionSnapshot, RunStatus
from reporting import attribution
from workspaces.models import Workspace


@shared_task(acks_late=True)
def compute_attribution_snapshot(snapshot_id: int) -> str:
    snapshot = AttributionSnapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None or snapshot.status == RunStatus.READY:
        return "skipped"
    return str(attribution.compute_snapshot(snapshot=snapshot).status)


@shared_task
def delete_stale_attribution_snapshots() -> int:
    return sum(
        attribution.delete_stale_snapshots(workspace_id=pk)
        for pk in Workspace.objects.values_list("pk", flat=True)
    )
