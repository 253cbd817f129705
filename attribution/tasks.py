"""Celery tasks of attribution (thin: check the work is not done, call the service)."""

from __future__ import annotations

from celery import shared_task

from attribution import services
from attribution.models import CreditRun, RunStatus
from workspaces.models import Workspace


@shared_task(acks_late=True)
def compute_credit_run(workspace_id: int, data_version: int, kind: str, model: str) -> str:
    """The credits of `model` for `kind` over the whole workspace. Skipped when the data changed
    since it was queued (a newer run replaces it) or the run is already stored."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None or services.current_version(workspace) != data_version:
        return "skipped"
    done = CreditRun.objects.for_workspace(workspace_id).filter(
        kind=kind,
        model=model,
        data_version=data_version,
        settings_key=services.settings_key(workspace),
        status=RunStatus.READY,
    )
    if done.exists():
        return "skipped"
    return services.compute_credit_run(workspace_id=workspace_id, kind=kind, model=model)


@shared_task
def delete_stale_credit_runs() -> int:
    return sum(
        services.delete_stale_runs(workspace_id=pk)
        for pk in Workspace.objects.values_list("pk", flat=True)
    )
