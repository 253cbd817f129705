"""Snapshots: keyed by data version, computed by the task once, cleaned up when replaced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from reporting import services
from reporting.compute.periods import Period
from reporting.models import ReportSnapshot, SnapshotStatus
from reporting.tasks import compute_report_snapshot, delete_stale_report_snapshots
from tests.conftest import World
from workspaces.services import bump_data_version

pytestmark = pytest.mark.django_db

FILTERS = services.ReportFilters(period=Period(None, None))


def _request(world: World, report: str = "overview") -> ReportSnapshot:
    return services.request_report(campaign=world.a["campaign"], report=report, filters=FILTERS)


def test_a_snapshot_is_computed_once_and_reused_until_the_data_changes(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(world)
    first.refresh_from_db()
    assert first.status == SnapshotStatus.READY and first.duration_ms is not None
    assert _request(world).pk == first.pk
    assert compute_report_snapshot(first.pk) == "skipped"

    bump_data_version(world.a.workspace.pk)
    second = _request(world)
    assert second.pk != first.pk and second.status == SnapshotStatus.PENDING


def test_switching_the_model_never_recomputes_the_overview(world: World) -> None:
    linear = _request(world)
    other = services.request_report(
        campaign=world.a["campaign"],
        report="overview",
        filters=services.ReportFilters(period=Period(None, None), model="u_shaped"),
    )
    assert other.pk == linear.pk


def test_a_failed_computation_is_stored_with_its_message(world: World, monkeypatch: Any) -> None:
    snapshot = _request(world)

    def broken(**kwargs: Any) -> Any:
        raise ValueError("the engine refused the data")

    monkeypatch.setattr(services, "compute_report", broken)
    assert compute_report_snapshot(snapshot.pk) == "failed"
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.FAILED
    assert snapshot.error == "the engine refused the data"


def test_replaced_snapshots_are_deleted_but_the_newest_computed_one_stays(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        old = _request(world)
    bump_data_version(world.a.workspace.pk)
    with django_capture_on_commit_callbacks(execute=True):
        new = _request(world)
    bump_data_version(world.a.workspace.pk)
    pending = _request(world)
    ReportSnapshot.objects.update(requested_at=timezone.now() - timedelta(days=2))

    delete_stale_report_snapshots()

    remaining = set(ReportSnapshot.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert new.pk in remaining
    assert pending.pk not in remaining  # abandoned for two days: requested again when needed


def test_opening_the_tab_queues_one_task_for_every_missing_report(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from reporting import tasks

    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.compute_report_snapshots, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        sections = services.performance_sections(campaign=world.a["campaign"], filters=FILTERS)

    assert len(queued) == 1
    # Enterprise: every report but the Professional Revenue report.
    assert len(queued[0]) == 5 and sections["revenue"].gated
    tasks.compute_report_snapshots(queued[0])
    assert ReportSnapshot.objects.filter(status=SnapshotStatus.READY).count() == 5
