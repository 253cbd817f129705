"""A pending snapshot no worker took (a lost broker message) is queued again by the next page
view after REQUEUE_AFTER, once: Performance reports and Attribution-tab results alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attribution.models import AttributionSnapshot, RunStatus
from reporting.models import ReportSnapshot, SnapshotStatus
from reporting.services import REQUEUE_AFTER, requeue_if_forgotten
from tests.conftest import World

pytestmark = pytest.mark.django_db


class Task:
    def __init__(self) -> None:
        self.queued: list[int] = []

    def delay(self, pk: int) -> None:
        self.queued.append(pk)


def _pending(world: World, name: str, model: Any) -> Any:
    """The pending snapshots a page view asks for (their tasks never run)."""
    client = Client()
    client.force_login(world.users["viewer"])
    url = reverse(
        f"reporting:{name}",
        kwargs={"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk},
    )
    client.get(url)
    return model.objects.for_workspace(world.a.workspace).order_by("pk").first()


@pytest.mark.parametrize(
    ("name", "model", "pending"),
    [
        ("performance", ReportSnapshot, SnapshotStatus.PENDING),
        ("attribution", AttributionSnapshot, RunStatus.PENDING),
    ],
)
def test_a_forgotten_pending_snapshot_is_queued_again_once(
    world: World, django_capture_on_commit_callbacks: Any, name: str, model: Any, pending: str
) -> None:
    snapshot = _pending(world, name, model)
    assert snapshot.status == pending
    task = Task()

    assert not requeue_if_forgotten(snapshot, pending=pending, task=task)  # just asked for

    stale = timezone.now() - REQUEUE_AFTER - timedelta(seconds=1)
    model.objects.filter(pk=snapshot.pk).update(requested_at=stale)
    snapshot.refresh_from_db()
    seen_by_another_view = model.objects.get(pk=snapshot.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_if_forgotten(snapshot, pending=pending, task=task)
        assert not requeue_if_forgotten(seen_by_another_view, pending=pending, task=task)
    assert task.queued == [snapshot.pk]
    assert model.objects.get(pk=snapshot.pk).requested_at > stale


def test_a_snapshot_a_worker_took_is_left_alone(world: World) -> None:
    snapshot = _pending(world, "performance", ReportSnapshot)
    stale = timezone.now() - REQUEUE_AFTER - timedelta(minutes=1)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(
        requested_at=stale, status=SnapshotStatus.RUNNING
    )
    snapshot.refresh_from_db()
    task = Task()
    assert not requeue_if_forgotten(snapshot, pending=SnapshotStatus.PENDING, task=task)
    assert task.queued == []
